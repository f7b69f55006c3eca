// llama.cpp's tokenizer test-vector format: .inp records separated by "\n__ggml_vocab_test__\n", .out lines
// of space-prefixed ids (" 1 2 3"). Used by `hone tokenize --lines` and the tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hone::tok {

// Splits an .inp file into its records (a trailing empty record after the last separator is dropped).
std::vector<std::string> splitVocabTestRecords(std::string_view inp);
// One .out line (without the newline): " id id ...", empty for no ids.
std::string formatVocabTestLine(std::span<const int32_t> ids);

} // namespace hone::tok
