// A JSON-schema subset compiled into a byte-level pushdown grammar, and its incremental state: used to force
// a model's tool call (or any JSON value) to be valid JSON that matches a schema, one byte at a time.
//
// Supported: type (string, number, integer, boolean, null, array, object, and type arrays such as
// ["string", "null"]), properties / required (properties in any order, each at most once; only listed
// properties are generated, additionalProperties is treated as false when "properties" is given; an object
// without "properties" takes any keys with values of its additionalProperties schema), string enum/const of
// any JSON value (the compact serialization), minLength/maxLength (code points), items / minItems / maxItems,
// anyOf / oneOf (oneOf is generated like anyOf), allOf with one entry, $ref to "#/$defs/..." or
// "#/definitions/...". Whitespace: at most GrammarOptions::maxWhitespace bytes (space, \n, \t) between
// tokens. Strings: valid UTF-8, no raw control characters, the JSON escapes; \u escapes of UTF-16 surrogates
// are not generated (raw UTF-8 is). Numbers: no leading zeros, at most 16 integer and 16 fraction digits and
// 2 exponent digits.
// Ignored with a note (the output may not satisfy them): pattern, format, minimum/maximum and the other
// numeric bounds, uniqueItems, patternProperties. Unsupported keywords that change the value's shape (not,
// if/then/else, allOf with several entries, remote $ref, enums over kMaxEnumValues values) make that node
// "any JSON value", with a note. A schema that is not an object/boolean, an unknown type name, an empty
// enum/anyOf or contradictory bounds throw hone::Error.
#pragma once

#include "common/json.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hone::constrain {

struct GrammarOptions {
    int maxWhitespace = 2; // whitespace bytes allowed between two JSON tokens (and before the value)
    int maxAnyDepth = 6;   // nesting depth of containers inside an "any JSON value" node
};

// A tool the model may call: its name and the JSON schema of its arguments.
struct ToolSpec {
    std::string name;
    Json parameters; // JSON schema object; null = no arguments ({} only)
};

// Reads tools from an OpenAI-style list ([{"type":"function","function":{"name","parameters"}}]) or a
// plain list of {"name","parameters"} objects. Throws hone::Error naming the entry at fault.
std::vector<ToolSpec> parseTools(const Json& tools);

// The shape of the tool call object.
enum class CallShape {
    NameArguments,  // {"name": ..., "arguments": {...}} (Hermes / Qwen <tool_call> bodies)
    NameParameters, // {"name": ..., "parameters": {...}} (Llama 3 JSON tool calls)
};

struct CompiledGrammar; // internal
class GrammarState;

// An immutable compiled grammar; cheap to copy (shared).
class JsonGrammar {
public:
    // Any value that matches `schema`.
    static JsonGrammar fromSchema(const Json& schema, const GrammarOptions& options = {});
    // A tool call: an object with "name" (one of the tool names) first, then "arguments" (or "parameters")
    // valid for that tool's schema. Throws hone::Error when `tools` is empty, a name repeats, or a schema is
    // bad (the message names the tool and the schema path).
    static JsonGrammar forToolCall(const std::vector<ToolSpec>& tools,
                                   CallShape shape = CallShape::NameArguments,
                                   const GrammarOptions& options = {});

    // The start state (nothing consumed).
    GrammarState start() const;
    // What was ignored or replaced by "any JSON value", one line each ("tool 'x': properties.y: pattern
    // ignored").
    const std::vector<std::string>& notes() const;

    const CompiledGrammar& compiled() const { return *g_; }

private:
    explicit JsonGrammar(std::shared_ptr<const CompiledGrammar> g)
        : g_(std::move(g)) {}
    std::shared_ptr<const CompiledGrammar> g_;
};

struct Frame {
    std::uint8_t kind = 0;  // FrameKind
    std::uint8_t phase = 0; // kind-specific
    std::uint8_t ws = 0;    // whitespace bytes consumed since the last JSON token
    std::uint8_t aux = 0;   // string: escape state; number: number state
    std::uint8_t lo = 0;    // string: allowed range of the next UTF-8 continuation byte
    std::uint8_t hi = 0;
    std::uint8_t pending = 0; // string: UTF-8 continuation bytes still expected
    std::uint8_t digits = 0;  // number: digits in the current part
    std::int32_t node = 0;    // schema node
    std::int32_t a = 0;       // object: key trie node / current property; array: items; string: length
    std::uint64_t seen = 0;   // object: properties already present
    bool operator==(const Frame&) const = default;
};

using Stack = std::vector<Frame>;

// One byte applied to a stack's top frame alone: Stay when that is all the byte changes (inside a string,
// number, literal or property name, or whitespace), Full when it pushes or pops frames (then use
// GrammarState::feed), Reject when the grammar refuses it. Lets the mask walk skip copying whole stacks.
enum class FrameStep : std::uint8_t { Reject, Stay, Full };
FrameStep stepTopFrame(const CompiledGrammar& g, Frame& top, std::uint8_t byte);

// Where a grammar is after some bytes: a set of pushdown stacks (more than one only inside anyOf
// alternatives that have not been told apart yet). Copyable; copies are independent.
class GrammarState {
public:
    GrammarState() = default;
    // Consumes one byte; returns false (and becomes dead) when the grammar does not allow it.
    bool feed(std::uint8_t byte);
    // Feeds every byte; false when one was refused.
    bool feed(std::string_view bytes);
    // Writes into `out` the state after `byte` (reusing out's memory); returns false when refused.
    bool advance(std::uint8_t byte, GrammarState& out) const;
    // The top frame when there is exactly one stack, else nullptr.
    const Frame* soleTop() const { return live_ == 1 ? &stacks_[0].back() : nullptr; }
    // Like advance() from this state with its sole stack's top frame replaced by `top`.
    bool advanceFrom(const Frame& top, std::uint8_t byte, GrammarState& out) const;
    const CompiledGrammar& grammar() const { return *g_; }
    // The JSON value is complete (nothing more is allowed after it).
    bool isComplete() const;
    bool isDead() const { return live_ == 0; }
    std::size_t stackCount() const { return live_; }

private:
    friend class JsonGrammar;
    const CompiledGrammar* g_ = nullptr;
    std::shared_ptr<const CompiledGrammar> keep_;
    std::vector<Stack> stacks_; // [0, live_) are live; the rest keep their memory for reuse
    std::size_t live_ = 0;
};

} // namespace hone::constrain
