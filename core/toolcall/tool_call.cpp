// Format names, the parse entry point (reasoning and end tokens first, then the format's parser) and the
// JSON form of a parse result.
#include "toolcall/tool_call.h"

#include "common/error.h"
#include "toolcall/parse_support.h"

namespace hone::toolcall {

std::string formatName(Format format) {
    switch (format) {
    case Format::Hermes:
        return "hermes";
    case Format::Qwen3:
        return "qwen3";
    case Format::Llama3:
        return "llama3";
    case Format::Mistral:
        return "mistral";
    case Format::Generic:
        return "generic";
    }
    return "generic";
}

Format formatFromName(std::string_view name) {
    for (Format f : kAllFormats)
        if (formatName(f) == name) return f;
    throw Error("unknown tool-call format \"" + std::string(name) +
                "\": use one of hermes, llama3, mistral, qwen3, generic");
}

ParseResult parse(Format format, std::string_view text) {
    if (text.size() > kMaxParseBytes)
        throw Error("the model output to parse is " + std::to_string(text.size()) +
                    " bytes, more than the 16 MiB tool-call parsing accepts: pass one assistant message");
    std::string reasoning;
    const std::string body = detail::stripEndTokens(detail::splitReasoning(text, &reasoning));
    detail::ResultBuilder out;
    switch (format) {
    case Format::Hermes:
    case Format::Qwen3:
        detail::parseHermes(body, out);
        break;
    case Format::Llama3:
        detail::parseLlama3(body, out);
        break;
    case Format::Mistral:
        detail::parseMistral(body, out);
        break;
    case Format::Generic:
        detail::scanForJsonCalls(body, out);
        break;
    }
    return out.finish(std::move(reasoning));
}

OrderedJson toJson(const ParseResult& result) {
    OrderedJson j = OrderedJson::object();
    j["content"] = result.content;
    j["reasoning"] = result.reasoning;
    OrderedJson calls = OrderedJson::array();
    for (const auto& c : result.calls) {
        OrderedJson call = OrderedJson::object();
        call["name"] = c.name;
        call["arguments"] = c.arguments;
        calls.push_back(std::move(call));
    }
    j["tool_calls"] = std::move(calls);
    j["repaired"] = result.repaired;
    if (!result.errors.empty()) j["errors"] = result.errors;
    return j;
}

} // namespace hone::toolcall
