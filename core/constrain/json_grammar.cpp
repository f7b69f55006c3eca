// The byte-level pushdown automaton of a compiled JSON grammar, the grammar factories and the tool list
// reader.
#include "constrain/json_grammar.h"

#include "common/error.h"
#include "constrain/compiled_grammar.h"

#include <algorithm>
#include <set>

namespace hone::constrain {

namespace {

using G = CompiledGrammar;

bool isWs(std::uint8_t c) {
    return c == ' ' || c == '\n' || c == '\t';
}
bool isDigit(std::uint8_t c) {
    return c >= '0' && c <= '9';
}
bool isHex(std::uint8_t c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

const Node& nodeOf(const G& g, std::int32_t id) {
    return g.nodes[static_cast<std::size_t>(id)];
}
const Trie& trieOf(const G& g, std::int32_t id) {
    return g.tries[static_cast<std::size_t>(id)];
}

bool takeWs(const G& g, Frame& f) {
    if (f.ws >= g.options.maxWhitespace) return false;
    ++f.ws;
    return true;
}

// The value on top of `s` has just ended: its container moves on.
void valueDone(const G& g, Stack& s) {
    Frame& p = s.back();
    p.ws = 0;
    switch (p.kind) {
    case kRoot:
        p.phase = 2;
        break;
    case kObject:
        if (p.phase == 1) {
            p.phase = 2; // a free key string ended
        } else {
            if (!nodeOf(g, p.node).freeKeys) p.seen |= std::uint64_t{1} << p.a;
            p.phase = 5;
        }
        break;
    case kArray:
        ++p.a;
        p.phase = 2;
        break;
    default:
        break;
    }
}

// Number states: 0 start, 1 after '-', 2 after a leading 0, 3 integer digits, 4 after '.', 5 fraction
// digits, 6 after 'e', 7 after the exponent sign, 8 exponent digits.
bool numberByte(const G& g, Frame& f, std::uint8_t c) {
    const bool integer = nodeOf(g, f.node).kind == NodeKind::Integer;
    auto enter = [&](std::uint8_t state, std::uint8_t digits) {
        f.aux = state;
        f.digits = digits;
        return true;
    };
    switch (f.aux) {
    case 0:
        if (c == '-') return enter(1, 0);
        [[fallthrough]];
    case 1:
        if (c == '0') return enter(2, 1);
        if (isDigit(c)) return enter(3, 1);
        return false;
    case 2:
    case 3:
        if (f.aux == 3 && isDigit(c)) return f.digits < kMaxIntDigits && enter(3, f.digits + 1);
        if (integer) return false;
        if (c == '.') return enter(4, 0);
        if (c == 'e' || c == 'E') return enter(6, 0);
        return false;
    case 4:
        return isDigit(c) && enter(5, 1);
    case 5:
        if (isDigit(c)) return f.digits < kMaxFracDigits && enter(5, f.digits + 1);
        if (c == 'e' || c == 'E') return enter(6, 0);
        return false;
    case 6:
        if (c == '+' || c == '-') return enter(7, 0);
        [[fallthrough]];
    case 7:
        return isDigit(c) && enter(8, 1);
    case 8:
        return isDigit(c) && f.digits < kMaxExpDigits && enter(8, f.digits + 1);
    default:
        return false;
    }
}
bool numberCanEnd(const Frame& f) {
    return f.aux == 2 || f.aux == 3 || f.aux == 5 || f.aux == 8;
}

enum class StrStep { Reject, Stay, Closed };

// String frame: aux 0 plain, 1 after '\', 2..5 reading the 4 hex digits of \u (digits = 1 after a first
// 'd', to refuse UTF-16 surrogates); pending/lo/hi track a multi-byte UTF-8 character; a counts code points.
StrStep stringByte(const G& g, Frame& f, std::uint8_t c) {
    if (f.pending) {
        if (c < f.lo || c > f.hi) return StrStep::Reject;
        --f.pending;
        f.lo = 0x80;
        f.hi = 0xBF;
        return StrStep::Stay;
    }
    if (f.aux == 1) {
        if (c == 'u') {
            f.aux = 2;
            return StrStep::Stay;
        }
        for (const char e : {'"', '\\', '/', 'b', 'f', 'n', 'r', 't'})
            if (c == static_cast<std::uint8_t>(e)) {
                f.aux = 0;
                return StrStep::Stay;
            }
        return StrStep::Reject;
    }
    if (f.aux >= 2) {
        if (!isHex(c)) return StrStep::Reject;
        if (f.aux == 2) f.digits = (c == 'd' || c == 'D') ? 1 : 0;
        if (f.aux == 3 && f.digits == 1 && !(c >= '0' && c <= '7')) return StrStep::Reject;
        f.aux = f.aux == 5 ? 0 : static_cast<std::uint8_t>(f.aux + 1);
        return StrStep::Stay;
    }
    const Node& n = nodeOf(g, f.node);
    if (c == '"') return f.a >= n.minLength ? StrStep::Closed : StrStep::Reject;
    if (c < 0x20) return StrStep::Reject;
    if (n.maxLength >= 0 && f.a >= n.maxLength) return StrStep::Reject;
    if (c == '\\') {
        f.aux = 1;
    } else if (c >= 0x80) {
        std::uint8_t need = 0, lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return StrStep::Reject;
        }
        f.pending = need;
        f.lo = lo;
        f.hi = hi;
    }
    ++f.a;
    return StrStep::Stay;
}

int anyDepth(const G& g, const Stack& s) {
    int d = 0;
    for (const Frame& f : s) d += f.node == g.anyObject || f.node == g.anyArray;
    return d;
}

bool pushFrame(Stack& s, std::uint8_t kind, std::int32_t node) {
    if (s.size() >= kMaxStackDepth) return false;
    Frame f;
    f.kind = kind;
    f.node = node;
    s.push_back(f);
    return true;
}

// Starts a value of `node` with byte c on top of s (whose top container already expects the value).
// Alternatives of anyOf beyond the first that survive are appended to `forks`.
bool startValue(const G& g, Stack& s, std::int32_t node, std::uint8_t c, std::vector<Stack>& forks) {
    const Node& n = nodeOf(g, node);
    switch (n.kind) {
    case NodeKind::AnyOf: {
        for (std::size_t i = 1; i < n.alternatives.size(); ++i) {
            Stack t = s;
            if (startValue(g, t, n.alternatives[i], c, forks)) forks.push_back(std::move(t));
        }
        return startValue(g, s, n.alternatives[0], c, forks);
    }
    case NodeKind::Any: {
        const bool deep = anyDepth(g, s) >= g.options.maxAnyDepth;
        if (c == '{') return !deep && pushFrame(s, kObject, g.anyObject);
        if (c == '[') return !deep && pushFrame(s, kArray, g.anyArray);
        if (c == '"') return pushFrame(s, kString, g.anyString);
        if (c == '-' || isDigit(c)) return startValue(g, s, g.anyNumber, c, forks);
        return startValue(g, s, g.anyLiteral, c, forks);
    }
    case NodeKind::Object:
        return c == '{' && pushFrame(s, kObject, node);
    case NodeKind::Array:
        return c == '[' && pushFrame(s, kArray, node);
    case NodeKind::String:
        return c == '"' && pushFrame(s, kString, node);
    case NodeKind::Number:
    case NodeKind::Integer: {
        Frame f;
        f.kind = kNumber;
        f.node = node;
        if (!numberByte(g, f, c)) return false;
        s.push_back(f);
        return true;
    }
    case NodeKind::Literal: {
        const std::int32_t child = trieOf(g, n.trie).child(0, c);
        if (child < 0) return false;
        Frame f;
        f.kind = kLiteral;
        f.node = node;
        f.a = child;
        s.push_back(f);
        return true;
    }
    }
    return false;
}

bool stepStack(const G& g, Stack& s, std::uint8_t c, std::vector<Stack>& forks);
bool objectKeyByte(const G& g, Frame& f, std::uint8_t c);

bool closeContainer(const G& g, Stack& s) {
    s.pop_back();
    valueDone(g, s);
    return true;
}

bool objectByte(const G& g, Stack& s, std::uint8_t c, std::vector<Stack>& forks) {
    Frame& f = s.back();
    const Node& n = nodeOf(g, f.node);
    switch (f.phase) {
    case 0:
    case 6: {
        if (isWs(c)) return takeWs(g, f);
        if (c == '}' && f.phase == 0) return (n.requiredMask & ~f.seen) == 0 && closeContainer(g, s);
        if (c != '"') return false;
        f.ws = 0;
        f.phase = 1;
        if (n.freeKeys) return pushFrame(s, kString, g.anyString);
        if (n.keyTrie < 0) return false; // an object without properties: only {}
        const Trie& t = trieOf(g, n.keyTrie);
        const std::int32_t child = t.child(0, c);
        if (child < 0 || !(t.nodes[static_cast<std::size_t>(child)].mask & g.nextAllowed(n, f.seen)))
            return false;
        f.a = child;
        return true;
    }
    case 1:
        return objectKeyByte(g, f, c);
    case 2:
        if (isWs(c)) return takeWs(g, f);
        if (c != ':') return false;
        f.phase = 3;
        f.ws = 0;
        return true;
    case 3: {
        if (isWs(c)) return takeWs(g, f);
        const std::int32_t value = n.freeKeys ? n.valueNode : n.props[static_cast<std::size_t>(f.a)].node;
        f.phase = 4;
        return startValue(g, s, value, c, forks);
    }
    case 5:
        if (isWs(c)) return takeWs(g, f);
        if (c == '}') return (n.requiredMask & ~f.seen) == 0 && closeContainer(g, s);
        if (c != ',' || !(n.freeKeys || g.nextAllowed(n, f.seen))) return false;
        f.phase = 6;
        f.ws = 0;
        return true;
    default:
        return false;
    }
}

bool arrayByte(const G& g, Stack& s, std::uint8_t c, std::vector<Stack>& forks) {
    Frame& f = s.back();
    const Node& n = nodeOf(g, f.node);
    if (isWs(c) && f.phase != 1) return takeWs(g, f);
    switch (f.phase) {
    case 0:
        if (c == ']') return n.minItems == 0 && closeContainer(g, s);
        if (n.maxItems == 0) return false;
        f.phase = 1;
        f.ws = 0;
        return startValue(g, s, n.items, c, forks);
    case 2:
        if (c == ']') return f.a >= n.minItems && closeContainer(g, s);
        if (c != ',' || (n.maxItems >= 0 && f.a >= n.maxItems)) return false;
        f.phase = 3;
        f.ws = 0;
        return true;
    case 3:
        f.phase = 1;
        f.ws = 0;
        return startValue(g, s, n.items, c, forks);
    default:
        return false;
    }
}

bool stepStack(const G& g, Stack& s, std::uint8_t c, std::vector<Stack>& forks) {
    Frame& f = s.back();
    switch (f.kind) {
    case kString:
        switch (stringByte(g, f, c)) {
        case StrStep::Reject:
            return false;
        case StrStep::Stay:
            return true;
        case StrStep::Closed:
            return closeContainer(g, s);
        }
        return false;
    case kNumber:
        if (numberByte(g, f, c)) return true;
        if (!numberCanEnd(f)) return false;
        closeContainer(g, s);
        return stepStack(g, s, c, forks);
    case kLiteral: {
        const Trie& t = trieOf(g, nodeOf(g, f.node).trie);
        const std::int32_t child = t.child(f.a, c);
        if (child >= 0) {
            f.a = child;
            return true;
        }
        if (t.nodes[static_cast<std::size_t>(f.a)].terminal < 0) return false;
        closeContainer(g, s);
        return stepStack(g, s, c, forks);
    }
    case kRoot:
        if (f.phase != 0) return false;
        if (isWs(c)) return takeWs(g, f);
        f.phase = 1;
        return startValue(g, s, g.root, c, forks);
    case kObject:
        return objectByte(g, s, c, forks);
    case kArray:
        return arrayByte(g, s, c, forks);
    default:
        return false;
    }
}

bool objectKeyByte(const G& g, Frame& f, std::uint8_t c) {
    const Node& n = nodeOf(g, f.node);
    const Trie& t = trieOf(g, n.keyTrie);
    const std::int32_t child = t.child(f.a, c);
    if (child < 0) return false;
    const Trie::Node& tn = t.nodes[static_cast<std::size_t>(child)];
    if (!(tn.mask & g.nextAllowed(n, f.seen))) return false;
    f.a = child;
    if (tn.terminal >= 0) { // the closing quote of a property name
        f.a = tn.terminal;
        f.phase = 2;
    }
    return true;
}

bool stackComplete(const G& g, Stack s) {
    for (;;) {
        const Frame& f = s.back();
        if (f.kind == kRoot) return f.phase == 2;
        const bool canEnd =
            (f.kind == kNumber && numberCanEnd(f)) ||
            (f.kind == kLiteral &&
             trieOf(g, nodeOf(g, f.node).trie).nodes[static_cast<std::size_t>(f.a)].terminal >= 0);
        if (!canEnd) return false;
        closeContainer(g, s);
    }
}

} // namespace

FrameStep stepTopFrame(const CompiledGrammar& g, Frame& f, std::uint8_t c) {
    auto stay = [](bool ok) { return ok ? FrameStep::Stay : FrameStep::Reject; };
    switch (f.kind) {
    case kString: {
        Frame t = f;
        const StrStep r = stringByte(g, t, c);
        if (r == StrStep::Stay) f = t;
        return r == StrStep::Reject ? FrameStep::Reject
               : r == StrStep::Stay ? FrameStep::Stay
                                    : FrameStep::Full;
    }
    case kNumber:
        if (numberByte(g, f, c)) return FrameStep::Stay;
        return numberCanEnd(f) ? FrameStep::Full : FrameStep::Reject;
    case kLiteral: {
        const Trie& t = trieOf(g, nodeOf(g, f.node).trie);
        const std::int32_t child = t.child(f.a, c);
        if (child >= 0) {
            f.a = child;
            return FrameStep::Stay;
        }
        return t.nodes[static_cast<std::size_t>(f.a)].terminal >= 0 ? FrameStep::Full : FrameStep::Reject;
    }
    case kRoot:
        if (f.phase != 0) return FrameStep::Reject;
        return isWs(c) ? stay(takeWs(g, f)) : FrameStep::Full;
    case kObject:
        if (f.phase == 1) return stay(objectKeyByte(g, f, c));
        return isWs(c) ? stay(takeWs(g, f)) : FrameStep::Full;
    case kArray:
        return isWs(c) ? stay(takeWs(g, f)) : FrameStep::Full;
    default:
        return FrameStep::Full;
    }
}

bool GrammarState::advanceFrom(const Frame& top, std::uint8_t byte, GrammarState& out) const {
    out.g_ = g_;
    if (out.keep_ != keep_) out.keep_ = keep_;
    if (out.stacks_.empty()) out.stacks_.resize(1);
    out.stacks_[0] = stacks_[0];
    out.stacks_[0].back() = top;
    out.live_ = 1;
    return out.feed(byte);
}

bool GrammarState::feed(std::uint8_t byte) {
    if (live_ == 0) return false;
    std::vector<Stack> forks;
    std::size_t n = 0;
    for (std::size_t i = 0; i < live_; ++i) {
        if (!stepStack(*g_, stacks_[i], byte, forks)) continue;
        if (n != i) std::swap(stacks_[n], stacks_[i]);
        ++n;
    }
    for (auto& f : forks) {
        if (n < stacks_.size()) {
            stacks_[n] = std::move(f);
        } else {
            stacks_.push_back(std::move(f));
        }
        ++n;
    }
    // Identical stacks (anyOf alternatives that met again) are kept once.
    for (std::size_t i = 1; i < n; ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (stacks_[i] == stacks_[j]) {
                std::swap(stacks_[i], stacks_[n - 1]);
                --n;
                --i;
                break;
            }
    live_ = n;
    return n > 0;
}

bool GrammarState::feed(std::string_view bytes) {
    for (const char c : bytes)
        if (!feed(static_cast<std::uint8_t>(c))) return false;
    return true;
}

bool GrammarState::advance(std::uint8_t byte, GrammarState& out) const {
    out.g_ = g_;
    if (out.keep_ != keep_) out.keep_ = keep_;
    if (out.stacks_.size() < live_) out.stacks_.resize(live_);
    for (std::size_t i = 0; i < live_; ++i) out.stacks_[i] = stacks_[i];
    out.live_ = live_;
    return out.feed(byte);
}

bool GrammarState::isComplete() const {
    for (std::size_t i = 0; i < live_; ++i)
        if (stackComplete(*g_, stacks_[i])) return true;
    return false;
}

GrammarState JsonGrammar::start() const {
    GrammarState s;
    s.g_ = g_.get();
    s.keep_ = g_;
    Frame root;
    root.kind = kRoot;
    s.stacks_.push_back(Stack{root});
    s.live_ = 1;
    return s;
}

const std::vector<std::string>& JsonGrammar::notes() const {
    return g_->notes;
}

namespace {
std::shared_ptr<CompiledGrammar> newGrammar(const GrammarOptions& options) {
    if (options.maxWhitespace < 0 || options.maxWhitespace > 64)
        throw Error("grammar option maxWhitespace must be between 0 and 64");
    if (options.maxAnyDepth < 0 || options.maxAnyDepth > 32)
        throw Error("grammar option maxAnyDepth must be between 0 and 32");
    auto g = std::make_shared<CompiledGrammar>();
    g->options = options;
    addAnyNodes(*g);
    return g;
}
} // namespace

JsonGrammar JsonGrammar::fromSchema(const Json& schema, const GrammarOptions& options) {
    auto g = newGrammar(options);
    g->root = compileSchema(*g, schema, "", "schema");
    return JsonGrammar(std::move(g));
}

JsonGrammar JsonGrammar::forToolCall(const std::vector<ToolSpec>& tools, CallShape shape,
                                     const GrammarOptions& options) {
    if (tools.empty()) throw Error("constrained tool call: no tools were given; pass at least one tool");
    auto g = newGrammar(options);
    const std::string argsKey = shape == CallShape::NameParameters ? "parameters" : "arguments";
    Trie keys;
    keys.add(Json("name").dump(), 0);
    keys.add(Json(argsKey).dump(), 1);
    g->tries.push_back(std::move(keys));
    const auto keyTrie = static_cast<std::int32_t>(g->tries.size() - 1);
    Node any;
    any.kind = NodeKind::AnyOf;
    std::set<std::string> names;
    for (const auto& t : tools) {
        if (t.name.empty())
            throw Error("constrained tool call: a tool has an empty name; give every tool a name");
        if (!names.insert(t.name).second)
            throw Error("constrained tool call: the tool name '" + t.name +
                        "' is used twice; names must be unique");
        std::int32_t args;
        if (t.parameters.is_null()) {
            Node empty;
            empty.kind = NodeKind::Object; // no properties, no free keys: only {}
            g->nodes.push_back(std::move(empty));
            args = static_cast<std::int32_t>(g->nodes.size() - 1);
        } else {
            args = compileSchema(*g, t.parameters, "tool '" + t.name + "': ", "parameters");
        }
        Node call;
        call.kind = NodeKind::Object;
        call.ordered = true;
        call.keyTrie = keyTrie;
        call.props = {Property{"name", addLiteralNode(*g, {Json(t.name)}), true},
                      Property{argsKey, args, true}};
        call.requiredMask = 3;
        g->nodes.push_back(std::move(call));
        any.alternatives.push_back(static_cast<std::int32_t>(g->nodes.size() - 1));
    }
    if (any.alternatives.size() == 1) {
        g->root = any.alternatives[0];
    } else {
        g->nodes.push_back(std::move(any));
        g->root = static_cast<std::int32_t>(g->nodes.size() - 1);
    }
    return JsonGrammar(std::move(g));
}

std::vector<ToolSpec> parseTools(const Json& tools) {
    if (!tools.is_array())
        throw Error("tools must be a JSON array of {\"type\":\"function\",\"function\":{...}} or {\"name\", "
                    "\"parameters\"} objects");
    std::vector<ToolSpec> out;
    for (std::size_t i = 0; i < tools.size(); ++i) {
        const std::string where = "tools[" + std::to_string(i) + "]";
        const Json* t = &tools[i];
        if (t->is_object() && t->contains("function")) t = &(*t)["function"];
        if (!t->is_object()) throw Error(where + ": a tool must be a JSON object with a name and parameters");
        if (!t->contains("name") || !(*t)["name"].is_string())
            throw Error(where + ": the tool has no \"name\" string; add one");
        ToolSpec spec;
        spec.name = (*t)["name"].get<std::string>();
        if (t->contains("parameters")) spec.parameters = (*t)["parameters"];
        out.push_back(std::move(spec));
    }
    return out;
}

} // namespace hone::constrain
