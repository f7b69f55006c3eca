// Minimal GGUF v3 writer: metadata and raw tensor blocks. Used by tests that craft files and for exports.
#pragma once

#include "model/gguf_file.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

class GgufWriter {
public:
    void setU32(const std::string& key, std::uint32_t v);
    void setI32(const std::string& key, std::int32_t v);
    void setU64(const std::string& key, std::uint64_t v);
    void setF32(const std::string& key, float v);
    void setBool(const std::string& key, bool v);
    void setString(const std::string& key, const std::string& v);
    void setStringArray(const std::string& key, const std::vector<std::string>& v);
    void setF32Array(const std::string& key, const std::vector<float>& v);
    void setI32Array(const std::string& key, const std::vector<std::int32_t>& v);
    // dims in ggml order (innermost first); bytes must match the type's block layout.
    void addTensor(const std::string& name, std::uint32_t ggmlType, std::vector<std::uint64_t> dims,
                   std::vector<std::uint8_t> bytes);
    // A tensor whose `nbytes` bytes the caller streams after serializeHeader() (each followed by zero padding
    // to the alignment): for exports that never hold all tensors in memory.
    void addTensorInfo(const std::string& name, std::uint32_t ggmlType, std::vector<std::uint64_t> dims,
                       std::uint64_t nbytes);
    void setAlignment(std::uint32_t a) { alignment_ = a; }
    void setVersion(std::uint32_t v) { version_ = v; }

    std::vector<std::uint8_t> serialize() const;
    // Magic, metadata and tensor directory, zero-padded to the alignment: the file up to its data section.
    std::vector<std::uint8_t> serializeHeader() const;
    std::uint32_t alignment() const { return alignment_; }
    void write(const std::string& path) const;

private:
    struct Tensor {
        std::string name;
        std::uint32_t type;
        std::vector<std::uint64_t> dims;
        std::vector<std::uint8_t> bytes; // empty for addTensorInfo tensors
        std::uint64_t nbytes = 0;
    };
    std::vector<std::vector<std::uint8_t>> kv_; // serialized key/value records
    std::vector<Tensor> tensors_;
    std::uint32_t alignment_ = 32;
    std::uint32_t version_ = 3;
};

} // namespace hone
