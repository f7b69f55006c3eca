// Internal form of a compiled JSON grammar: schema nodes and byte tries (object keys, enum/const literals),
// shared by the schema compiler and the state machine. Not part of the public interface.
#pragma once

#include "constrain/json_grammar.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hone::constrain {

enum class NodeKind : std::uint8_t { Any, Object, Array, String, Number, Integer, Literal, AnyOf };
enum FrameKind : std::uint8_t { kRoot, kObject, kArray, kString, kNumber, kLiteral };

inline constexpr int kMaxProperties = 64;   // properties per object (a 64-bit "seen" mask)
inline constexpr int kMaxEnumValues = 4096; // larger enums fall back to "any JSON value"
inline constexpr std::size_t kMaxEnumBytes = 256 * 1024;
inline constexpr std::size_t kMaxStackDepth = 128; // containers nested deeper are refused
inline constexpr int kMaxIntDigits = 16, kMaxFracDigits = 16, kMaxExpDigits = 2;

// A byte trie over complete byte strings; a node's `mask` has bit i when string i ends in its subtree.
struct Trie {
    struct Node {
        std::vector<std::pair<std::uint8_t, std::int32_t>> children; // sorted by byte
        std::int32_t terminal = -1;                                  // index of the string ending here
        std::uint64_t mask = 0;
    };
    std::vector<Node> nodes{Node{}};
    void add(const std::string& s, std::int32_t index);
    std::int32_t child(std::int32_t node, std::uint8_t byte) const {
        for (const auto& [b, c] : nodes[static_cast<std::size_t>(node)].children)
            if (b == byte) return c;
        return -1;
    }
};

struct Property {
    std::string name;
    std::int32_t node = -1;
    bool required = false;
};

struct Node {
    NodeKind kind = NodeKind::Any;
    // Object: listed properties (key trie over their JSON-quoted names), or free keys with `valueNode`.
    std::vector<Property> props;
    std::int32_t keyTrie = -1;
    std::uint64_t requiredMask = 0;
    bool ordered = false;  // properties must follow the listed order (tool call: name before arguments)
    bool freeKeys = false; // any string keys, values of `valueNode`
    std::int32_t valueNode = -1;
    // Array.
    std::int32_t items = -1;
    std::int64_t minItems = 0, maxItems = -1; // -1 = unbounded
    // String (min/max code points).
    std::int64_t minLength = 0, maxLength = -1;
    // Literal: trie of the compact serializations of the allowed values.
    std::int32_t trie = -1;
    // AnyOf.
    std::vector<std::int32_t> alternatives;
};

struct CompiledGrammar {
    std::vector<Node> nodes;
    std::vector<Trie> tries;
    std::int32_t root = -1;
    GrammarOptions options;
    std::vector<std::string> notes;
    // Building blocks of "any JSON value".
    std::int32_t anyNode = -1, anyObject = -1, anyArray = -1, anyString = -1, anyNumber = -1, anyLiteral = -1;

    // Property indices that may come next in an object frame whose present properties are `seen`.
    std::uint64_t nextAllowed(const Node& n, std::uint64_t seen) const;
};

// Compiles `schema` (also the document that local $refs point into) into g; returns the node. Notes and
// errors are prefixed with `where` (e.g. "tool 'get_weather': ") and the path from `rootPath`.
std::int32_t compileSchema(CompiledGrammar& g, const Json& schema, const std::string& where,
                           const std::string& rootPath);
// Adds the "any JSON value" building blocks to g.
void addAnyNodes(CompiledGrammar& g);
// A literal node whose values are the given JSON values (compact serialization).
std::int32_t addLiteralNode(CompiledGrammar& g, const std::vector<Json>& values);

} // namespace hone::constrain
