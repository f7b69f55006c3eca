// Reads KFD/DRM sysfs, /proc/driver/nvidia and (on the real root) the CUDA driver through dlopen, so the
// probe works whatever LibTorch was built for.
#include "system/gpu_probe.h"

#include <cstdlib>
#include <dlfcn.h>
#include <sstream>

namespace hone {

bool GpuProbe::hasAmd() const {
    for (const auto& g : gpus)
        if (g.vendor == "AMD") return true;
    return false;
}

bool GpuProbe::hasNvidia() const {
    for (const auto& g : gpus)
        if (g.vendor == "NVIDIA") return true;
    return !nvidiaKernelDriver.empty();
}

std::string gfxTargetName(unsigned long v) {
    unsigned long major = v / 10000, minor = (v / 100) % 100, step = v % 100;
    const char* hex = "0123456789abcdef";
    std::string s = "gfx" + std::to_string(major) + std::to_string(minor);
    s += step < 16 ? std::string(1, hex[step]) : std::to_string(step);
    return s;
}

namespace {

// "key value" lines of a KFD properties file.
unsigned long long propertyValue(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    std::string k;
    unsigned long long v = 0;
    while (in >> k >> v)
        if (k == key) return v;
    return 0;
}

void probeAmd(const SystemRoot& root, GpuProbe& p) {
    p.kfdPresent = root.exists("/dev/kfd");
    p.kfdAccessible = p.kfdPresent && root.readWritable("/dev/kfd");
    for (const auto& n : root.list("/dev/dri")) {
        if (n.rfind("renderD", 0) != 0) continue;
        std::string node = "/dev/dri/" + n;
        p.renderNodes.push_back(node);
        if (!root.readWritable(node)) p.renderNodesInaccessible.push_back(node);
    }
    const std::string topo = "/sys/class/kfd/kfd/topology/nodes";
    for (const auto& id : root.list(topo)) {
        auto props = root.readFile(topo + "/" + id + "/properties");
        if (!props) continue;
        unsigned long long gfx = propertyValue(*props, "gfx_target_version");
        if (gfx == 0) continue; // a CPU node
        GpuDevice g;
        g.vendor = "AMD";
        g.gfxTarget = gfxTargetName(static_cast<unsigned long>(gfx));
        unsigned long long minor = propertyValue(*props, "drm_render_minor");
        if (minor) {
            g.renderNode = "/dev/dri/renderD" + std::to_string(minor);
            std::string dev = "/sys/class/drm/renderD" + std::to_string(minor) + "/device";
            if (auto name = root.readFile(dev + "/product_name")) g.name = trimmed(*name);
            if (auto vram = root.readFile(dev + "/mem_info_vram_total"))
                g.memoryBytes = std::strtoull(trimmed(*vram).c_str(), nullptr, 10);
        }
        if (g.memoryBytes == 0)
            if (auto bank = root.readFile(topo + "/" + id + "/mem_banks/0/properties"))
                g.memoryBytes = propertyValue(*bank, "size_in_bytes");
        if (g.name.empty()) g.name = "AMD GPU (" + g.gfxTarget + ")";
        p.gpus.push_back(g);
    }
    if (auto v = root.readFile("/opt/rocm/.info/version")) p.rocmVersion = trimmed(*v);
}

// The CUDA driver API, loaded at run time so Hone has no link dependency on it.
void probeCudaDriver(GpuProbe& p) {
    void* lib = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    using InitFn = int (*)(unsigned);
    using IntFn = int (*)(int*);
    using GetFn = int (*)(int*, int);
    using NameFn = int (*)(char*, int, int);
    using MemFn = int (*)(std::size_t*, int);
    auto init = reinterpret_cast<InitFn>(::dlsym(lib, "cuInit"));
    auto version = reinterpret_cast<IntFn>(::dlsym(lib, "cuDriverGetVersion"));
    auto count = reinterpret_cast<IntFn>(::dlsym(lib, "cuDeviceGetCount"));
    auto get = reinterpret_cast<GetFn>(::dlsym(lib, "cuDeviceGet"));
    auto name = reinterpret_cast<NameFn>(::dlsym(lib, "cuDeviceGetName"));
    auto mem = reinterpret_cast<MemFn>(::dlsym(lib, "cuDeviceTotalMem_v2"));
    if (version) version(&p.cudaDriverApiVersion);
    int n = 0;
    if (init && count && get && name && init(0) == 0 && count(&n) == 0) {
        for (int i = 0; i < n; ++i) {
            int dev = 0;
            if (get(&dev, i) != 0) continue;
            GpuDevice g;
            g.vendor = "NVIDIA";
            char buf[256] = {};
            if (name(buf, sizeof buf - 1, dev) == 0) g.name = buf;
            std::size_t bytes = 0;
            if (mem && mem(&bytes, dev) == 0) g.memoryBytes = bytes;
            p.gpus.push_back(g);
        }
    }
    // The driver stays loaded: LibTorch may use it too, and unloading CUDA is not safe.
}

void probeNvidia(const SystemRoot& root, GpuProbe& p) {
    if (auto v = root.readFile("/proc/driver/nvidia/version")) {
        // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 ..."
        std::istringstream in(v->substr(0, v->find('\n')));
        std::string word;
        while (in >> word)
            if (!word.empty() && std::isdigit(static_cast<unsigned char>(word[0])) &&
                word.find('.') != std::string::npos) {
                p.nvidiaKernelDriver = word;
                break;
            }
    }
    if (root.isReal()) probeCudaDriver(p);
    if (p.hasNvidia() && !root.isReal()) {
        // Fake trees describe GPUs through /proc/driver/nvidia/gpus/<bus>/information ("Model: ...").
        for (const auto& bus : root.list("/proc/driver/nvidia/gpus")) {
            auto info = root.readFile("/proc/driver/nvidia/gpus/" + bus + "/information");
            if (!info) continue;
            GpuDevice g;
            g.vendor = "NVIDIA";
            std::istringstream in(*info);
            std::string line;
            while (std::getline(in, line))
                if (line.rfind("Model:", 0) == 0) g.name = trimmed(line.substr(6));
            p.gpus.push_back(g);
        }
    }
}

} // namespace

GpuProbe probeGpus(const SystemRoot& root) {
    GpuProbe p;
    probeAmd(root, p);
    probeNvidia(root, p);
    return p;
}

} // namespace hone
