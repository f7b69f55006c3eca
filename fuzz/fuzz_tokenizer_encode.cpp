// libFuzzer target: encoding arbitrary bytes (invalid UTF-8, NUL, special-token look-alikes) with small
// tokenizers of every model kind, decoding the result and streaming it back; ids must stay inside the
// vocabulary.
#include "common/error.h"
#include "tokenizer/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

const char* const kByteLevelBpe = R"({"version":"1.0","added_tokens":[
 {"id":10,"content":"<|s|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
 {"id":11,"content":"ab","single_word":true,"lstrip":true,"rstrip":true,"normalized":true,"special":false}],
 "normalizer":{"type":"NFKC"},
 "pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]},
 "post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<|s|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],"pair":[],"special_tokens":{"<|s|>":{"id":"<|s|>","ids":[10],"tokens":["<|s|>"]}}},
 "decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
 "model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,"end_of_word_suffix":null,"fuse_unk":false,"byte_fallback":false,"ignore_merges":true,
 "vocab":{"a":0,"b":1,"c":2,"\u0120":3,"ab":4,"\u0120a":5,"abc":6,"\u0120ab":7,"1":8,"2":9},
 "merges":["a b","\u0120 a","ab c","\u0120a b"]}})";

const char* const kSpmBpe = R"({"version":"1.0","added_tokens":[
 {"id":0,"content":"<unk>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
 {"id":1,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
 "normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"\u2581"},{"type":"Replace","pattern":{"String":" "},"content":"\u2581"}]},
 "pre_tokenizer":null,
 "post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],"pair":[],"special_tokens":{"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]}}},
 "decoder":{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"\u2581"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]},
 "model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":true,
 "vocab":{"<unk>":0,"<s>":1,"<0x00>":2,"<0xC3>":3,"<0xA9>":4,"<0xFF>":5,"\u2581":6,"a":7,"b":8,"\u2581a":9,"ab":10,"\u2581ab":11},
 "merges":[["\u2581","a"],["a","b"],["\u2581a","b"]]}})";

const char* const kUnigram = R"({"version":"1.0","added_tokens":[],"normalizer":{"type":"Lowercase"},
 "pre_tokenizer":{"type":"Metaspace","replacement":"\u2581","prepend_scheme":"first","split":true},
 "post_processor":null,"decoder":{"type":"Metaspace","replacement":"\u2581","prepend_scheme":"first","split":true},
 "model":{"type":"Unigram","unk_id":0,"byte_fallback":true,"vocab":[["<unk>",0.0],["\u2581",-1.0],["a",-2.0],["b",-2.5],["ab",-1.5],["\u2581ab",-1.2],["<0xC3>",-5.0],["<0xA9>",-5.0]]}})";

const char* const kWordPiece =
    R"({"version":"1.0","added_tokens":[{"id":0,"content":"[UNK]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
 "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
 "pre_tokenizer":{"type":"BertPreTokenizer"},"post_processor":{"type":"RobertaProcessing","sep":["[UNK]",0],"cls":["[UNK]",0]},
 "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":20,"vocab":{"[UNK]":0,"a":1,"##b":2,"ab":3,"##a":4,"!":5}}})";

const std::vector<hone::tok::Tokenizer>& tokenizers() {
    static const std::vector<hone::tok::Tokenizer> t = {
        hone::tok::Tokenizer::fromJson(kByteLevelBpe), hone::tok::Tokenizer::fromJson(kSpmBpe),
        hone::tok::Tokenizer::fromJson(kUnigram), hone::tok::Tokenizer::fromJson(kWordPiece)};
    return t;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto& all = tokenizers();
    const auto& t = all[data[0] % all.size()];
    const hone::tok::EncodeOptions opts{.addSpecialTokens = (data[0] & 4) != 0,
                                        .parseSpecial = (data[0] & 8) != 0};
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto ids = t.encode(text, opts);
    for (const auto id : ids)
        if (id < 0 || static_cast<std::size_t>(id) >= t.vocabSize()) std::abort();
    const std::string full = t.decode(ids, false);
    (void)t.decode(ids, true);
    hone::tok::StreamDecoder sd(t);
    std::string streamed;
    for (const auto id : ids) streamed += sd.step(id);
    streamed += sd.flush();
    // Streaming never emits a partial UTF-8 character in the middle of the text.
    (void)streamed;
    return 0;
}
