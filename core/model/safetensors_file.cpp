// safetensors reader, sharded checkpoint folders and writer.
#include "model/safetensors_file.h"

#include "common/error.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace hone {

namespace fs = std::filesystem;

namespace {
struct DTypeInfo {
    StDType t;
    const char* name;
    std::size_t size;
};
const DTypeInfo kDTypes[] = {
    {StDType::F64, "F64", 8},   {StDType::F32, "F32", 4},         {StDType::F16, "F16", 2},
    {StDType::BF16, "BF16", 2}, {StDType::I64, "I64", 8},         {StDType::I32, "I32", 4},
    {StDType::I16, "I16", 2},   {StDType::I8, "I8", 1},           {StDType::U64, "U64", 8},
    {StDType::U32, "U32", 4},   {StDType::U16, "U16", 2},         {StDType::U8, "U8", 1},
    {StDType::Bool, "BOOL", 1}, {StDType::F8_E4M3, "F8_E4M3", 1}, {StDType::F8_E5M2, "F8_E5M2", 1},
};
} // namespace

bool parseStDType(const std::string& name, StDType* out) {
    for (const auto& d : kDTypes) {
        if (name == d.name) {
            *out = d.t;
            return true;
        }
    }
    return false;
}
const char* stDTypeName(StDType t) {
    for (const auto& d : kDTypes)
        if (d.t == t) return d.name;
    return "?";
}
std::size_t stDTypeSize(StDType t) {
    for (const auto& d : kDTypes)
        if (d.t == t) return d.size;
    return 0;
}

std::int64_t SafetensorsTensor::elements() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
    SafetensorsFile f;
    f.path_ = path;
    f.map_ = MappedFile(path);
    f.base_ = f.map_.data();
    f.size_ = f.map_.size();
    f.parse();
    return f;
}

SafetensorsFile SafetensorsFile::fromMemory(const std::uint8_t* bytes, std::size_t size,
                                            const std::string& name) {
    SafetensorsFile f;
    f.path_ = name;
    f.owned_.assign(bytes, bytes + size);
    f.base_ = f.owned_.data();
    f.size_ = size;
    f.parse();
    return f;
}

void SafetensorsFile::fail(const std::string& what) const {
    throw Error("safetensors file " + path_ + ": " + what);
}

void SafetensorsFile::parse() {
    if (size_ < 8)
        fail("too small to hold a header (" + std::to_string(size_) + " bytes); the file is truncated");
    std::uint64_t n = 0;
    std::memcpy(&n, base_, 8);
    if (n > kMaxHeaderBytes) fail("header length " + std::to_string(n) + " exceeds the 100 MiB limit");
    if (n > size_ - 8)
        fail("header length " + std::to_string(n) + " runs past the end of the file (" +
             std::to_string(size_) + " bytes); the file is truncated");
    const char* hb = reinterpret_cast<const char*>(base_ + 8);
    Json header;
    try {
        header = Json::parse(hb, hb + n);
    } catch (const std::exception& e) {
        fail(std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) fail("header is not a JSON object");
    const std::uint64_t dataSize = size_ - 8 - n;
    const std::uint8_t* data = base_ + 8 + n;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const Json& e = it.value();
        if (name == "__metadata__") {
            if (!e.is_object()) fail("__metadata__ is not an object");
            for (auto m = e.begin(); m != e.end(); ++m) {
                if (!m.value().is_string()) fail("__metadata__ value '" + m.key() + "' is not a string");
                metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor '" + name + "'";
        if (!e.is_object()) fail(where + " entry is not an object");
        if (!e.contains("dtype") || !e["dtype"].is_string()) fail(where + " has no string 'dtype'");
        if (!e.contains("shape") || !e["shape"].is_array()) fail(where + " has no 'shape' array");
        if (!e.contains("data_offsets") || !e["data_offsets"].is_array() || e["data_offsets"].size() != 2)
            fail(where + " has no 'data_offsets' [begin, end]");
        SafetensorsTensor t;
        t.name = name;
        const std::string dt = e["dtype"].get<std::string>();
        if (!parseStDType(dt, &t.dtype)) fail(where + " has unknown dtype '" + dt + "'");
        std::uint64_t elems = 1;
        for (const auto& d : e["shape"]) {
            if (!d.is_number_unsigned())
                fail(where + " has a shape entry that is not a non-negative integer");
            const std::uint64_t v = d.get<std::uint64_t>();
            if (v > (std::uint64_t(1) << 48) || (v != 0 && elems > (std::uint64_t(1) << 48) / v))
                fail(where + " shape is implausibly large");
            elems *= v;
            t.shape.push_back(static_cast<std::int64_t>(v));
        }
        for (const auto& o : e["data_offsets"])
            if (!o.is_number_unsigned()) fail(where + " data_offsets are not non-negative integers");
        t.begin = e["data_offsets"][0].get<std::uint64_t>();
        t.end = e["data_offsets"][1].get<std::uint64_t>();
        if (t.begin > t.end) fail(where + " data_offsets begin > end");
        if (t.end > dataSize)
            fail(where + " byte range [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                 ") extends past the end of the data (" + std::to_string(dataSize) +
                 " bytes); the file is truncated or corrupt");
        const std::uint64_t want = elems * stDTypeSize(t.dtype);
        if (t.end - t.begin != want)
            fail(where + " shape x dtype size is " + std::to_string(want) +
                 " bytes but its byte range holds " + std::to_string(t.end - t.begin));
        t.data = data + t.begin;
        index_[name] = tensors_.size();
        tensors_.push_back(std::move(t));
    }
    std::vector<const SafetensorsTensor*> order;
    for (const auto& t : tensors_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (order[i - 1]->end > order[i]->begin && order[i]->end > order[i]->begin &&
            order[i - 1]->end > order[i - 1]->begin)
            fail("tensors '" + order[i - 1]->name + "' and '" + order[i]->name +
                 "' have overlapping byte ranges");
    }
}

const SafetensorsTensor* SafetensorsFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

SafetensorsCheckpoint SafetensorsCheckpoint::openFolder(const std::string& dir) {
    SafetensorsCheckpoint c;
    c.dir_ = dir;
    const fs::path d(dir);
    std::vector<std::string> shardNames;
    if (fs::exists(d / "model.safetensors.index.json")) {
        const std::string idxPath = (d / "model.safetensors.index.json").string();
        Json idx;
        try {
            idx = Json::parse(readTextFile(idxPath, 64u << 20));
        } catch (const Json::exception& e) {
            throw Error(idxPath + ": not valid JSON: " + e.what());
        }
        if (!idx.is_object() || !idx.contains("weight_map") || !idx["weight_map"].is_object())
            throw Error(idxPath + ": no 'weight_map' object");
        std::map<std::string, std::size_t> fileIdx;
        std::map<std::string, std::string> wanted;
        for (auto it = idx["weight_map"].begin(); it != idx["weight_map"].end(); ++it) {
            if (!it.value().is_string())
                throw Error(idxPath + ": weight_map['" + it.key() + "'] is not a string");
            const std::string f = it.value().get<std::string>();
            if (f.find('/') != std::string::npos || f.find("..") != std::string::npos)
                throw Error(idxPath + ": shard name '" + f + "' must be a plain file name in the folder");
            if (!fileIdx.count(f)) {
                fileIdx[f] = c.files_.size();
                c.files_.push_back(SafetensorsFile::open((d / f).string()));
            }
            wanted[it.key()] = f;
        }
        for (const auto& [name, f] : wanted) {
            const std::size_t fi = fileIdx[f];
            const SafetensorsTensor* t = c.files_[fi].find(name);
            if (!t)
                throw Error(idxPath + ": tensor '" + name + "' is listed in " + f +
                            " but that shard lacks it");
            c.where_[name] = {fi, static_cast<std::size_t>(t - c.files_[fi].tensors().data())};
        }
        return c;
    }
    if (fs::exists(d / "model.safetensors")) {
        c.files_.push_back(SafetensorsFile::open((d / "model.safetensors").string()));
        const auto& ts = c.files_[0].tensors();
        for (std::size_t i = 0; i < ts.size(); ++i) c.where_[ts[i].name] = {0, i};
        return c;
    }
    for (const char* pickle :
         {"pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "consolidated.00.pth"}) {
        if (fs::exists(d / pickle))
            throw Error(
                "model folder " + dir + " holds only a pickle checkpoint (" + pickle +
                "); Hone never loads pickle files because they can run code. Convert it to safetensors "
                "(e.g. in Python: model.save_pretrained(dir, safe_serialization=True)) and try again");
    }
    throw Error("model folder " + dir + " has no model.safetensors or model.safetensors.index.json");
}

const SafetensorsTensor* SafetensorsCheckpoint::find(const std::string& name) const {
    auto it = where_.find(name);
    if (it == where_.end()) return nullptr;
    return &files_[it->second.first].tensors()[it->second.second];
}

const SafetensorsTensor& SafetensorsCheckpoint::require(const std::string& name) const {
    const SafetensorsTensor* t = find(name);
    if (!t) throw Error("model folder " + dir_ + ": tensor '" + name + "' is missing from the checkpoint");
    return *t;
}

std::vector<std::string> SafetensorsCheckpoint::names() const {
    std::vector<std::string> out;
    for (const auto& [n, w] : where_) out.push_back(n);
    return out;
}

std::string SafetensorsCheckpoint::fileOf(const std::string& name) const {
    auto it = where_.find(name);
    return it == where_.end() ? dir_ : files_[it->second.first].path();
}

void SafetensorsWriter::add(const std::string& name, StDType dtype, std::vector<std::int64_t> shape,
                            const void* data, std::size_t nbytes) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    if (static_cast<std::size_t>(n) * stDTypeSize(dtype) != nbytes)
        throw Error("safetensors writer: tensor '" + name + "' shape does not match its " +
                    std::to_string(nbytes) + " bytes");
    Entry e{name, dtype, std::move(shape), {}};
    e.bytes.assign(static_cast<const std::uint8_t*>(data), static_cast<const std::uint8_t*>(data) + nbytes);
    entries_.push_back(std::move(e));
}

void SafetensorsWriter::addF32(const std::string& name, std::vector<std::int64_t> shape,
                               const std::vector<float>& values) {
    add(name, StDType::F32, std::move(shape), values.data(), values.size() * sizeof(float));
}

std::vector<std::uint8_t> SafetensorsWriter::serialize() const {
    OrderedJson h = OrderedJson::object();
    if (!metadata_.empty()) {
        OrderedJson m = OrderedJson::object();
        for (const auto& [k, v] : metadata_) m[k] = v;
        h["__metadata__"] = m;
    }
    std::uint64_t off = 0;
    for (const auto& e : entries_) {
        h[e.name] = {{"dtype", stDTypeName(e.dtype)},
                     {"shape", e.shape},
                     {"data_offsets", {off, off + e.bytes.size()}}};
        off += e.bytes.size();
    }
    std::string hs = h.dump();
    while (hs.size() % 8 != 0) hs.push_back(' ');
    std::vector<std::uint8_t> out(8 + hs.size());
    const std::uint64_t n = hs.size();
    std::memcpy(out.data(), &n, 8);
    std::memcpy(out.data() + 8, hs.data(), hs.size());
    return out; // header only; write() streams the data after it
}

void SafetensorsWriter::write(const std::string& path) const {
    const auto head = serialize();
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw Error("cannot write safetensors file " + path);
    f.write(reinterpret_cast<const char*>(head.data()), static_cast<std::streamsize>(head.size()));
    for (const auto& e : entries_)
        f.write(reinterpret_cast<const char*>(e.bytes.data()), static_cast<std::streamsize>(e.bytes.size()));
    if (!f) throw Error("failed writing safetensors file " + path + " (disk full?)");
}

std::vector<std::uint8_t> SafetensorsWriter::bytes() const {
    auto out = serialize();
    for (const auto& e : entries_) out.insert(out.end(), e.bytes.begin(), e.bytes.end());
    return out;
}

} // namespace hone
