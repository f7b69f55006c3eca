// Files of a training run: the PEFT adapter folder (adapter_model.safetensors with PEFT's tensor names +
// adapter_config.json, and Hone's own hone_adapter.json beside them), and checkpoints (adapter + optimizer
// state + RNG + trainer position), each written atomically: a temporary folder, fsync, rename, fsync of the
// parent. Engine-internal header.
#pragma once

#include "common/json.h"

#include <torch/types.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hone {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Writes `tensors` (moved to the CPU, contiguous) as a safetensors file and fsyncs it.
void writeTensorsFile(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// Reads every tensor of a safetensors file (copies; any dtype Hone writes). Throws hone::Error naming the
// file.
std::map<std::string, torch::Tensor> readTensorsFile(const std::string& path);

// Writes text to `path` and fsyncs it.
void writeFileDurably(const std::string& path, const std::string& text);

// Replaces `finalDir` with a folder filled by `fill(tmpDir)`, atomically: readers see the old folder or the
// new one, never a half-written one. A crash leaves at most a "<name>.tmp-<pid>" folder, removed next time.
void replaceFolderAtomically(const std::string& finalDir,
                             const std::function<void(const std::string&)>& fill);

// adapter_config.json as PEFT writes it (peft_type LORA, task_type CAUSAL_LM, r, lora_alpha, ...).
Json peftAdapterConfig(int rank, double alpha, double dropout, bool rslora,
                       const std::vector<std::string>& targets, const std::string& baseModel,
                       bool savesEmbeddings);

} // namespace hone
