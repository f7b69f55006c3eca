// Public, torch-free handle on a loaded language model and on an inference session with a KV cache that
// reuses the longest common prefix between calls (a follow-up chat turn costs only its new tokens).
#pragma once

#include "device/compute_device.h"
#include "model/model_config.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hone {

class Transformer;
struct TransformerAdapter; // engine-internal: a LoRA adapter applied on the fly (model/transformer_torch.h)

struct ModelLoadOptions {
    DeviceSpec device;        // auto -> cuda:0 when available, else cpu
    DType dtype = DType::F32; // compute/storage dtype (F16 computes in F32 on the CPU)
};

class LanguageModel {
public:
    // PATH is a model folder (config.json + safetensors) or a .gguf file. Throws hone::Error naming the file
    // and the tensor or field at fault.
    static std::shared_ptr<LanguageModel> load(const std::string& path, const ModelLoadOptions& options = {});

    const ModelConfig& config() const;
    const std::string& path() const { return path_; }
    DeviceSpec device() const;
    DType computeDType() const;
    std::uint64_t weightBytesPerToken() const; // bytes of weights one decode step reads
    std::uint64_t parameterCount() const;

    // Engine-internal access (torch).
    const Transformer& transformer() const { return *impl_; }

private:
    std::string path_;
    std::shared_ptr<Transformer> impl_;
};

class InferenceSession {
public:
    explicit InferenceSession(std::shared_ptr<LanguageModel> model);
    ~InferenceSession();
    InferenceSession(const InferenceSession&) = delete;
    InferenceSession& operator=(const InferenceSession&) = delete;

    // Makes `ids` the cached sequence: keeps the longest common prefix with the cached ids, runs only the
    // rest in one batched forward pass, and returns how many tokens it actually processed (at least 1, so
    // that logits() belongs to the last id). Throws when ids is empty or longer than the context.
    int prefill(const std::vector<std::int32_t>& ids);
    // Appends one token (a decode step); returns 1.
    int append(std::int32_t id);
    // F32 logits of the last cached position.
    const std::vector<float>& logits() const { return logits_; }
    const std::vector<std::int32_t>& cachedIds() const { return ids_; }
    void reset();
    // Applies a LoRA adapter in every forward pass (nullptr: the base model alone); the cache is dropped
    // when the adapter changes, since its K/V were computed with the other weights.
    void setAdapter(std::shared_ptr<const TransformerAdapter> adapter);
    const TransformerAdapter* adapter() const;
    const LanguageModel& model() const { return *model_; }
    int contextLength() const;

private:
    struct State;
    std::shared_ptr<LanguageModel> model_;
    std::unique_ptr<State> state_;
    std::vector<std::int32_t> ids_;
    std::vector<float> logits_;
};

} // namespace hone
