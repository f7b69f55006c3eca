// llama.cpp tokenizer test-vector format.
#include "tokenizer/vocab_test_format.h"

namespace hone::tok {

std::vector<std::string> splitVocabTestRecords(std::string_view inp) {
    static constexpr std::string_view kSep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> out;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t p = inp.find(kSep, pos);
        if (p == std::string_view::npos) {
            if (pos < inp.size()) out.emplace_back(inp.substr(pos));
            break;
        }
        out.emplace_back(inp.substr(pos, p - pos));
        pos = p + kSep.size();
    }
    return out;
}

std::string formatVocabTestLine(std::span<const int32_t> ids) {
    std::string s;
    for (const int32_t id : ids) {
        s.push_back(' ');
        s += std::to_string(id);
    }
    return s;
}

} // namespace hone::tok
