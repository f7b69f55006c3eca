// `hone toolcall parse`: parse one model output's tool calls in a given format (or the format of a model's
// chat template) and print them, as JSON with --json. Calls that cannot be parsed are reported in "errors"
// and still exit 0; bad options exit non-zero.
#include "commands.h"

#include "common/error.h"
#include "common/json.h"
#include "toolcall/format_detect.h"
#include "toolcall/tool_call.h"

#include <cstdio>
#include <iostream>
#include <iterator>

namespace hone::cli {

namespace {

std::string readStdin() {
    std::string text;
    char buf[65536];
    while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
        text.append(buf, size_t(std::cin.gcount()));
        if (text.size() > toolcall::kMaxParseBytes)
            throw Error("the text on stdin is longer than 16 MiB: pass one assistant message");
    }
    return text;
}

void printLine(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
}

int parseCmd(Args& args) {
    args.check({"model", "format", "text", "json"});
    auto model = args.get("model");
    auto format = args.get("format");
    if (model && format) throw Error("give either --model PATH or --format NAME, not both");
    if (!model && !format)
        throw Error("missing --model PATH (a model folder or .gguf with a chat template) or --format "
                    "hermes|llama3|mistral|qwen3|generic");
    const toolcall::Format f =
        model ? toolcall::detectModelFormat(*model) : toolcall::formatFromName(*format);
    std::string text = args.require("text");
    if (text == "-") text = readStdin();
    const toolcall::ParseResult r = toolcall::parse(f, text);
    if (args.flag("json")) {
        printLine(toolcall::toJson(r).dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
        return 0;
    }
    auto dump = [](const OrderedJson& j) {
        return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    };
    printLine("format: " + toolcall::formatName(f));
    if (!r.reasoning.empty()) printLine("reasoning: " + r.reasoning);
    if (!r.content.empty()) printLine("content: " + r.content);
    printLine("tool calls: " + std::to_string(r.calls.size()) + (r.repaired ? " (repaired)" : ""));
    for (size_t i = 0; i < r.calls.size(); ++i) {
        const auto& c = r.calls[i];
        printLine("  " + std::to_string(i + 1) + ". " + c.name + " " + dump(c.arguments) +
                  (c.id.empty() ? "" : "  [id " + c.id + "]") + (c.repaired ? "  (repaired)" : ""));
    }
    for (const auto& e : r.errors) printLine("error: " + e);
    return 0;
}

} // namespace

int cmdToolcall(Args& args) {
    const auto& pos = args.positionals();
    if (pos.size() != 1 || pos[0] != "parse")
        throw Error(
            "usage: hone toolcall parse (--model PATH | --format hermes|llama3|mistral|qwen3|generic) "
            "--text TEXT|- [--json]");
    return parseCmd(args);
}

} // namespace hone::cli
