// libFuzzer target: tokenizer.json loading (and, for inputs starting with "GGUF", GGUF-embedded tokenizers),
// then a few encode/decode calls on whatever loads. Bad input must end in hone::Error, never a crash or a
// hang.
#include "common/error.h"
#include "tokenizer/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        const bool gguf = in.size() >= 4 && in.substr(0, 4) == "GGUF";
        const auto t = gguf ? hone::tok::Tokenizer::fromGguf(in) : hone::tok::Tokenizer::fromJson(in);
        for (const char* text :
             {"", "Hello world!", " \xe2\x96\x81x<s>\n\n12345 caf\xc3\xa9 \xff", "<|im_start|>a"}) {
            const auto ids = t.encode(text);
            (void)t.decode(ids, false);
            (void)t.decode(ids, true);
        }
        (void)t.vocabSize();
        (void)t.chatTemplate();
    } catch (const hone::Error&) {
    }
    return 0;
}
