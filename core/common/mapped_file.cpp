// Implementation of MappedFile and readTextFile on POSIX mmap/read.
#include "common/mapped_file.h"

#include "common/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hone {

namespace {
std::string sysError(const std::string& what, const std::string& path) {
    return what + " '" + path + "': " + std::strerror(errno);
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};
} // namespace

MappedFile::MappedFile(const std::string& path)
    : path_(path) {
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) throw Error(sysError("cannot open", path));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) throw Error(sysError("cannot stat", path));
    if (!S_ISREG(st.st_mode)) throw Error("not a regular file: '" + path + "'");
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) return;
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, f.fd, 0);
    if (p == MAP_FAILED) {
        size_ = 0;
        throw Error(sysError("cannot map", path));
    }
    data_ = static_cast<const std::uint8_t*>(p);
}

MappedFile::~MappedFile() {
    release();
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_))
    , data_(other.data_)
    , size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        path_ = std::move(other.path_);
        data_ = other.data_;
        size_ = other.size_;
        other.data_ = nullptr;
        other.size_ = 0;
    }
    return *this;
}

void MappedFile::release() noexcept {
    if (data_) ::munmap(const_cast<std::uint8_t*>(data_), size_);
    data_ = nullptr;
    size_ = 0;
}

std::string readTextFile(const std::string& path, std::size_t maxBytes) {
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) throw Error(sysError("cannot open", path));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) throw Error(sysError("cannot stat", path));
    if (S_ISDIR(st.st_mode)) throw Error("'" + path + "' is a folder, expected a file");
    if (static_cast<std::size_t>(st.st_size) > maxBytes)
        throw Error("'" + path + "' is too large (" + std::to_string(st.st_size) + " bytes, limit " +
                    std::to_string(maxBytes) + ")");
    std::string out;
    out.reserve(static_cast<std::size_t>(st.st_size));
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(sysError("cannot read", path));
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > maxBytes)
            throw Error("'" + path + "' is too large (limit " + std::to_string(maxBytes) + ")");
    }
    return out;
}

void releaseMappedPages(const void* data, std::uint64_t size) noexcept {
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t first = (begin + page - 1) / page * page, last = (begin + size) / page * page;
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

} // namespace hone
