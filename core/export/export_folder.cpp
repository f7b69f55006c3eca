// Implementation of the temporary-name-then-rename writers.
#include "export/export_folder.h"

#include "common/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace hone {

namespace fs = std::filesystem;

namespace {

void syncFolder(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// Removes "<name>.tmp-*" / "<name>.old-*" siblings left by an interrupted export.
void removeLeftovers(const fs::path& target) {
    std::error_code ec;
    const std::string base = target.filename().string();
    for (const auto& e : fs::directory_iterator(target.parent_path(), ec)) {
        const std::string n = e.path().filename().string();
        if (n.rfind(base + ".tmp-", 0) == 0 || n.rfind(base + ".old-", 0) == 0) fs::remove_all(e.path(), ec);
    }
}

fs::path targetOf(const std::string& finalPath) {
    fs::path target = fs::absolute(fs::path(finalPath)).lexically_normal();
    if (target.filename().empty()) target = target.parent_path();
    return target;
}

fs::path prepare(const std::string& finalPath, const char* suffix) {
    const fs::path target = targetOf(finalPath);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
        throw Error("cannot create the output folder " + target.parent_path().string() + ": " + ec.message() +
                    "; choose a folder you can write to");
    if (::access(target.parent_path().c_str(), W_OK) != 0)
        throw Error("cannot write to the output folder " + target.parent_path().string() + ": " +
                    std::strerror(errno) + "; choose a folder you can write to");
    removeLeftovers(target);
    return target.parent_path() / (target.filename().string() + suffix + std::to_string(::getpid()));
}

void moveIntoPlace(const fs::path& tmp, const fs::path& target) {
    std::error_code ec;
    fs::path old;
    if (fs::exists(target)) {
        old = target.parent_path() / (target.filename().string() + ".old-" + std::to_string(::getpid()));
        fs::rename(target, old, ec);
        if (ec) {
            fs::remove_all(tmp, ec);
            throw Error("cannot replace " + target.string() + ": " + ec.message());
        }
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove_all(tmp, ec);
        if (!old.empty()) fs::rename(old, target, ec);
        throw Error("cannot move " + tmp.string() + " to " + target.string() + ": " + why);
    }
    syncFolder(target.parent_path());
    if (!old.empty()) fs::remove_all(old, ec);
}

} // namespace

void writeFolderAtomically(const std::string& finalDir, const std::function<void(const std::string&)>& fill) {
    const fs::path tmp = prepare(finalDir, ".tmp-");
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec) throw Error("cannot create folder " + tmp.string() + ": " + ec.message());
    try {
        fill(tmp.string());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    syncFolder(tmp);
    moveIntoPlace(tmp, targetOf(finalDir));
}

void writeFileAtomically(const std::string& finalPath, const std::function<void(const std::string&)>& fill) {
    const fs::path tmp = prepare(finalPath, ".tmp-");
    std::error_code ec;
    try {
        fill(tmp.string());
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
    moveIntoPlace(tmp, targetOf(finalPath));
}

OutputFile::OutputFile(const std::string& path)
    : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
}

void OutputFile::write(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
        const ssize_t w = ::write(fd_, p, size);
        if (w < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            throw Error(
                "cannot write " + path_ + ": " + std::strerror(e) +
                (e == ENOSPC ? " (the disk is full; free space or choose another output folder)" : ""));
        }
        p += w;
        size -= static_cast<std::size_t>(w);
        written_ += static_cast<std::uint64_t>(w);
    }
}

void OutputFile::finish() {
    if (fd_ < 0) return;
    if (::fsync(fd_) != 0) {
        const int e = errno;
        ::close(fd_);
        fd_ = -1;
        throw Error("cannot flush " + path_ + " to disk: " + std::strerror(e));
    }
    ::close(fd_);
    fd_ = -1;
}

void writeTextFile(const std::string& path, const std::string& text) {
    OutputFile f(path);
    f.write(text.data(), text.size());
    f.finish();
}

} // namespace hone
