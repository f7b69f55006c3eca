// Minimal GGUF v3 writer.
#include "model/gguf_writer.h"

#include "common/error.h"

#include <cstring>
#include <fstream>

namespace hone {

namespace {
template <typename T> void put(std::vector<std::uint8_t>& out, T v) {
    const std::size_t at = out.size();
    out.resize(at + sizeof(T));
    std::memcpy(out.data() + at, &v, sizeof(T));
}
void putStr(std::vector<std::uint8_t>& out, const std::string& s) {
    put<std::uint64_t>(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}
std::vector<std::uint8_t> header(const std::string& key, GgufType t) {
    std::vector<std::uint8_t> r;
    putStr(r, key);
    put<std::uint32_t>(r, static_cast<std::uint32_t>(t));
    return r;
}
} // namespace

void GgufWriter::setU32(const std::string& key, std::uint32_t v) {
    auto r = header(key, GgufType::U32);
    put(r, v);
    kv_.push_back(std::move(r));
}
void GgufWriter::setI32(const std::string& key, std::int32_t v) {
    auto r = header(key, GgufType::I32);
    put(r, v);
    kv_.push_back(std::move(r));
}
void GgufWriter::setU64(const std::string& key, std::uint64_t v) {
    auto r = header(key, GgufType::U64);
    put(r, v);
    kv_.push_back(std::move(r));
}
void GgufWriter::setF32(const std::string& key, float v) {
    auto r = header(key, GgufType::F32);
    put(r, v);
    kv_.push_back(std::move(r));
}
void GgufWriter::setBool(const std::string& key, bool v) {
    auto r = header(key, GgufType::Bool);
    put<std::uint8_t>(r, v ? 1 : 0);
    kv_.push_back(std::move(r));
}
void GgufWriter::setString(const std::string& key, const std::string& v) {
    auto r = header(key, GgufType::String);
    putStr(r, v);
    kv_.push_back(std::move(r));
}
void GgufWriter::setStringArray(const std::string& key, const std::vector<std::string>& v) {
    auto r = header(key, GgufType::Array);
    put<std::uint32_t>(r, static_cast<std::uint32_t>(GgufType::String));
    put<std::uint64_t>(r, v.size());
    for (const auto& s : v) putStr(r, s);
    kv_.push_back(std::move(r));
}
void GgufWriter::setF32Array(const std::string& key, const std::vector<float>& v) {
    auto r = header(key, GgufType::Array);
    put<std::uint32_t>(r, static_cast<std::uint32_t>(GgufType::F32));
    put<std::uint64_t>(r, v.size());
    for (float x : v) put(r, x);
    kv_.push_back(std::move(r));
}
void GgufWriter::setI32Array(const std::string& key, const std::vector<std::int32_t>& v) {
    auto r = header(key, GgufType::Array);
    put<std::uint32_t>(r, static_cast<std::uint32_t>(GgufType::I32));
    put<std::uint64_t>(r, v.size());
    for (auto x : v) put(r, x);
    kv_.push_back(std::move(r));
}

void GgufWriter::addTensor(const std::string& name, std::uint32_t ggmlType, std::vector<std::uint64_t> dims,
                           std::vector<std::uint8_t> bytes) {
    const std::uint64_t n = bytes.size();
    tensors_.push_back({name, ggmlType, std::move(dims), std::move(bytes), n});
}

void GgufWriter::addTensorInfo(const std::string& name, std::uint32_t ggmlType,
                               std::vector<std::uint64_t> dims, std::uint64_t nbytes) {
    tensors_.push_back({name, ggmlType, std::move(dims), {}, nbytes});
}

std::vector<std::uint8_t> GgufWriter::serializeHeader() const {
    std::vector<std::uint8_t> out;
    out.reserve(4096);
    for (char c : {'G', 'G', 'U', 'F'}) out.push_back(static_cast<std::uint8_t>(c));
    put<std::uint32_t>(out, version_);
    put<std::uint64_t>(out, tensors_.size());
    put<std::uint64_t>(out, kv_.size() + (alignment_ != 32 ? 1 : 0));
    for (const auto& r : kv_) out.insert(out.end(), r.begin(), r.end());
    if (alignment_ != 32) {
        auto r = header("general.alignment", GgufType::U32);
        put<std::uint32_t>(r, alignment_);
        out.insert(out.end(), r.begin(), r.end());
    }
    std::uint64_t off = 0;
    for (const auto& t : tensors_) {
        putStr(out, t.name);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.dims.size()));
        for (auto d : t.dims) put<std::uint64_t>(out, d);
        put<std::uint32_t>(out, t.type);
        put<std::uint64_t>(out, off);
        off += (t.nbytes + alignment_ - 1) / alignment_ * alignment_;
    }
    while (out.size() % alignment_) out.push_back(0);
    return out;
}

std::vector<std::uint8_t> GgufWriter::serialize() const {
    std::vector<std::uint8_t> out = serializeHeader();
    for (const auto& t : tensors_) {
        out.insert(out.end(), t.bytes.begin(), t.bytes.end());
        out.resize(out.size() + t.nbytes - t.bytes.size() + (alignment_ - t.nbytes % alignment_) % alignment_,
                   0);
    }
    return out;
}

void GgufWriter::write(const std::string& path) const {
    const auto bytes = serialize();
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw Error("cannot write GGUF file " + path);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw Error("failed writing GGUF file " + path);
}

} // namespace hone
