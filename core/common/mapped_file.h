// Read-only memory mapping of a whole file, for model weights and other large downloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hone {

// Maps a file read-only (MAP_PRIVATE). An empty file maps to size() == 0 and data() == nullptr.
// Throws hone::Error naming the path when the file cannot be opened or mapped.
class MappedFile {
public:
    MappedFile() = default;
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }
    const std::string& path() const { return path_; }

private:
    void release() noexcept;
    std::string path_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

// Reads a whole (small) file into a string; throws hone::Error naming the path on failure.
std::string readTextFile(const std::string& path, std::size_t maxBytes = std::size_t(1) << 30);

// Lets the kernel drop the resident pages of [data, data + size) inside a read-only file mapping (whole pages
// only); they are read again from the file if touched. Streaming writers call it after each tensor so the
// process never ends up holding the whole model.
void releaseMappedPages(const void* data, std::uint64_t size) noexcept;

} // namespace hone
