// Writing export artifacts safely: files and folders are built under a temporary name next to their final
// name and renamed into place, so a failed or interrupted export never leaves a half-written artifact under
// the final name. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace hone {

// Fills "<finalDir>.tmp-<pid>" with fill(tmp) and renames it to finalDir (an existing finalDir is replaced
// once the new one is complete). Leftover temporaries of earlier interrupted exports are removed first.
// Throws hone::Error naming the folder when it cannot be created or moved; the temporary is removed on any
// failure.
void writeFolderAtomically(const std::string& finalDir, const std::function<void(const std::string&)>& fill);
// The same for one file: fill(tmpPath) writes it, then it is renamed to finalPath.
void writeFileAtomically(const std::string& finalPath, const std::function<void(const std::string&)>& fill);

// Writes text to path (created or truncated) and flushes it to disk. Throws hone::Error naming the path.
void writeTextFile(const std::string& path, const std::string& text);

// An output file written in pieces with write(2), flushed to disk by finish(). Errors name the path (and say
// the disk is full when it is).
class OutputFile {
public:
    explicit OutputFile(const std::string& path);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    void write(const void* data, std::size_t size);
    void finish(); // fsync and close
    std::uint64_t written() const { return written_; }

private:
    std::string path_;
    int fd_ = -1;
    std::uint64_t written_ = 0;
};

} // namespace hone
