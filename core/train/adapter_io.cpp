// Adapter and checkpoint files: safetensors in and out of torch tensors, durable writes, atomic folders.
#include "train/adapter_io_torch.h"

#include "common/error.h"
#include "model/safetensors_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace hone {

namespace fs = std::filesystem;

namespace {

void writeAllAndSync(const std::string& path, const std::uint8_t* data, std::size_t size,
                     const std::vector<std::pair<const std::uint8_t*, std::size_t>>& more = {}) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
    auto put = [&](const std::uint8_t* p, std::size_t n) {
        while (n > 0) {
            ssize_t w = ::write(fd, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                const int e = errno;
                ::close(fd);
                throw Error("cannot write " + path + ": " + std::strerror(e) +
                            (e == ENOSPC ? " (the disk is full; free space and resume the run)" : ""));
            }
            p += w;
            n -= static_cast<std::size_t>(w);
        }
    };
    put(data, size);
    for (const auto& [p, n] : more) put(p, n);
    if (::fsync(fd) != 0) {
        const int e = errno;
        ::close(fd);
        throw Error("cannot flush " + path + " to disk: " + std::strerror(e));
    }
    ::close(fd);
}

void syncDir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

StDType stTypeOf(const torch::Tensor& t) {
    switch (t.scalar_type()) {
    case torch::kFloat32:
        return StDType::F32;
    case torch::kFloat64:
        return StDType::F64;
    case torch::kBFloat16:
        return StDType::BF16;
    case torch::kFloat16:
        return StDType::F16;
    case torch::kInt64:
        return StDType::I64;
    case torch::kInt32:
        return StDType::I32;
    case torch::kUInt8:
        return StDType::U8;
    default:
        throw Error(std::string("cannot store a tensor of type ") + c10::toString(t.scalar_type()));
    }
}

c10::ScalarType torchTypeOf(StDType t, const std::string& file, const std::string& name) {
    switch (t) {
    case StDType::F32:
        return torch::kFloat32;
    case StDType::F64:
        return torch::kFloat64;
    case StDType::BF16:
        return torch::kBFloat16;
    case StDType::F16:
        return torch::kFloat16;
    case StDType::I64:
        return torch::kInt64;
    case StDType::I32:
        return torch::kInt32;
    case StDType::U8:
        return torch::kUInt8;
    default:
        throw Error(file + ": tensor '" + name + "' has unsupported dtype " + stDTypeName(t));
    }
}

} // namespace

void writeTensorsFile(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
    SafetensorsWriter w;
    for (const auto& [k, v] : metadata) w.setMetadata(k, v);
    std::vector<torch::Tensor> keep;
    for (const auto& [name, t] : tensors) {
        torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
        keep.push_back(c);
        w.add(name, stTypeOf(c), c.sizes().vec(), c.data_ptr(), static_cast<std::size_t>(c.nbytes()));
    }
    const auto bytes = w.bytes();
    writeAllAndSync(path, bytes.data(), bytes.size());
}

std::map<std::string, torch::Tensor> readTensorsFile(const std::string& path) {
    SafetensorsFile f = SafetensorsFile::open(path);
    std::map<std::string, torch::Tensor> out;
    for (const auto& t : f.tensors()) {
        auto st = torchTypeOf(t.dtype, path, t.name);
        auto view =
            torch::from_blob(const_cast<std::uint8_t*>(t.data), t.shape, torch::TensorOptions().dtype(st));
        out[t.name] = view.clone();
    }
    return out;
}

void writeFileDurably(const std::string& path, const std::string& text) {
    writeAllAndSync(path, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

void replaceFolderAtomically(const std::string& finalDir,
                             const std::function<void(const std::string&)>& fill) {
    const fs::path target(finalDir);
    const fs::path parent = target.parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw Error("cannot create folder " + parent.string() + ": " + ec.message());
    // Leftovers of an interrupted write.
    for (const auto& e : fs::directory_iterator(parent, ec)) {
        const std::string n = e.path().filename().string();
        if (n.rfind(target.filename().string() + ".tmp-", 0) == 0 ||
            n.rfind(target.filename().string() + ".old-", 0) == 0)
            fs::remove_all(e.path(), ec);
    }
    const fs::path tmp = parent / (target.filename().string() + ".tmp-" + std::to_string(::getpid()));
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec) throw Error("cannot create folder " + tmp.string() + ": " + ec.message());
    try {
        fill(tmp.string());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    syncDir(tmp.string());
    fs::path old;
    if (fs::exists(target)) {
        old = parent / (target.filename().string() + ".old-" + std::to_string(::getpid()));
        fs::rename(target, old, ec);
        if (ec) throw Error("cannot replace " + target.string() + ": " + ec.message());
    }
    fs::rename(tmp, target, ec);
    if (ec) throw Error("cannot move " + tmp.string() + " to " + target.string() + ": " + ec.message());
    syncDir(parent.string());
    if (!old.empty()) fs::remove_all(old, ec);
}

Json peftAdapterConfig(int rank, double alpha, double dropout, bool rslora,
                       const std::vector<std::string>& targets, const std::string& baseModel,
                       bool savesEmbeddings) {
    Json j;
    j["peft_type"] = "LORA";
    j["task_type"] = "CAUSAL_LM";
    j["base_model_name_or_path"] = baseModel;
    j["r"] = rank;
    j["lora_alpha"] = alpha;
    j["lora_dropout"] = dropout;
    j["use_rslora"] = rslora;
    j["target_modules"] = targets;
    j["bias"] = "none";
    j["fan_in_fan_out"] = false;
    j["inference_mode"] = true;
    j["init_lora_weights"] = true;
    j["use_dora"] = false;
    j["modules_to_save"] = savesEmbeddings ? Json({"embed_tokens", "lm_head"}) : Json(nullptr);
    j["layers_to_transform"] = nullptr;
    j["layers_pattern"] = nullptr;
    j["rank_pattern"] = Json::object();
    j["alpha_pattern"] = Json::object();
    j["revision"] = nullptr;
    return j;
}

} // namespace hone
