// Which BLAS the process actually loaded (LibTorch links the libblas.so.3 alternative): the difference
// between ~6 and ~150 GFLOP/s on a CPU here. Reads the process's memory map.
#pragma once

#include "system/system_root.h"

#include <string>

namespace hone {

enum class BlasKind { None, Reference, OpenBlasOpenMp, OpenBlasPthread, OpenBlasSerial, Mkl, Blis, Other };

struct BlasInfo {
    BlasKind kind = BlasKind::None;
    std::string name;   // e.g. "OpenBLAS (OpenMP)"
    std::string path;   // the mapped libblas file
    std::string config; // openblas_get_config() when available
};

// Reads <root>/proc/self/maps (a fake tree may hold a maps file there).
BlasInfo probeBlas(const SystemRoot& root);

} // namespace hone
