// Every setting of a training run as the user gives it (CLI flags, a --config JSON/YAML file, the GUI form),
// its validation with messages that say what is wrong and what to do, and its JSON form (stored with the run
// and in the run folder, so a run can be resumed and compared). Torch-free.
#pragma once

#include "common/json.h"
#include "train/lora_config.h"

#include <cstdint>
#include <string>

namespace hone {

struct TrainOptions {
    // What to train on.
    std::string modelPath;           // Hugging Face model folder (config.json + safetensors + tokenizer.json)
    std::string dataPath;            // JSONL / JSON / CSV
    std::string evalDataPath;        // optional separate validation file
    std::string format;              // "" = detect; alpaca | sharegpt | messages | text | prompt-completion
    std::string templateName;        // "" = the model's chat template; or a built-in one (alpaca, chatml)
    std::string trainOn = "auto";    // auto (assistant for chat data) | assistant | all
    std::string truncation = "drop"; // drop | right (examples longer than maxSeqLen)
    std::string initAdapter;         // "" = a fresh adapter; else a PEFT/run folder the LoRA starts from

    LoraConfig lora;

    // Optimisation.
    double lr = 2e-4;
    std::string schedule = "linear"; // constant | linear | cosine
    std::int64_t warmupSteps = 0;
    double warmupRatio = 0.0; // used when warmupSteps is 0
    double weightDecay = 0.0;
    double beta1 = 0.9, beta2 = 0.999, adamEps = 1e-8;
    double maxGradNorm = 1.0; // 0 = no clipping
    int epochs = 1;
    std::int64_t maxSteps = 0; // > 0 overrides epochs
    int batchSize = 1;
    int gradAccum = 1;
    int maxSeqLen = 1024;
    bool packing = false;
    bool gradientCheckpointing = false;
    std::uint64_t seed = 42;

    // Evaluation and checkpoints.
    double evalSplit = 0.0;     // fraction held out when there is no evalDataPath
    std::int64_t evalEvery = 0; // steps; 0 = only at the end
    std::int64_t saveEvery = 0; // steps; 0 = only on stop and at the end
    int keepCheckpoints = 3;    // newest checkpoints kept; 0 = all

    // Where and how.
    std::string device = "auto"; // auto | cpu | cuda | cuda:N
    std::string dtype = "auto";  // auto (bf16 on GPUs that have it, else f32) | f32 | bf16 | f16
    int threads = 0;             // CPU threads; 0 = all cores
    std::string outDir;          // the run folder
    std::string runName;

    Json toJson() const;
    // Unknown keys are an error (a typo must not silently train with a default); names as in toJson(),
    // which are the CLI flag names with '-' (e.g. "lora-rank").
    static TrainOptions fromJson(const Json& j, const std::string& source);
    // Throws hone::Error naming the setting, the value and the accepted range.
    void validate() const;
};

// Reads a --config file: JSON, or the YAML subset people write for configs (`key: value` lines, `#`
// comments, lists as `[a, b]` or `- item` lines). Throws hone::Error naming the file and line.
Json readConfigFile(const std::string& path);

} // namespace hone
