// `hone tokenize` / `hone detokenize`: a model's tokenizer (tokenizer.json folder or .gguf) on the command
// line, with a stable machine interface (--json) and llama.cpp's test-vector format (--lines).
#include "commands.h"

#include "common/error.h"
#include "common/json.h"
#include "common/mapped_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_test_format.h"

#include <charconv>
#include <cstdio>

namespace hone::cli {

namespace {
void printJson(const Json& j) {
    const std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
}
} // namespace

int cmdTokenize(Args& args) {
    args.check({"model", "text", "file", "lines", "json", "no-special", "verbose", "no-parse-special"});
    const auto tok = tok::Tokenizer::load(args.require("model"));
    tok::EncodeOptions opts;
    opts.addSpecialTokens = !args.flag("no-special");
    opts.parseSpecial = !args.flag("no-parse-special");
    if (auto lines = args.get("lines")) {
        // The .out format is made without added BOS/EOS.
        opts.addSpecialTokens = false;
        const auto records = tok::splitVocabTestRecords(readTextFile(*lines));
        for (const auto& r : records) {
            const std::string line = tok::formatVocabTestLine(tok.encode(r, opts)) + "\n";
            std::fwrite(line.data(), 1, line.size(), stdout);
        }
        return 0;
    }
    const auto text = args.get("text");
    const auto file = args.get("file");
    if (!text == !file) throw Error("give exactly one of --text TEXT, --file F or --lines F");
    const std::string input = text ? *text : readTextFile(*file);
    const auto ids = tok.encode(input, opts);
    if (args.flag("json")) {
        Json j;
        j["ids"] = ids;
        if (args.flag("verbose")) {
            Json pieces = Json::array();
            for (const int32_t id : ids) pieces.push_back(tok.idToToken(id).value_or(""));
            j["pieces"] = pieces;
        }
        printJson(j);
        return 0;
    }
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) out.push_back(' ');
        out += std::to_string(ids[i]);
        if (args.flag("verbose")) {
            out.push_back('(');
            out += tok.idToToken(ids[i]).value_or("");
            out.push_back(')');
        }
    }
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

int cmdDetokenize(Args& args) {
    args.check({"model", "ids", "json", "skip-special"});
    const auto tok = tok::Tokenizer::load(args.require("model"));
    const std::string list = args.require("ids");
    std::vector<int32_t> ids;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t end = list.find(',', pos);
        if (end == std::string::npos) end = list.size();
        std::string item = list.substr(pos, end - pos);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty()) {
            long long v = 0;
            const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
            if (ec != std::errc() || p != item.data() + item.size() || v < 0 || v > INT32_MAX)
                throw Error("--ids: '" + item + "' is not a token id (expected comma-separated integers)");
            if (static_cast<std::size_t>(v) >= tok.vocabSize())
                throw Error("--ids: " + item + " is outside the vocabulary (size " +
                            std::to_string(tok.vocabSize()) + ")");
            ids.push_back(static_cast<int32_t>(v));
        }
        pos = end + 1;
    }
    const std::string text = tok.decode(ids, args.flag("skip-special"));
    if (args.flag("json")) {
        Json j;
        j["text"] = text;
        printJson(j);
    } else {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fputc('\n', stdout);
    }
    return 0;
}

} // namespace hone::cli
