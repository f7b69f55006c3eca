// A fast path for loading big tokenizer.json files: a small structural JSON scanner finds model.vocab (object
// of token -> id) and model.merges and decodes them directly, leaving nlohmann::json only the small
// remainder. Anything unexpected makes it give up (nullopt) so that the full parser reports the precise
// error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hone::tok {

struct ScannedModel {
    std::string rest;               // the document with model.vocab -> {} and model.merges -> []
    std::vector<std::string> vocab; // by id (holes are empty)
    std::vector<std::pair<std::string, std::string>> merges;
    bool hasVocab = false, hasMerges = false;
};

std::optional<ScannedModel> scanTokenizerJson(std::string_view text, long long maxVocab);

} // namespace hone::tok
