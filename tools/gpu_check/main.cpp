// hone_gpu_check: what a GPU machine runs to check the engine on its GPU (scripts/gpu-machine-check.sh).
// Qt-free. One JSON object per line, on stdout and appended to --out:
//   backend        which kernels serve the device (built-in CUDA/HIP ones; the CPU emulation in a CPU build)
//   op             each fused training op through Hone's kernels vs LibTorch's ops, F32 and BF16
//   forward        logits of a prompt on the device vs on the CPU (F32)
//   generate       24 greedy tokens on the device vs on the CPU
//   lora_step      a LoRA loss and its adapter gradients, kernels vs LibTorch's ops, and device vs CPU
//   train_bench    (with --bench-model) Hone's LoRA training step on the device: tokens/s, peak memory
//                  (--bench-only: the backend line and this, nothing else)
// Exit status 0 when every check passed, 1 when one failed, 2 on bad arguments or a failure to run.
// Without --model it writes a small random Llama to a temporary folder.
#include "common/error.h"
#include "common/json.h"
#include "device/torch_device.h"
#include "gpu_checks.h"
#include "infer/random_model.h"
#include "train/gpu_kernel_backend.h"
#include "train/gpu_kernel_ops_torch.h"
#include "train/train_bench.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace fs = std::filesystem;
using namespace hone;

namespace {

struct Args {
    std::string device = "cuda";
    std::string model, out, benchModel, benchDtype = "bf16";
    int benchBatch = 4, benchSeq = 512, benchSteps = 10;
    bool benchOnly = false;
};

std::ofstream gOut;
bool gAllPassed = true;

void emit(Json j) {
    if (j.contains("pass") && !j["pass"].get<bool>()) gAllPassed = false;
    const std::string line = j.dump();
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    if (gOut.is_open()) gOut << line << '\n' << std::flush;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw Error(k + " needs a value");
            return argv[++i];
        };
        if (k == "--device")
            a.device = value();
        else if (k == "--model")
            a.model = value();
        else if (k == "--out")
            a.out = value();
        else if (k == "--bench-model")
            a.benchModel = value();
        else if (k == "--bench-dtype")
            a.benchDtype = value();
        else if (k == "--bench-batch")
            a.benchBatch = std::stoi(value());
        else if (k == "--bench-seq")
            a.benchSeq = std::stoi(value());
        else if (k == "--bench-steps")
            a.benchSteps = std::stoi(value());
        else if (k == "--bench-only")
            a.benchOnly = true;
        else
            throw Error(
                "unknown argument " + k +
                "; usage: hone_gpu_check [--device cuda|cpu] [--model DIR] [--out FILE] [--bench-model DIR "
                "--bench-dtype bf16|f32 --bench-batch B --bench-seq T --bench-steps N [--bench-only]]");
    }
    return a;
}

// A small random Llama (GQA, untied embeddings) for the checks when no model is given.
std::string writeSmallModel() {
    const fs::path dir = fs::temp_directory_path() / ("hone-gpu-check-model-" + std::to_string(::getpid()));
    Json c = benchLlamaConfig(2, 256, false);
    c["hidden_size"] = 128;
    c["intermediate_size"] = 256;
    c["num_attention_heads"] = 4;
    c["num_key_value_heads"] = 2;
    c["max_position_embeddings"] = 256;
    writeRandomModel(dir.string(), c, 7, 0.08f);
    return dir.string();
}

std::vector<std::int32_t> greedy(const Transformer& m, std::vector<std::int32_t> prompt, int n) {
    KvCache cache;
    std::vector<std::int32_t> out;
    torch::Tensor logits = m.forward(prompt, cache);
    for (int i = 0; i < n; ++i) {
        const auto next = static_cast<std::int32_t>(logits.argmax().item<std::int64_t>());
        out.push_back(next);
        logits = m.forward({next}, cache);
    }
    return out;
}

void deviceAgainstCpu(const std::string& modelDir, const DeviceSpec& device) {
    auto onDevice = loadTransformer(modelDir, device, DType::F32);
    auto onCpu = loadTransformer(modelDir, DeviceSpec::parse("cpu"), DType::F32);
    const std::vector<std::int32_t> prompt = {1,   17, 42, 99, 3,
                                              120, 64, 5,  77, 200 % onCpu->config().vocabSize};
    KvCache c1, c2;
    const torch::Tensor a = onDevice->forward(prompt, c1, true), b = onCpu->forward(prompt, c2, true);
    const double diff = (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
    emit({{"check", "forward"},
          {"model", modelDir},
          {"max_rel_diff", diff},
          {"tolerance", 1e-4},
          {"pass", diff <= 1e-4}});
    const auto ga = greedy(*onDevice, prompt, 24), gb = greedy(*onCpu, prompt, 24);
    int same = 0;
    while (same < 24 && ga[static_cast<std::size_t>(same)] == gb[static_cast<std::size_t>(same)]) ++same;
    emit({{"check", "generate"}, {"tokens", 24}, {"same_prefix", same}, {"pass", same == 24}});

    const gpucheck::ParityRow kernels = gpucheck::loraStepParity(onDevice, "f32", 1e-4);
    emit({{"check", "lora_step"},
          {"compare", "kernels_vs_libtorch"},
          {"max_rel_diff", kernels.maxRelDiff},
          {"tolerance", kernels.tolerance},
          {"launches", kernels.launches},
          {"pass", kernels.pass()}});
    // Device vs CPU (each side on its default path: the GPU through the kernels when they serve it).
    const double crossDevice =
        gpucheck::maxRelDiff(gpucheck::loraLossAndGrads(onDevice), gpucheck::loraLossAndGrads(onCpu));
    emit({{"check", "lora_step"},
          {"compare", "device_vs_cpu"},
          {"max_rel_diff", crossDevice},
          {"tolerance", 1e-4},
          {"pass", crossDevice <= 1e-4}});
}

} // namespace

int main(int argc, char** argv) {
    try {
        const Args a = parse(argc, argv);
        if (!a.out.empty()) gOut.open(a.out, std::ios::app);
        const DeviceSpec device = DeviceSpec::parse(a.device);
#ifdef HONE_GPU_CHECK_EMULATION
        // A CPU-only build: the kernels' sources compiled for the CPU emulation serve CPU tensors (a dry
        // run).
        static const GpuKernelBackend emulation = gpucheck::cpuEmulationBackend();
        setGpuKernelBackend(&emulation);
#endif
        const GpuKernelBackend* b = gpuKernelBackend();
        const torch::Device dev = toTorchDevice(device);
        const bool usable = gpuk::useGpuKernels(torch::empty({1}, torch::TensorOptions().device(dev)));
        emit({{"check", "backend"},
              {"device", a.device},
              {"kernels", b ? b->name : "none"},
              {"architectures", b ? b->architectures : ""},
              {"summary", gpuKernelSummary()},
              {"probe_failure", gpuk::lastProbeFailure()},
              {"mode", kernelMode() == KernelMode::Off ? "off (HONE_KERNELS=off)" : "auto"},
              {"pass", usable || kernelMode() == KernelMode::Off}}); // off on purpose: LibTorch's ops

        if (!a.benchOnly) {
            for (torch::Dtype dt : {torch::kFloat32, torch::kBFloat16})
                for (const auto& r : gpucheck::fusedOpParity(dev, dt))
                    emit({{"check", "op"},
                          {"op", r.check},
                          {"dtype", r.dtype},
                          {"max_rel_diff", r.maxRelDiff},
                          {"tolerance", r.tolerance},
                          {"launches", r.launches},
                          {"pass", r.pass()}});
            // The temporary model is removed however the checks end (a failed check throws).
            struct RemoveOnExit {
                std::string dir;
                ~RemoveOnExit() {
                    std::error_code ec;
                    if (!dir.empty()) fs::remove_all(dir, ec);
                }
            } temporary{a.model.empty() ? writeSmallModel() : std::string()};
            deviceAgainstCpu(a.model.empty() ? temporary.dir : a.model, device);
        }

        if (!a.benchModel.empty()) {
            TrainBenchOptions o;
            o.modelDir = a.benchModel;
            o.device = device;
            o.dtype = a.benchDtype == "f32" ? DType::F32 : DType::BF16;
            o.batch = a.benchBatch;
            o.seq = a.benchSeq;
            o.steps = a.benchSteps;
            // The CPU emulation is for correctness only: a dry run times LibTorch's path instead.
            const KernelMode before = kernelMode();
            if (b && b->servesCpuTensors) setKernelMode(KernelMode::Off);
            const TrainBenchResult r = runTrainBench(o);
            setKernelMode(before);
            emit({{"check", "train_bench"},
                  {"model", a.benchModel},
                  {"dtype", a.benchDtype},
                  {"batch", o.batch},
                  {"seq", o.seq},
                  {"steps", o.steps},
                  {"tokens_per_s", r.tokensPerS},
                  {"step_s", r.stepS},
                  {"peak_device_bytes", r.peakDeviceBytes},
                  {"peak_rss_bytes", r.peakRssBytes},
                  {"loss_first", r.lossFirst},
                  {"loss_last", r.lossLast},
                  {"kernels", kernelMode() == KernelMode::Auto && usable && !(b && b->servesCpuTensors)},
                  {"pass", std::isfinite(r.lossLast)}});
        }
        return gAllPassed ? 0 : 1;
    } catch (const std::exception& e) {
        emit({{"check", "error"}, {"message", e.what()}, {"pass", false}});
        return 2;
    }
}
