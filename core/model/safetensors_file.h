// safetensors reader: memory-maps a .safetensors file and validates its header completely before any tensor
// is trusted (header size bound, JSON, dtypes, shape x dtype size == byte range, ranges inside and disjoint).
#pragma once

#include "common/json.h"
#include "common/mapped_file.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hone {

// Element types of the safetensors format.
enum class StDType { F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, Bool, F8_E4M3, F8_E5M2 };
bool parseStDType(const std::string& name, StDType* out);
const char* stDTypeName(StDType t);
std::size_t stDTypeSize(StDType t);

struct SafetensorsTensor {
    std::string name;
    StDType dtype = StDType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0; // byte range within the data section
    std::uint64_t end = 0;
    const std::uint8_t* data = nullptr;
    std::uint64_t nbytes() const { return end - begin; }
    std::int64_t elements() const;
};

class SafetensorsFile {
public:
    static constexpr std::uint64_t kMaxHeaderBytes = 100u << 20; // 100 MiB, as the reference implementation

    static SafetensorsFile open(const std::string& path);
    static SafetensorsFile fromMemory(const std::uint8_t* bytes, std::size_t size,
                                      const std::string& name = "<memory>");

    SafetensorsFile(SafetensorsFile&&) noexcept = default;
    SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;

    const std::string& path() const { return path_; }
    const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
    const SafetensorsTensor* find(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

private:
    SafetensorsFile() = default;
    void parse();
    [[noreturn]] void fail(const std::string& what) const;

    std::string path_;
    MappedFile map_;
    std::vector<std::uint8_t> owned_;
    const std::uint8_t* base_ = nullptr;
    std::size_t size_ = 0;
    std::vector<SafetensorsTensor> tensors_;
    std::map<std::string, std::size_t> index_;
    std::map<std::string, std::string> metadata_;
};

// A checkpoint folder: model.safetensors, or shards listed by model.safetensors.index.json. Refuses
// pickle checkpoints (pytorch_model.bin) with a message that says to convert them.
class SafetensorsCheckpoint {
public:
    static SafetensorsCheckpoint openFolder(const std::string& dir);
    const SafetensorsTensor* find(const std::string& name) const;
    const SafetensorsTensor& require(const std::string& name) const; // throws naming folder and tensor
    std::vector<std::string> names() const;
    const std::string& dir() const { return dir_; }
    // The file that holds `name` (for error messages).
    std::string fileOf(const std::string& name) const;

private:
    std::string dir_;
    std::vector<SafetensorsFile> files_;
    std::map<std::string, std::pair<std::size_t, std::size_t>> where_; // name -> (file, tensor)
};

// Writes a safetensors file (export, tests that build tiny models). Tensors are written in insertion order.
class SafetensorsWriter {
public:
    void add(const std::string& name, StDType dtype, std::vector<std::int64_t> shape, const void* data,
             std::size_t nbytes);
    void addF32(const std::string& name, std::vector<std::int64_t> shape, const std::vector<float>& values);
    void setMetadata(const std::string& key, const std::string& value) { metadata_[key] = value; }
    void write(const std::string& path) const;   // throws hone::Error naming the path
    std::vector<std::uint8_t> bytes() const;     // the whole file in memory (tests, fuzz seeds)
    std::vector<std::uint8_t> serialize() const; // the 8-byte length and the JSON header

private:
    struct Entry {
        std::string name;
        StDType dtype;
        std::vector<std::int64_t> shape;
        std::vector<std::uint8_t> bytes;
    };
    std::vector<Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

} // namespace hone
