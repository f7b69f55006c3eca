// Normalizers of tokenizer.json ("normalizer"): NFC/NFD/NFKC/NFKD, Lowercase, Strip, Prepend, Replace,
// Sequence, BertNormalizer.
#pragma once

#include "common/json.h"
#include "tokenizer/pipeline.h"

namespace hone::tok {

// Builds a normalizer from its JSON description; null JSON gives nullptr. Throws hone::Error on unknown
// types.
std::unique_ptr<Normalizer> makeNormalizer(const Json& j);

} // namespace hone::tok
