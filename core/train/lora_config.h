// LoRA settings as a user gives them (rank, alpha, dropout, rsLoRA, target modules) and their validation.
// Torch-free: the CLI, the GUI form and the run store use it.
#pragma once

#include <string>
#include <vector>

namespace hone {

struct LoraConfig {
    int rank = 16;
    double alpha = 32;
    double dropout = 0.0;
    bool rslora = false; // scale alpha/sqrt(rank) instead of alpha/rank
    // Projection names as in Hugging Face checkpoints, or {"all-linear"}.
    std::vector<std::string> targets = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                        "gate_proj", "up_proj", "down_proj"};

    double scale() const;
    // Throws hone::Error (what is wrong, what to do) for rank <= 0, alpha <= 0, dropout outside [0, 1),
    // unknown target names, or an empty target list.
    void validate() const;
    // The targets with "all-linear" expanded.
    std::vector<std::string> expandedTargets() const;
    // Throws hone::Error when rank exceeds min(in, out) of a layer it applies to.
    void checkFits(const std::string& module, long long in, long long out) const;
};

// All projection names Hone can put LoRA on.
const std::vector<std::string>& loraTargetNames();
// "q_proj,v_proj" -> {"q_proj", "v_proj"}.
std::vector<std::string> parseLoraTargets(const std::string& commaList);

} // namespace hone
