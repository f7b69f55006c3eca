// The table of supported architectures and lookups into it.
#include "model/arch_registry.h"

namespace hone {

const std::vector<ArchSpec>& architectures() {
    static const std::vector<ArchSpec> all = {llamaArch(), mistralArch(), qwen2Arch(),
                                              qwen3Arch(), gemma2Arch(),  gemma3Arch()};
    return all;
}

const ArchSpec* findArchByModelType(const std::string& modelType) {
    for (const auto& a : architectures())
        for (const auto& t : a.modelTypes)
            if (t == modelType) return &a;
    return nullptr;
}

const ArchSpec* findArchByGguf(const std::string& ggufArch) {
    for (const auto& a : architectures())
        if (a.ggufArch == ggufArch) return &a;
    return nullptr;
}

std::string supportedModelTypes() {
    std::string s;
    for (const auto& a : architectures())
        for (const auto& t : a.modelTypes) s += (s.empty() ? "" : ", ") + t;
    return s;
}

} // namespace hone
