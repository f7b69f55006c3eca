// Pieces every tool-call format's parser shares (internal to hone_toolcall): the result builder, reasoning
// extraction, end-of-turn token stripping, turning a JSON value into calls, code-fence handling and the
// generic "JSON call anywhere in the text" scanner.
#pragma once

#include "toolcall/tool_call.h"

#include <string>
#include <string_view>

namespace hone::toolcall::detail {

// Accumulates content, calls and errors while a format's parser walks the text.
class ResultBuilder {
public:
    // Adds a piece of content (trimmed; pieces are joined with newlines).
    void addContent(std::string_view text);
    void addCall(ToolCall call);
    // A call that could not be parsed: `where` names it ("tool call 2"), `why` says what is wrong; its raw
    // text stays in the content so nothing the model said is lost.
    void fail(const std::string& where, const std::string& why, std::string_view rawText);
    // The same error without adding the text to the content (the caller keeps it there itself).
    void reportError(const std::string& where, const std::string& why, std::string_view rawText);
    void markRepaired() { result_.repaired = true; }
    size_t callCount() const { return result_.calls.size(); }
    size_t errorCount() const { return result_.errors.size(); }
    // Moves the finished result out (content trimmed).
    ParseResult finish(std::string reasoning);

private:
    ParseResult result_;
    std::string content_;
};

std::string_view trim(std::string_view s);
bool isSpace(char c);
size_t skipSpace(std::string_view s, size_t pos);

// Splits <think>...</think> (and <thinking>, <reasoning>, <thought>, [THINK], <|begin_of_thought|>) out of
// the text: returns the rest, appends the blocks to *reasoning. A close tag with no open tag before it
// means the prompt already opened the block, so everything before it is reasoning; an open tag that is
// never closed makes the rest reasoning.
std::string splitReasoning(std::string_view text, std::string* reasoning);

// Removes end-of-turn special tokens (<|im_end|>, <|eot_id|>, <|eom_id|>, </s>, <|endoftext|>, ...).
std::string stripEndTokens(std::string_view text);

// When `text` (trimmed) is a ``` code fence, returns its inside and sets *fenced.
std::string_view unfence(std::string_view text, bool* fenced);

// Turns one JSON object into a call: {"name", "arguments"|"parameters"} or {"function": {...}} (+ "id").
// `arguments` given as a string holding an object is a repair. Returns false with the reason in *why.
bool callFromObject(const OrderedJson& obj, ToolCall* call, std::string* why);
// True when `v` looks like a call (an object with a string "name" and arguments/parameters, or a
// "function" object holding those): the generic scanner only takes such objects.
bool looksLikeCall(const OrderedJson& v);
// True when s[pos] opens something that could hold a call: '{' followed by a key ("k", 'k' or k:), or '['
// followed by '{' or '['. Braces in prose ({braces}, {}) are not worth reading as JSON.
bool mayStartCall(std::string_view s, size_t pos);

// Parses the JSON in `region` (a whole region: one call object or an array of them, possibly fenced) and
// adds the calls; on failure records an error naming `where` and keeps `rawText` as content. Text after the
// JSON is a repair (ignored). Returns the number of calls added.
size_t addCallsFromRegion(std::string_view region, const std::string& where, bool regionRepaired,
                          std::string_view rawText, ResultBuilder& out);
// Adds the calls a parsed JSON value holds (an object or an array of objects); `repaired` marks them.
// Records an error naming `where` and returns false when an item is not a call.
bool addCallsFromValue(const OrderedJson& value, const std::string& where, bool repaired,
                       std::string_view rawText, ResultBuilder& out);

// Finds JSON call objects/arrays anywhere in `text` (a fence around one is dropped); the rest is content.
// Separators (';', ',', whitespace) between consecutive calls are dropped too.
void scanForJsonCalls(std::string_view text, ResultBuilder& out);

} // namespace hone::toolcall::detail

namespace hone::toolcall::detail {

// When the whole text (trimmed, possibly fenced) is JSON holding calls, adds them as repaired calls (the
// model left out its format's markers) and returns true; otherwise adds nothing and returns false.
bool addWholeTextCalls(std::string_view text, ResultBuilder& out);

// The format parsers, on text whose reasoning and end-of-turn tokens are already removed.
void parseHermes(std::string_view text, ResultBuilder& out);
void parseLlama3(std::string_view text, ResultBuilder& out);
void parseMistral(std::string_view text, ResultBuilder& out);

} // namespace hone::toolcall::detail
