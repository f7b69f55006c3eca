// Validation of LoRA settings.
#include "train/lora_config.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace hone {

const std::vector<std::string>& loraTargetNames() {
    static const std::vector<std::string> names = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                                   "gate_proj", "up_proj", "down_proj"};
    return names;
}

double LoraConfig::scale() const {
    return rslora ? alpha / std::sqrt(double(rank)) : alpha / double(rank);
}

std::vector<std::string> LoraConfig::expandedTargets() const {
    if (std::find(targets.begin(), targets.end(), "all-linear") != targets.end()) return loraTargetNames();
    return targets;
}

void LoraConfig::validate() const {
    if (rank <= 0)
        throw Error("LoRA rank must be at least 1 (got " + std::to_string(rank) + "); 8-64 is typical");
    if (!(alpha > 0))
        throw Error("LoRA alpha must be positive (got " + std::to_string(alpha) +
                    "); 2x the rank is typical");
    if (!(dropout >= 0 && dropout < 1))
        throw Error("LoRA dropout must be in [0, 1) (got " + std::to_string(dropout) + ")");
    if (targets.empty()) throw Error("no LoRA target modules given: use e.g. q_proj,v_proj or all-linear");
    for (const auto& t : targets) {
        if (t == "all-linear") continue;
        if (std::find(loraTargetNames().begin(), loraTargetNames().end(), t) == loraTargetNames().end()) {
            std::string known;
            for (const auto& n : loraTargetNames()) known += (known.empty() ? "" : ", ") + n;
            throw Error("LoRA target '" + t + "' matches no layer: choose from " + known + " or all-linear");
        }
    }
}

void LoraConfig::checkFits(const std::string& module, long long in, long long out) const {
    if (rank > std::min(in, out))
        throw Error("LoRA rank " + std::to_string(rank) + " is larger than " + module + " (" +
                    std::to_string(out) + " x " + std::to_string(in) + "): use a rank of at most " +
                    std::to_string(std::min(in, out)));
}

std::vector<std::string> parseLoraTargets(const std::string& commaList) {
    std::vector<std::string> out;
    std::stringstream ss(commaList);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

} // namespace hone
