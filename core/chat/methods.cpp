// Python methods of str, dict and list that Jinja2 exposes to templates. Mutating methods raise, as in
// transformers' ImmutableSandboxedEnvironment.
#include "chat/builtins.h"
#include "chat/interpreter.h"
#include "chat/text_util.h"
#include "common/error.h"

#include <algorithm>
#include <set>

namespace hone::jinja {

namespace {

const std::set<std::string, std::less<>> kStrMethods = {
    "strip",   "lstrip",  "rstrip",  "split",      "rsplit",     "splitlines",   "startswith",  "endswith",
    "upper",   "lower",   "title",   "capitalize", "swapcase",   "casefold",     "replace",     "find",
    "rfind",   "index",   "rindex",  "count",      "join",       "format",       "format_map",  "isdigit",
    "isalpha", "isalnum", "isspace", "islower",    "isupper",    "isnumeric",    "isdecimal",   "zfill",
    "center",  "ljust",   "rjust",   "partition",  "rpartition", "removeprefix", "removesuffix"};
const std::set<std::string, std::less<>> kDictMethods = {"items", "keys",    "values", "get",        "copy",
                                                         "pop",   "popitem", "update", "setdefault", "clear"};
const std::set<std::string, std::less<>> kListMethods = {
    "index", "count", "copy", "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"};
const std::set<std::string, std::less<>> kMutating = {"pop",    "popitem", "update", "setdefault",
                                                      "clear",  "append",  "extend", "insert",
                                                      "remove", "reverse", "sort"};

const Value* argAt(const CallArgs& a, size_t i, std::string_view kw = {}) {
    if (i < a.pos.size()) return &a.pos[i];
    if (!kw.empty())
        for (const auto& [k, v] : a.kw)
            if (k == kw) return &v;
    return nullptr;
}

std::string strArg(const CallArgs& a, size_t i, const char* method) {
    const Value* v = argAt(a, i);
    if (!v || !v->isString()) throw Error(std::string(method) + "() argument must be str");
    return v->str();
}

// Converts code-point slice bounds (start/end args) to a byte range of s.
std::pair<size_t, size_t> byteRange(const std::string& s, const CallArgs& a, size_t first) {
    auto n = static_cast<int64_t>(utf8Length(s));
    auto bound = [&](size_t idx, int64_t def) {
        const Value* v = argAt(a, idx);
        if (!v || v->isNone()) return def;
        int64_t x = v->asInt();
        if (x < 0) x += n;
        return std::clamp<int64_t>(x, 0, n);
    };
    int64_t b = bound(first, 0), e = bound(first + 1, n);
    auto toByte = [&](int64_t cp) {
        size_t i = 0;
        int64_t c = 0;
        while (i < s.size() && c < cp) {
            ++i;
            while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
            ++c;
        }
        return i;
    };
    size_t bb = toByte(b), eb = toByte(e);
    return {bb, std::max(bb, eb)};
}

int64_t cpIndex(const std::string& s, size_t byte) {
    return static_cast<int64_t>(utf8Length(std::string_view(s).substr(0, byte)));
}

bool allChars(const std::string& s, bool (*pred)(uint32_t)) {
    if (s.empty()) return false;
    for (char32_t c : decodeUtf8(s))
        if (!pred(c)) return false;
    return true;
}

Value strList(const std::vector<std::string>& parts) {
    std::vector<Value> out;
    out.reserve(parts.size());
    for (const auto& p : parts) out.emplace_back(p);
    return Value::list(std::move(out));
}

std::optional<Value> strMethod(Interpreter& in, const std::string& s, const std::string& m, CallArgs& a) {
    auto optChars = [&](size_t i, std::string& holder) -> const std::string* {
        const Value* v = argAt(a, i, "chars");
        if (!v || v->isNone()) return nullptr;
        holder = v->toStr();
        return &holder;
    };
    std::string h;
    if (m == "strip") return Value(pyStrip(s, optChars(0, h), true, true));
    if (m == "lstrip") return Value(pyStrip(s, optChars(0, h), true, false));
    if (m == "rstrip") return Value(pyStrip(s, optChars(0, h), false, true));
    if (m == "split" || m == "rsplit") {
        const Value* sep = argAt(a, 0, "sep");
        const Value* mx = argAt(a, 1, "maxsplit");
        int64_t maxsplit = mx ? mx->asInt() : -1;
        std::string sepStr = sep && !sep->isNone() ? sep->toStr() : std::string();
        if (sep && !sep->isNone() && sepStr.empty()) throw Error("empty separator");
        const std::string* sp = sep && !sep->isNone() ? &sepStr : nullptr;
        return strList(m == "split" ? pySplit(s, sp, maxsplit) : pyRSplit(s, sp, maxsplit));
    }
    if (m == "splitlines") return strList(pySplitLines(s));
    if (m == "startswith" || m == "endswith") {
        const Value* p = argAt(a, 0);
        if (!p) throw Error(m + "() takes at least 1 argument");
        auto [b, e] = byteRange(s, a, 1);
        std::string_view sub = std::string_view(s).substr(b, e - b);
        std::vector<Value> cands = p->isList() ? p->items() : std::vector<Value>{*p};
        for (const auto& c : cands) {
            if (!c.isString()) throw Error(m + " first arg must be str or a tuple of str");
            const std::string& x = c.str();
            bool ok = m == "startswith" ? sub.substr(0, x.size()) == x
                                        : (sub.size() >= x.size() && sub.substr(sub.size() - x.size()) == x);
            if (ok) return Value(true);
        }
        return Value(false);
    }
    if (m == "upper") return Value(pyUpper(s));
    if (m == "lower" || m == "casefold") return Value(pyLower(s));
    if (m == "title") return Value(pyTitle(s));
    if (m == "capitalize") return Value(pyCapitalize(s));
    if (m == "swapcase") {
        std::string o;
        for (char32_t c : decodeUtf8(s)) appendCodePoint(o, pyIsUpper(c) ? pyToLower(c) : pyToUpper(c));
        return Value(o);
    }
    if (m == "replace") {
        const Value* cnt = argAt(a, 2, "count");
        std::string r =
            pyReplace(s, strArg(a, 0, "replace"), strArg(a, 1, "replace"), cnt ? cnt->asInt() : -1);
        in.checkSize(r.size());
        return Value(std::move(r));
    }
    if (m == "find" || m == "index" || m == "rfind" || m == "rindex") {
        std::string sub = strArg(a, 0, m.c_str());
        auto [b, e] = byteRange(s, a, 1);
        std::string_view hay = std::string_view(s).substr(b, e - b);
        size_t f = (m == "find" || m == "index") ? hay.find(sub) : hay.rfind(sub);
        if (f == std::string_view::npos) {
            if (m == "index" || m == "rindex") throw Error("substring not found");
            return Value(int64_t(-1));
        }
        return Value(cpIndex(s, b + f));
    }
    if (m == "count") {
        auto [b, e] = byteRange(s, a, 1);
        return Value(pyCount(std::string_view(s).substr(b, e - b), strArg(a, 0, "count")));
    }
    if (m == "join") {
        const Value* it = argAt(a, 0);
        if (!it) throw Error("join() takes exactly one argument");
        std::string out;
        bool first = true;
        for (const auto& x : iterate(*it)) {
            if (!x.isString())
                throw Error("sequence item: expected str instance, " + x.typeName() + " found");
            if (!first) out += s;
            first = false;
            out += x.str();
            in.checkSize(out.size());
        }
        return Value(std::move(out));
    }
    if (m == "format") return Value(pyStrFormat(s, a));
    if (m == "format_map") {
        const Value* d = argAt(a, 0);
        if (!d || !d->isDict()) throw Error("format_map() argument must be a mapping");
        CallArgs kw;
        for (const auto& kv : d->dict().items) kw.kw.emplace_back(kv.first.toStr(), kv.second);
        return Value(pyStrFormat(s, kw));
    }
    if (m == "isdigit" || m == "isnumeric" || m == "isdecimal") return Value(allChars(s, pyIsDigit));
    if (m == "isalpha") return Value(allChars(s, pyIsAlpha));
    if (m == "isalnum") return Value(allChars(s, [](uint32_t c) { return pyIsAlpha(c) || pyIsDigit(c); }));
    if (m == "isspace") return Value(allChars(s, pyIsSpace));
    if (m == "islower" || m == "isupper") {
        bool cased = false;
        for (char32_t c : decodeUtf8(s)) {
            if (m == "islower" ? pyIsUpper(c) : pyIsLower(c)) return Value(false);
            if (pyIsUpper(c) || pyIsLower(c)) cased = true;
        }
        return Value(cased);
    }
    if (m == "zfill" || m == "center" || m == "ljust" || m == "rjust") {
        const Value* w = argAt(a, 0);
        if (!w || !w->isInt()) throw Error(m + "() argument must be an integer");
        int64_t width = w->asInt();
        auto len = static_cast<int64_t>(utf8Length(s));
        if (width <= len) return Value(s);
        if (width > (1 << 24)) throw Error(m + "(): width too large");
        auto total = static_cast<size_t>(width - len);
        if (m == "zfill") {
            size_t at = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
            std::string r = s;
            r.insert(at, total, '0');
            return Value(r);
        }
        std::string fill = " ";
        if (const Value* f = argAt(a, 1)) fill = f->toStr();
        auto rep = [&](size_t n) {
            std::string o;
            for (size_t i = 0; i < n; ++i) o += fill;
            return o;
        };
        if (m == "ljust") return Value(s + rep(total));
        if (m == "rjust") return Value(rep(total) + s);
        size_t left = total / 2 + (total & static_cast<size_t>(width) & 1);
        return Value(rep(left) + s + rep(total - left));
    }
    if (m == "partition" || m == "rpartition") {
        std::string sep = strArg(a, 0, m.c_str());
        if (sep.empty()) throw Error("empty separator");
        size_t f = m == "partition" ? s.find(sep) : s.rfind(sep);
        if (f == std::string::npos)
            return m == "partition" ? Value::list({Value(s), Value(""), Value("")}, true)
                                    : Value::list({Value(""), Value(""), Value(s)}, true);
        return Value::list({Value(s.substr(0, f)), Value(sep), Value(s.substr(f + sep.size()))}, true);
    }
    if (m == "removeprefix") {
        std::string p = strArg(a, 0, "removeprefix");
        return Value(s.compare(0, p.size(), p) == 0 ? s.substr(p.size()) : s);
    }
    if (m == "removesuffix") {
        std::string p = strArg(a, 0, "removesuffix");
        bool ok = !p.empty() && s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
        return Value(ok ? s.substr(0, s.size() - p.size()) : s);
    }
    return std::nullopt;
}

[[noreturn]] void securityError(const Value& obj, const std::string& m) {
    throw Error("access to attribute '" + m + "' of '" + obj.typeName() +
                "' object is unsafe (templates cannot modify their inputs)");
}

} // namespace

bool hasMethod(const Value& obj, const std::string& name) {
    if (obj.isString()) return kStrMethods.count(name) > 0;
    if (obj.isDict()) return kDictMethods.count(name) > 0;
    if (obj.isList()) return kListMethods.count(name) > 0;
    return false;
}

std::optional<Value> callMethod(Interpreter& in, const Value& obj, const std::string& m, CallArgs& a) {
    if (!hasMethod(obj, m)) return std::nullopt;
    if (obj.isString()) return strMethod(in, obj.str(), m, a);
    if (kMutating.count(m)) securityError(obj, m);
    if (obj.isDict()) {
        const auto& d = obj.dict();
        if (m == "items") {
            std::vector<Value> out;
            out.reserve(d.items.size());
            for (const auto& kv : d.items) out.push_back(Value::list({kv.first, kv.second}, true));
            return Value::list(std::move(out));
        }
        if (m == "keys" || m == "values") {
            std::vector<Value> out;
            out.reserve(d.items.size());
            for (const auto& kv : d.items) out.push_back(m == "keys" ? kv.first : kv.second);
            return Value::list(std::move(out));
        }
        if (m == "get") {
            const Value* k = argAt(a, 0);
            if (!k) throw Error("get expected at least 1 argument, got 0");
            if (const Value* v = d.find(*k)) return *v;
            const Value* def = argAt(a, 1);
            return def ? *def : Value::none();
        }
        if (m == "copy") {
            auto c = std::make_shared<DictData>(d);
            return Value(std::move(c));
        }
    }
    if (obj.isList()) {
        const auto& items = obj.items();
        if (m == "index" || m == "count") {
            const Value* x = argAt(a, 0);
            if (!x) throw Error(m + "() takes at least 1 argument");
            int64_t n = 0;
            for (size_t i = 0; i < items.size(); ++i) {
                if (equals(items[i], *x)) {
                    if (m == "index") return Value(static_cast<int64_t>(i));
                    ++n;
                }
            }
            if (m == "index") throw Error(x->repr() + " is not in list");
            return Value(n);
        }
        if (m == "copy") return Value::list(items, obj.isTuple());
    }
    return std::nullopt;
}

} // namespace hone::jinja
