// GGUF container parser (v2/v3): metadata key/values and tensor directory, fully validated before use.
// Torch-free (hone_formats); tokenizers read their vocabularies from it, the engine its weights.
#pragma once

#include "common/mapped_file.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hone {

// GGUF metadata value types (as stored in the file).
enum class GgufType : std::uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};
const char* ggufTypeName(GgufType t);

// ggml tensor types Hone knows the block layout of (size only, or also dequantisation; see ggml_dequant.h).
enum class GgmlType : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
};
// Elements per block and bytes per block; false for an unknown type id.
bool ggmlTypeLayout(std::uint32_t type, std::uint64_t* blockElems, std::uint64_t* blockBytes);
std::string ggmlTypeName(std::uint32_t type); // "Q4_K", or "type 99" when unknown

// One metadata value. Scalars are widened (u/i/f); strings and arrays point into the file's memory, which the
// owning GgufFile keeps alive.
struct GgufValue {
    GgufType type = GgufType::U8;
    std::uint64_t u = 0;  // unsigned ints, bool
    std::int64_t i = 0;   // signed ints
    double f = 0.0;       // floats
    std::string_view str; // String
    // Array: element type and count; fixed-size elements are at arrayData (little-endian, unaligned);
    // string elements are in strings.
    GgufType elemType = GgufType::U8;
    std::uint64_t count = 0;
    const std::uint8_t* arrayData = nullptr;
    std::vector<std::string_view> strings;

    bool isInteger() const;
    bool isFloat() const;
};

struct GgufTensor {
    std::string name;
    std::uint32_t type = 0;          // GgmlType value
    std::vector<std::uint64_t> dims; // ggml order: dims[0] is the innermost (contiguous) dimension
    std::uint64_t offset = 0;        // from the start of the data section
    std::uint64_t fileOffset = 0;    // from the start of the file
    std::uint64_t nbytes = 0;
    std::uint64_t elements = 0;
    const std::uint8_t* data = nullptr; // inside the mapping
    // Row-major shape (outermost first), i.e. dims reversed: what safetensors/torch call the shape.
    std::vector<std::int64_t> shape() const;
};

class GgufFile {
public:
    // Memory-maps and parses `path`. Throws hone::Error naming the file and the field at fault.
    static GgufFile open(const std::string& path);
    // Parses a copy of `bytes` (fuzzing, tests). `name` is used in error messages.
    static GgufFile fromMemory(const std::uint8_t* bytes, std::size_t size,
                               const std::string& name = "<memory>");

    GgufFile(GgufFile&&) noexcept = default;
    GgufFile& operator=(GgufFile&&) noexcept = default;

    const std::string& path() const { return path_; }
    std::uint32_t version() const { return version_; }
    std::uint64_t alignment() const { return alignment_; }
    std::uint64_t dataOffset() const { return dataOffset_; }
    std::size_t fileSize() const { return size_; }

    bool has(const std::string& key) const { return kv_.count(key) != 0; }
    const GgufValue* find(const std::string& key) const;  // nullptr when absent
    const GgufValue& value(const std::string& key) const; // throws when absent
    const std::vector<std::string>& keys() const { return keyOrder_; }

    // Typed getters: throw hone::Error (file, key, actual type) when absent or of an incompatible type.
    // Integer getters accept any integer width (and bool); getF64 accepts floats and integers.
    std::string getString(const std::string& key) const;
    std::uint64_t getU64(const std::string& key) const;
    std::int64_t getI64(const std::string& key) const;
    double getF64(const std::string& key) const;
    bool getBool(const std::string& key) const;
    std::vector<std::string> getStringArray(const std::string& key) const;
    const std::vector<std::string_view>& getStringArrayView(const std::string& key) const;
    std::vector<float> getF32Array(const std::string& key) const; // from any float or integer array
    std::vector<std::int32_t>
    getI32Array(const std::string& key) const; // from any integer array (range-checked)
    // With defaults when the key is absent (still throws on a wrong type).
    std::string getStringOr(const std::string& key, const std::string& def) const;
    std::uint64_t getU64Or(const std::string& key, std::uint64_t def) const;
    double getF64Or(const std::string& key, double def) const;

    const std::vector<GgufTensor>& tensors() const { return tensors_; }
    const GgufTensor* findTensor(const std::string& name) const;

private:
    GgufFile() = default;
    void parse();
    [[noreturn]] void fail(const std::string& what) const;

    std::string path_;
    MappedFile map_;
    std::vector<std::uint8_t> owned_;
    const std::uint8_t* base_ = nullptr;
    std::size_t size_ = 0;
    std::uint32_t version_ = 0;
    std::uint64_t alignment_ = 32;
    std::uint64_t dataOffset_ = 0;
    std::map<std::string, GgufValue> kv_;
    std::vector<std::string> keyOrder_;
    std::vector<GgufTensor> tensors_;
    std::map<std::string, std::size_t> tensorIndex_;
};

} // namespace hone
