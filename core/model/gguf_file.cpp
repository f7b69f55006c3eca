// GGUF container parser: bounds-checked reading of the header, metadata and tensor directory.
#include "model/gguf_file.h"

#include "common/error.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace hone {

namespace {

constexpr std::uint64_t kMaxKv = 1u << 20;
constexpr std::uint64_t kMaxTensors = 1u << 20;
constexpr std::uint64_t kMaxDims = 8;
constexpr std::uint64_t kMaxKeyLen = 1u << 16;

std::size_t scalarSize(GgufType t) {
    switch (t) {
    case GgufType::U8:
    case GgufType::I8:
    case GgufType::Bool:
        return 1;
    case GgufType::U16:
    case GgufType::I16:
        return 2;
    case GgufType::U32:
    case GgufType::I32:
    case GgufType::F32:
        return 4;
    case GgufType::U64:
    case GgufType::I64:
    case GgufType::F64:
        return 8;
    default:
        return 0;
    }
}

template <typename T> T loadLE(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

// Reads scalar element `idx` of a fixed-size array (or a scalar at p) into the widened fields.
void decodeScalar(GgufType t, const std::uint8_t* p, GgufValue& v) {
    switch (t) {
    case GgufType::U8:
        v.u = p[0];
        v.i = static_cast<std::int64_t>(v.u);
        break;
    case GgufType::I8:
        v.i = static_cast<std::int8_t>(p[0]);
        break;
    case GgufType::Bool:
        v.u = p[0] ? 1 : 0;
        v.i = static_cast<std::int64_t>(v.u);
        break;
    case GgufType::U16:
        v.u = loadLE<std::uint16_t>(p);
        v.i = static_cast<std::int64_t>(v.u);
        break;
    case GgufType::I16:
        v.i = loadLE<std::int16_t>(p);
        break;
    case GgufType::U32:
        v.u = loadLE<std::uint32_t>(p);
        v.i = static_cast<std::int64_t>(v.u);
        break;
    case GgufType::I32:
        v.i = loadLE<std::int32_t>(p);
        break;
    case GgufType::U64:
        v.u = loadLE<std::uint64_t>(p);
        v.i = static_cast<std::int64_t>(v.u);
        break;
    case GgufType::I64:
        v.i = loadLE<std::int64_t>(p);
        break;
    case GgufType::F32:
        v.f = loadLE<float>(p);
        break;
    case GgufType::F64:
        v.f = loadLE<double>(p);
        break;
    default:
        break;
    }
    if (t == GgufType::I8 || t == GgufType::I16 || t == GgufType::I32 || t == GgufType::I64)
        v.u = static_cast<std::uint64_t>(v.i);
}

bool isSigned(GgufType t) {
    return t == GgufType::I8 || t == GgufType::I16 || t == GgufType::I32 || t == GgufType::I64;
}
bool isUnsignedOrBool(GgufType t) {
    return t == GgufType::U8 || t == GgufType::U16 || t == GgufType::U32 || t == GgufType::U64 ||
           t == GgufType::Bool;
}
bool isFloatType(GgufType t) {
    return t == GgufType::F32 || t == GgufType::F64;
}

// Sequential bounds-checked reader over the file bytes.
class Cursor {
public:
    Cursor(const std::uint8_t* base, std::size_t size, const GgufFile* f, const std::string& path)
        : base_(base)
        , size_(size)
        , path_(path) {
        (void)f;
    }
    std::size_t pos() const { return pos_; }
    std::size_t remaining() const { return size_ - pos_; }
    [[noreturn]] void fail(const std::string& what) const {
        throw Error("GGUF file " + path_ + ": " + what + " (at byte " + std::to_string(pos_) + ")");
    }
    void need(std::uint64_t n, const char* what) {
        if (n > remaining()) fail(std::string("truncated while reading ") + what);
    }
    const std::uint8_t* take(std::uint64_t n, const char* what) {
        need(n, what);
        const std::uint8_t* p = base_ + pos_;
        pos_ += static_cast<std::size_t>(n);
        return p;
    }
    std::uint32_t u32(const char* what) { return loadLE<std::uint32_t>(take(4, what)); }
    std::uint64_t u64(const char* what) { return loadLE<std::uint64_t>(take(8, what)); }
    std::string_view str(const char* what, std::uint64_t maxLen) {
        std::uint64_t n = u64(what);
        if (n > maxLen) fail(std::string(what) + " length " + std::to_string(n) + " exceeds the limit");
        if (n > remaining())
            fail(std::string(what) + " length " + std::to_string(n) + " runs past the end of the file");
        const std::uint8_t* p = take(n, what);
        return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
    }

private:
    const std::uint8_t* base_;
    std::size_t size_;
    std::size_t pos_ = 0;
    const std::string& path_;
};

} // namespace

const char* ggufTypeName(GgufType t) {
    switch (t) {
    case GgufType::U8:
        return "u8";
    case GgufType::I8:
        return "i8";
    case GgufType::U16:
        return "u16";
    case GgufType::I16:
        return "i16";
    case GgufType::U32:
        return "u32";
    case GgufType::I32:
        return "i32";
    case GgufType::F32:
        return "f32";
    case GgufType::Bool:
        return "bool";
    case GgufType::String:
        return "string";
    case GgufType::Array:
        return "array";
    case GgufType::U64:
        return "u64";
    case GgufType::I64:
        return "i64";
    case GgufType::F64:
        return "f64";
    }
    return "unknown";
}

bool ggmlTypeLayout(std::uint32_t type, std::uint64_t* blockElems, std::uint64_t* blockBytes) {
    struct L {
        std::uint32_t t;
        std::uint64_t be, bb;
    };
    static const L table[] = {
        {0, 1, 4},      {1, 1, 2},      {2, 32, 18},   {3, 32, 20},    {6, 32, 22},    {7, 32, 24},
        {8, 32, 34},    {9, 32, 36},    {10, 256, 84}, {11, 256, 110}, {12, 256, 144}, {13, 256, 176},
        {14, 256, 210}, {15, 256, 292}, {16, 256, 66}, {17, 256, 74},  {18, 256, 98},  {19, 256, 50},
        {20, 32, 18},   {21, 256, 110}, {22, 256, 82}, {23, 256, 136}, {24, 1, 1},     {25, 1, 2},
        {26, 1, 4},     {27, 1, 8},     {28, 1, 8},    {29, 256, 56},  {30, 1, 2},     {34, 256, 54},
        {35, 256, 66},  {39, 32, 17},
    };
    for (const auto& l : table) {
        if (l.t == type) {
            *blockElems = l.be;
            *blockBytes = l.bb;
            return true;
        }
    }
    return false;
}

std::string ggmlTypeName(std::uint32_t type) {
    static const std::map<std::uint32_t, const char*> names = {
        {0, "F32"},     {1, "F16"},    {2, "Q4_0"},     {3, "Q4_1"},    {6, "Q5_0"},     {7, "Q5_1"},
        {8, "Q8_0"},    {9, "Q8_1"},   {10, "Q2_K"},    {11, "Q3_K"},   {12, "Q4_K"},    {13, "Q5_K"},
        {14, "Q6_K"},   {15, "Q8_K"},  {16, "IQ2_XXS"}, {17, "IQ2_XS"}, {18, "IQ3_XXS"}, {19, "IQ1_S"},
        {20, "IQ4_NL"}, {21, "IQ3_S"}, {22, "IQ2_S"},   {23, "IQ4_XS"}, {24, "I8"},      {25, "I16"},
        {26, "I32"},    {27, "I64"},   {28, "F64"},     {29, "IQ1_M"},  {30, "BF16"},    {34, "TQ1_0"},
        {35, "TQ2_0"},  {39, "MXFP4"},
    };
    auto it = names.find(type);
    return it != names.end() ? it->second : "type " + std::to_string(type);
}

bool GgufValue::isInteger() const {
    return isSigned(type) || isUnsignedOrBool(type);
}
bool GgufValue::isFloat() const {
    return isFloatType(type);
}

std::vector<std::int64_t> GgufTensor::shape() const {
    std::vector<std::int64_t> s;
    for (auto it = dims.rbegin(); it != dims.rend(); ++it) s.push_back(static_cast<std::int64_t>(*it));
    return s;
}

GgufFile GgufFile::open(const std::string& path) {
    GgufFile f;
    f.path_ = path;
    f.map_ = MappedFile(path);
    f.base_ = f.map_.data();
    f.size_ = f.map_.size();
    f.parse();
    return f;
}

GgufFile GgufFile::fromMemory(const std::uint8_t* bytes, std::size_t size, const std::string& name) {
    GgufFile f;
    f.path_ = name;
    f.owned_.assign(bytes, bytes + size);
    f.base_ = f.owned_.data();
    f.size_ = size;
    f.parse();
    return f;
}

void GgufFile::fail(const std::string& what) const {
    throw Error("GGUF file " + path_ + ": " + what);
}

void GgufFile::parse() {
    Cursor c(base_, size_, this, path_);
    if (size_ < 4 || std::memcmp(base_, "GGUF", 4) != 0) {
        fail("not a GGUF file (the first 4 bytes are not 'GGUF')");
    }
    c.take(4, "magic");
    version_ = c.u32("version");
    if (version_ == 1) {
        fail("GGUF version 1 is not supported (it predates 64-bit counts); re-convert the model with a "
             "current "
             "llama.cpp convert_hf_to_gguf.py, or use its safetensors checkpoint");
    }
    if (version_ != 2 && version_ != 3) {
        fail("unsupported GGUF version " + std::to_string(version_) + " (Hone reads versions 2 and 3)");
    }
    const std::uint64_t nTensors = c.u64("tensor count");
    const std::uint64_t nKv = c.u64("metadata count");
    if (nTensors > kMaxTensors) fail("tensor count " + std::to_string(nTensors) + " is implausibly large");
    if (nKv > kMaxKv) fail("metadata count " + std::to_string(nKv) + " is implausibly large");
    // Each kv needs at least 8 (key len) + 4 (type) bytes; each tensor info at least 8 + 4 + 4 + 8.
    if (nKv * 12 > c.remaining()) fail("metadata count " + std::to_string(nKv) + " does not fit in the file");
    if (nTensors * 24 > c.remaining())
        fail("tensor count " + std::to_string(nTensors) + " does not fit in the file");

    for (std::uint64_t k = 0; k < nKv; ++k) {
        std::string key(c.str("metadata key", kMaxKeyLen));
        if (key.empty()) c.fail("metadata key #" + std::to_string(k) + " is empty");
        if (kv_.count(key)) c.fail("duplicate metadata key '" + key + "'");
        GgufValue v;
        const std::uint32_t rawType = c.u32("metadata value type");
        if (rawType > 12) c.fail("metadata '" + key + "' has unknown value type " + std::to_string(rawType));
        v.type = static_cast<GgufType>(rawType);
        if (v.type == GgufType::String) {
            v.str = c.str("string value", std::numeric_limits<std::uint64_t>::max());
        } else if (v.type == GgufType::Array) {
            const std::uint32_t et = c.u32("array element type");
            if (et > 12) c.fail("metadata '" + key + "' is an array of unknown type " + std::to_string(et));
            v.elemType = static_cast<GgufType>(et);
            v.count = c.u64("array length");
            if (v.elemType == GgufType::Array)
                c.fail("metadata '" + key + "' is a nested array (not supported)");
            if (v.elemType == GgufType::String) {
                if (v.count > c.remaining() / 8)
                    c.fail("metadata '" + key + "': array of " + std::to_string(v.count) +
                           " strings does not fit in the file");
                v.strings.reserve(static_cast<std::size_t>(v.count));
                for (std::uint64_t j = 0; j < v.count; ++j)
                    v.strings.push_back(c.str("array string", std::numeric_limits<std::uint64_t>::max()));
            } else {
                const std::size_t es = scalarSize(v.elemType);
                if (v.count > c.remaining() / es)
                    c.fail("metadata '" + key + "': array of " + std::to_string(v.count) + " " +
                           ggufTypeName(v.elemType) + " runs past the end of the file");
                v.arrayData = c.take(v.count * es, "array data");
            }
        } else {
            decodeScalar(v.type, c.take(scalarSize(v.type), "metadata value"), v);
        }
        keyOrder_.push_back(key);
        kv_.emplace(std::move(key), std::move(v));
    }

    if (const GgufValue* a = find("general.alignment")) {
        if (!a->isInteger() || a->isFloat()) fail("general.alignment must be an integer");
        alignment_ = a->u;
        if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0 || alignment_ > (1u << 20))
            fail("general.alignment " + std::to_string(alignment_) + " is not a power of two up to 1 MiB");
    }

    tensors_.reserve(static_cast<std::size_t>(nTensors));
    for (std::uint64_t t = 0; t < nTensors; ++t) {
        GgufTensor ti;
        ti.name = std::string(c.str("tensor name", kMaxKeyLen));
        if (tensorIndex_.count(ti.name)) c.fail("duplicate tensor name '" + ti.name + "'");
        const std::uint32_t nd = c.u32("tensor dimension count");
        if (nd == 0 || nd > kMaxDims)
            c.fail("tensor '" + ti.name + "' has " + std::to_string(nd) + " dimensions (1.." +
                   std::to_string(kMaxDims) + " allowed)");
        std::uint64_t elems = 1;
        for (std::uint32_t d = 0; d < nd; ++d) {
            const std::uint64_t n = c.u64("tensor dimension");
            if (n == 0 || n > (std::uint64_t(1) << 40))
                c.fail("tensor '" + ti.name + "' has an invalid dimension " + std::to_string(n));
            if (elems > (std::uint64_t(1) << 48) / n)
                c.fail("tensor '" + ti.name + "' has too many elements");
            elems *= n;
            ti.dims.push_back(n);
        }
        ti.elements = elems;
        ti.type = c.u32("tensor type");
        ti.offset = c.u64("tensor offset");
        std::uint64_t be = 0, bb = 0;
        if (!ggmlTypeLayout(ti.type, &be, &bb))
            c.fail("tensor '" + ti.name + "' has unknown ggml type " + std::to_string(ti.type));
        if (ti.dims[0] % be != 0)
            c.fail("tensor '" + ti.name + "' (" + ggmlTypeName(ti.type) + "): row length " +
                   std::to_string(ti.dims[0]) + " is not a multiple of the block size " + std::to_string(be));
        ti.nbytes = elems / be * bb;
        if (ti.offset % alignment_ != 0)
            c.fail("tensor '" + ti.name + "' offset " + std::to_string(ti.offset) + " is not aligned to " +
                   std::to_string(alignment_));
        tensorIndex_.emplace(ti.name, tensors_.size());
        tensors_.push_back(std::move(ti));
    }

    // Data section starts at the next multiple of the alignment.
    const std::uint64_t headerEnd = c.pos();
    dataOffset_ = (headerEnd + alignment_ - 1) / alignment_ * alignment_;
    if (!tensors_.empty() && dataOffset_ > size_) fail("data section starts past the end of the file");
    const std::uint64_t dataSize = size_ >= dataOffset_ ? size_ - dataOffset_ : 0;

    std::vector<std::size_t> order(tensors_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (auto& ti : tensors_) {
        if (ti.offset > dataSize || ti.nbytes > dataSize - ti.offset)
            fail("tensor '" + ti.name + "' (" + std::to_string(ti.nbytes) + " bytes at data offset " +
                 std::to_string(ti.offset) + ") extends past the end of the file (" +
                 std::to_string(dataSize) + " data bytes); the file is truncated or corrupt");
        ti.fileOffset = dataOffset_ + ti.offset;
        ti.data = base_ + ti.fileOffset;
    }
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return tensors_[a].offset < tensors_[b].offset; });
    for (std::size_t i = 1; i < order.size(); ++i) {
        const auto& prev = tensors_[order[i - 1]];
        const auto& cur = tensors_[order[i]];
        if (prev.offset + prev.nbytes > cur.offset)
            fail("tensors '" + prev.name + "' and '" + cur.name + "' overlap in the data section");
    }
}

const GgufValue* GgufFile::find(const std::string& key) const {
    auto it = kv_.find(key);
    return it == kv_.end() ? nullptr : &it->second;
}

const GgufValue& GgufFile::value(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) fail("metadata key '" + key + "' is missing");
    return *v;
}

std::string GgufFile::getString(const std::string& key) const {
    const GgufValue& v = value(key);
    if (v.type != GgufType::String)
        fail("metadata '" + key + "' is " + ggufTypeName(v.type) + ", expected a string");
    return std::string(v.str);
}

std::uint64_t GgufFile::getU64(const std::string& key) const {
    const GgufValue& v = value(key);
    if (!v.isInteger()) fail("metadata '" + key + "' is " + ggufTypeName(v.type) + ", expected an integer");
    if (isSigned(v.type) && v.i < 0) fail("metadata '" + key + "' is negative, expected an unsigned integer");
    return v.u;
}

std::int64_t GgufFile::getI64(const std::string& key) const {
    const GgufValue& v = value(key);
    if (!v.isInteger()) fail("metadata '" + key + "' is " + ggufTypeName(v.type) + ", expected an integer");
    if (!isSigned(v.type) && v.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        fail("metadata '" + key + "' is too large for a signed integer");
    return v.i;
}

double GgufFile::getF64(const std::string& key) const {
    const GgufValue& v = value(key);
    if (v.isFloat()) return v.f;
    if (isSigned(v.type)) return static_cast<double>(v.i);
    if (isUnsignedOrBool(v.type)) return static_cast<double>(v.u);
    fail("metadata '" + key + "' is " + ggufTypeName(v.type) + ", expected a number");
}

bool GgufFile::getBool(const std::string& key) const {
    const GgufValue& v = value(key);
    if (!v.isInteger()) fail("metadata '" + key + "' is " + ggufTypeName(v.type) + ", expected a bool");
    return v.u != 0;
}

const std::vector<std::string_view>& GgufFile::getStringArrayView(const std::string& key) const {
    const GgufValue& v = value(key);
    if (v.type != GgufType::Array || v.elemType != GgufType::String)
        fail("metadata '" + key + "' is not an array of strings");
    return v.strings;
}

std::vector<std::string> GgufFile::getStringArray(const std::string& key) const {
    const auto& views = getStringArrayView(key);
    return {views.begin(), views.end()};
}

std::vector<float> GgufFile::getF32Array(const std::string& key) const {
    const GgufValue& v = value(key);
    if (v.type != GgufType::Array || v.elemType == GgufType::String)
        fail("metadata '" + key + "' is not an array of numbers");
    std::vector<float> out;
    out.reserve(static_cast<std::size_t>(v.count));
    const std::size_t es = scalarSize(v.elemType);
    for (std::uint64_t j = 0; j < v.count; ++j) {
        GgufValue e;
        decodeScalar(v.elemType, v.arrayData + j * es, e);
        if (isFloatType(v.elemType))
            out.push_back(static_cast<float>(e.f));
        else if (isSigned(v.elemType))
            out.push_back(static_cast<float>(e.i));
        else
            out.push_back(static_cast<float>(e.u));
    }
    return out;
}

std::vector<std::int32_t> GgufFile::getI32Array(const std::string& key) const {
    const GgufValue& v = value(key);
    if (v.type != GgufType::Array || !(isSigned(v.elemType) || isUnsignedOrBool(v.elemType)))
        fail("metadata '" + key + "' is not an array of integers");
    std::vector<std::int32_t> out;
    out.reserve(static_cast<std::size_t>(v.count));
    const std::size_t es = scalarSize(v.elemType);
    for (std::uint64_t j = 0; j < v.count; ++j) {
        GgufValue e;
        decodeScalar(v.elemType, v.arrayData + j * es, e);
        const std::int64_t x = isSigned(v.elemType) ? e.i : static_cast<std::int64_t>(e.u);
        if (x < std::numeric_limits<std::int32_t>::min() || x > std::numeric_limits<std::int32_t>::max() ||
            (!isSigned(v.elemType) &&
             e.u > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())))
            fail("metadata '" + key + "' element " + std::to_string(j) + " does not fit in int32");
        out.push_back(static_cast<std::int32_t>(x));
    }
    return out;
}

std::string GgufFile::getStringOr(const std::string& key, const std::string& def) const {
    return has(key) ? getString(key) : def;
}
std::uint64_t GgufFile::getU64Or(const std::string& key, std::uint64_t def) const {
    return has(key) ? getU64(key) : def;
}
double GgufFile::getF64Or(const std::string& key, double def) const {
    return has(key) ? getF64(key) : def;
}

const GgufTensor* GgufFile::findTensor(const std::string& name) const {
    auto it = tensorIndex_.find(name);
    return it == tensorIndex_.end() ? nullptr : &tensors_[it->second];
}

} // namespace hone
