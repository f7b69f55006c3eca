// Classifies the mapped BLAS library by its path, and asks OpenBLAS for its build config when it is loaded.
#include "system/blas_probe.h"

#include <dlfcn.h>
#include <sstream>

namespace hone {

namespace {
bool contains(const std::string& s, const char* part) {
    return s.find(part) != std::string::npos;
}

BlasInfo classify(const std::string& path) {
    BlasInfo b;
    b.path = path;
    if (contains(path, "openblas-openmp"))
        b = {BlasKind::OpenBlasOpenMp, "OpenBLAS (OpenMP)", path, {}};
    else if (contains(path, "openblas-pthread"))
        b = {BlasKind::OpenBlasPthread, "OpenBLAS (pthreads)", path, {}};
    else if (contains(path, "openblas-serial"))
        b = {BlasKind::OpenBlasSerial, "OpenBLAS (serial)", path, {}};
    else if (contains(path, "mkl"))
        b = {BlasKind::Mkl, "Intel MKL", path, {}};
    else if (contains(path, "blis"))
        b = {BlasKind::Blis, "BLIS", path, {}};
    else if (contains(path, "openblas"))
        b = {BlasKind::OpenBlasPthread, "OpenBLAS", path, {}};
    else if (contains(path, "/blas/libblas"))
        b = {BlasKind::Reference, "reference BLAS (netlib)", path, {}};
    else
        b = {BlasKind::Other, "BLAS at " + path, path, {}};
    return b;
}
} // namespace

BlasInfo probeBlas(const SystemRoot& root) {
    BlasInfo found;
    auto maps = root.readFile("/proc/self/maps", 16 << 20);
    if (!maps) return found;
    std::istringstream in(*maps);
    std::string line;
    while (std::getline(in, line)) {
        auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        std::string path = line.substr(slash);
        auto file = path.substr(path.rfind('/') + 1);
        if (file.rfind("libblas.so", 0) == 0 || file.rfind("libmkl_rt", 0) == 0 ||
            file.rfind("libblis", 0) == 0) {
            found = classify(path);
            break;
        }
    }
    if (found.kind == BlasKind::None) return found;
    if (root.isReal() && (found.kind == BlasKind::OpenBlasOpenMp || found.kind == BlasKind::OpenBlasPthread ||
                          found.kind == BlasKind::OpenBlasSerial)) {
        using ConfigFn = char* (*)();
        if (auto fn = reinterpret_cast<ConfigFn>(::dlsym(RTLD_DEFAULT, "openblas_get_config")))
            found.config = fn();
    }
    return found;
}

} // namespace hone
