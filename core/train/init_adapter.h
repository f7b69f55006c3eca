// `hone train --init-adapter DIR`: a new run whose LoRA starts from an existing PEFT adapter (made by Hone or
// by PEFT) instead of PEFT's random A / zero B. The adapter decides the LoRA shape (rank, alpha, rsLoRA,
// target modules) and, when the run names no template, the template it was trained with; the optimizer starts
// fresh (this is not a resume). Torch-free.
#pragma once

#include "train/train_options.h"

#include <string>

namespace hone {

struct ModelConfig;

// The adapter folder that `path` names: a PEFT folder (adapter_model.safetensors), or a Hone run or
// checkpoint folder holding one in adapter/. Throws hone::Error saying what to pass otherwise.
std::string initAdapterFolder(const std::string& path);

// Copies the adapter's LoRA shape into o.lora (rank, alpha, rsLoRA, the modules its tensors target) and its
// template into o.templateName when that is empty. Nothing when o.initAdapter is empty. Throws hone::Error
// for an adapter that cannot be read (PeftAdapter::open's messages).
void takeInitAdapterShape(TrainOptions& o);

// Before the weights load: the adapter must fit the base (every tensor's shape, named with both shapes when
// not) and add exactly the tokens this run adds (`newTokens`); adapters that retrain whole embedding or
// lm_head matrices (PEFT modules_to_save without added tokens) are refused, since a LoRA run would drop them.
void checkInitAdapter(const TrainOptions& o, const ModelConfig& cfg, int newTokens);

} // namespace hone
