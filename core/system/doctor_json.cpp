// JSON and text rendering of doctor reports.
#include "system/doctor_json.h"

namespace hone {

std::string severityName(Severity s) {
    switch (s) {
    case Severity::Info:
        return "info";
    case Severity::Warning:
        return "warning";
    case Severity::Error:
        return "error";
    }
    return "info";
}

Json doctorToJson(const DoctorInput& in, const DoctorReport& report) {
    Json j;
    j["torch_version"] = in.torch.version;
    j["torch_build"] = in.torch.build;
    j["torch_threads"] = in.torch.threads;
    Json devices = Json::array();
    devices.push_back({{"type", "cpu"},
                       {"name", in.host.cpuModel},
                       {"memory_bytes", in.host.memTotalBytes},
                       {"memory_available_bytes", in.host.memAvailableBytes},
                       {"cores", in.host.physicalCores},
                       {"threads", in.host.logicalCpus},
                       {"usable", true}});
    int index = 0;
    for (const auto& g : in.gpus.gpus) {
        Json d = {{"type", "cuda"},
                  {"vendor", g.vendor},
                  {"name", g.name},
                  {"memory_bytes", g.memoryBytes},
                  {"usable", index < in.torch.gpuCount}};
        if (!g.gfxTarget.empty()) d["gfx_target"] = g.gfxTarget;
        if (index < in.torch.gpuCount) d["torch_device"] = "cuda:" + std::to_string(index);
        if (g.vendor == "NVIDIA" && !in.gpus.nvidiaKernelDriver.empty())
            d["driver"] = in.gpus.nvidiaKernelDriver;
        if (g.vendor == "AMD" && !in.gpus.rocmVersion.empty()) d["rocm"] = in.gpus.rocmVersion;
        devices.push_back(d);
        ++index;
    }
    j["devices"] = devices;
    j["blas"] = in.blas.name.empty() ? "none" : in.blas.name;
    j["blas_path"] = in.blas.path;
    j["data_folder"] = in.dataFolder;
    if (!in.databasePath.empty()) j["database"] = in.databasePath;
    Json checks = Json::array();
    for (const auto& c : report.checks)
        checks.push_back({{"name", c.name},
                          {"ok", c.ok},
                          {"severity", c.ok ? "info" : severityName(c.severity)},
                          {"blocks_training", !c.ok && c.blocksTraining},
                          {"message", c.message},
                          {"fix", c.fix}});
    j["checks"] = checks;
    j["blocks_training"] = report.blocksTraining();
    return j;
}

std::string doctorToText(const DoctorInput& in, const DoctorReport& report) {
    std::string out;
    out += "LibTorch " + in.torch.version + " (" + in.torch.build +
           "), BLAS: " + (in.blas.name.empty() ? std::string("none") : in.blas.name) + "\n";
    out += "CPU: " + in.host.cpuModel + ", " + std::to_string(in.host.physicalCores) + " cores / " +
           std::to_string(in.host.logicalCpus) + " threads, " + formatBytes(in.host.memTotalBytes) + " RAM\n";
    for (const auto& g : in.gpus.gpus)
        out += "GPU: " + g.name + (g.gfxTarget.empty() ? "" : " (" + g.gfxTarget + ")") + ", " +
               formatBytes(g.memoryBytes) + "\n";
    out += "Data folder: " + in.dataFolder + "\n\n";
    for (const auto& c : report.checks) {
        const char* mark = c.ok ? "ok  " : (c.severity == Severity::Error ? "FAIL" : "warn");
        out += std::string("[") + mark + "] " + c.name + ": " + c.message + "\n";
        if (!c.ok && !c.fix.empty()) out += "       fix: " + c.fix + "\n";
    }
    out += report.blocksTraining() ? "\nSomething above blocks training.\n" : "\nReady to train.\n";
    return out;
}

} // namespace hone
