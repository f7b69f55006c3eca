// Stand-in when hone_formats (the GGUF parser) is not part of the build: GGUF tokenizers are refused clearly.
#include "common/error.h"
#include "tokenizer/tokenizer_impl.h"

namespace hone::tok {

void loadGgufTokenizer(TokenizerImpl&, std::string_view) {
    throw Error("this build has no GGUF support (hone_formats missing); use the model's tokenizer.json");
}
void loadGgufTokenizerFile(TokenizerImpl&, const std::string&) {
    throw Error("this build has no GGUF support (hone_formats missing); use the model's tokenizer.json");
}

} // namespace hone::tok
