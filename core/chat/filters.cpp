// Jinja2's built-in filters (HTML/URL-specific ones excepted), with Python semantics.
#include "chat/builtins.h"
#include "chat/interpreter.h"
#include "chat/text_util.h"
#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>

namespace hone::jinja {

namespace {

// Positional-or-keyword argument access.
const Value* arg(const CallArgs& a, size_t idx, std::string_view name) {
    if (idx < a.pos.size()) return &a.pos[idx];
    for (const auto& [k, v] : a.kw)
        if (k == name) return &v;
    return nullptr;
}
Value argOr(const CallArgs& a, size_t idx, std::string_view name, Value def) {
    const Value* v = arg(a, idx, name);
    return v ? *v : std::move(def);
}
bool boolArg(const CallArgs& a, size_t idx, std::string_view name, bool def) {
    const Value* v = arg(a, idx, name);
    return v ? v->truthy() : def;
}
int64_t intArg(const CallArgs& a, size_t idx, std::string_view name, int64_t def) {
    const Value* v = arg(a, idx, name);
    if (!v || v->isNone()) return def;
    if (!v->isNumber())
        throw Error("expected an integer argument '" + std::string(name) + "', got " + v->typeName());
    return v->isInt() ? v->asInt() : static_cast<int64_t>(v->asFloat());
}
std::string strOf(const Value& v) {
    return v.toStr();
}

std::vector<Value> seqOf(const Value& v) {
    return iterate(v);
}

// Jinja2's attribute lookup for filters: "a.b.0" walks dicts/lists.
Value attrPath(Interpreter& in, const Value& item, const Value& attribute) {
    if (attribute.isInt()) return getItem(in, item, attribute);
    std::string path = attribute.toStr();
    Value cur = item;
    size_t p = 0;
    while (true) {
        size_t e = path.find('.', p);
        std::string part = path.substr(p, e == std::string::npos ? std::string::npos : e - p);
        bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        });
        cur = digits ? getItem(in, cur, Value(static_cast<int64_t>(std::atoll(part.c_str()))))
                     : getItem(in, cur, Value(part));
        if (e == std::string::npos) return cur;
        p = e + 1;
    }
}

Value sortKey(const Value& v, bool caseSensitive) {
    if (!caseSensitive && v.isString()) return Value(pyLower(v.str()));
    return v;
}

Value makeList(std::vector<Value> v) {
    return Value::list(std::move(v));
}
// Jinja2's select/reject/map/... skip a falsy input (None, empty) instead of iterating it.
std::vector<Value> seqIfTruthy(const Value& v) {
    return v.truthy() ? iterate(v) : std::vector<Value>{};
}

Value fAbs(Interpreter&, const Value& v, CallArgs&) {
    if (v.isInt()) return Value(v.asInt() < 0 ? -v.asInt() : v.asInt());
    if (v.isFloat()) return Value(std::fabs(v.asFloat()));
    throw Error("bad operand type for abs(): '" + v.typeName() + "'");
}

Value fAttr(Interpreter& in, const Value& v, CallArgs& a) {
    std::string name = argOr(a, 0, "name", Value("")).toStr();
    if (v.isObject()) return v.object().attr(name);
    if ((v.isDict() || v.isString() || v.isList()) && hasMethod(v, name)) return getAttr(in, v, name);
    if (v.isUndefined()) throwUndefined(v);
    return Value::undefined("'" + v.typeName() + " object' has no attribute '" + name + "'");
}

Value fBatch(Interpreter&, const Value& v, CallArgs& a) {
    int64_t n = intArg(a, 0, "linecount", 1);
    if (n <= 0) throw Error("batch size must be positive");
    const Value* fill = arg(a, 1, "fill_with");
    std::vector<Value> out, cur;
    for (auto& x : seqOf(v)) {
        cur.push_back(x);
        if (static_cast<int64_t>(cur.size()) == n) {
            out.push_back(makeList(std::move(cur)));
            cur.clear();
        }
    }
    if (!cur.empty()) {
        if (fill && !fill->isNone())
            while (static_cast<int64_t>(cur.size()) < n) cur.push_back(*fill);
        out.push_back(makeList(std::move(cur)));
    }
    return Value::generator(std::move(out));
}

Value fCapitalize(Interpreter&, const Value& v, CallArgs&) {
    return Value(pyCapitalize(strOf(v)));
}

Value fCenter(Interpreter&, const Value& v, CallArgs& a) {
    std::string s = strOf(v);
    int64_t w = intArg(a, 0, "width", 80);
    auto len = static_cast<int64_t>(utf8Length(s));
    if (w <= len) return Value(s);
    if (w > (1 << 20)) throw Error("center width too large");
    int64_t total = w - len;
    int64_t left = total / 2 + (total & w & 1);
    return Value(std::string(static_cast<size_t>(left), ' ') + s +
                 std::string(static_cast<size_t>(total - left), ' '));
}

Value fDefault(Interpreter&, const Value& v, CallArgs& a) {
    bool boolean = boolArg(a, 1, "boolean", false);
    if (v.isUndefined() || (boolean && !v.truthy())) return argOr(a, 0, "default_value", Value(""));
    return v;
}

Value fDictsort(Interpreter&, const Value& v, CallArgs& a) {
    if (!v.isDict()) throw Error("dictsort: expected a dict, got " + v.typeName());
    bool cs = boolArg(a, 0, "case_sensitive", false);
    std::string by = argOr(a, 1, "by", Value("key")).toStr();
    bool rev = boolArg(a, 2, "reverse", false);
    size_t pos = by == "key" ? 0 : by == "value" ? 1 : 2;
    if (pos == 2) throw Error("You can only sort by either \"key\" or \"value\"");
    std::vector<Value> items;
    for (const auto& kv : v.dict().items) items.push_back(Value::list({kv.first, kv.second}, true));
    std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
        int c = compare(sortKey(x.items()[pos], cs), sortKey(y.items()[pos], cs));
        return rev ? c > 0 : c < 0;
    });
    return makeList(std::move(items));
}

} // namespace

std::string htmlEscape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&':
            o += "&amp;";
            break;
        case '<':
            o += "&lt;";
            break;
        case '>':
            o += "&gt;";
            break;
        case '"':
            o += "&#34;";
            break;
        case '\'':
            o += "&#39;";
            break;
        default:
            o += c;
        }
    }
    return o;
}

namespace {

Value fEscape(Interpreter&, const Value& v, CallArgs&) {
    if (v.isMarkup()) return v;
    return Value::markup(htmlEscape(strOf(v)));
}
Value fForceescape(Interpreter&, const Value& v, CallArgs&) {
    return Value::markup(htmlEscape(strOf(v)));
}

Value fFilesizeformat(Interpreter&, const Value& v, CallArgs& a) {
    bool binary = boolArg(a, 0, "binary", false);
    double bytes = v.isNumber() ? v.asFloat() : std::strtod(strOf(v).c_str(), nullptr);
    double base = binary ? 1024 : 1000;
    const char* pre[] = {binary ? "KiB" : "kB", binary ? "MiB" : "MB", binary ? "GiB" : "GB",
                         binary ? "TiB" : "TB", binary ? "PiB" : "PB", binary ? "EiB" : "EB",
                         binary ? "ZiB" : "ZB", binary ? "YiB" : "YB"};
    if (bytes == 1) return Value("1 Byte");
    if (bytes < base) return Value(std::to_string(static_cast<int64_t>(bytes)) + " Bytes");
    double unit = base;
    for (int i = 0; i < 8; ++i) {
        unit = std::pow(base, i + 2);
        if (bytes < unit || i == 7) {
            char b[64];
            std::snprintf(b, sizeof b, "%.1f %s", base * bytes / unit, pre[i]);
            return Value(std::string(b));
        }
    }
    return Value("");
}

Value fFirst(Interpreter&, const Value& v, CallArgs&) {
    auto s = seqOf(v);
    if (s.empty()) return Value::undefined("No first item, sequence was empty.");
    return s.front();
}

Value fLast(Interpreter&, const Value& v, CallArgs&) {
    if (v.isGenerator()) throw Error("'generator' object is not reversible");
    auto s = seqOf(v);
    if (s.empty()) return Value::undefined("No last item, sequence was empty.");
    return s.back();
}

std::optional<double> parseFloat(const std::string& raw) {
    std::string s = pyStrip(raw, nullptr, true, true);
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    return d;
}

Value fFloat(Interpreter&, const Value& v, CallArgs& a) {
    Value def = argOr(a, 0, "default", Value(0.0));
    if (v.isNumber()) return Value(v.asFloat());
    if (v.isString()) {
        if (auto d = parseFloat(v.str())) return Value(*d);
    }
    return def;
}

Value fInt(Interpreter&, const Value& v, CallArgs& a) {
    Value def = argOr(a, 0, "default", Value(int64_t(0)));
    int64_t base = intArg(a, 1, "base", 10);
    if (v.isInt()) return Value(v.asInt());
    if (v.isFloat()) {
        if (!std::isfinite(v.asFloat())) return def;
        return Value(static_cast<int64_t>(v.asFloat()));
    }
    if (v.isString()) {
        std::string s = pyStrip(v.str(), nullptr, true, true);
        s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
        if (!s.empty()) {
            char* end = nullptr;
            errno = 0;
            long long r = std::strtoll(s.c_str(), &end, static_cast<int>(base));
            if (end == s.c_str() + s.size() && errno == 0) return Value(static_cast<int64_t>(r));
            if (auto d = parseFloat(v.str()); d && std::isfinite(*d)) return Value(static_cast<int64_t>(*d));
        }
    }
    return def;
}

Value fFormat(Interpreter&, const Value& v, CallArgs& a) {
    if (!a.kw.empty() && !a.pos.empty())
        throw Error("can't handle positional and keyword arguments at the same time");
    if (!a.kw.empty()) {
        auto d = std::make_shared<DictData>();
        for (auto& [k, x] : a.kw) d->set(Value(k), x);
        return Value(pyPercentFormat(strOf(v), Value(std::move(d))));
    }
    return Value(pyPercentFormat(strOf(v), Value::list(a.pos, true)));
}

Value fIndent(Interpreter&, const Value& v, CallArgs& a) {
    Value w = argOr(a, 0, "width", Value(int64_t(4)));
    bool first = boolArg(a, 1, "first", false);
    bool blank = boolArg(a, 2, "blank", false);
    std::string ind = w.isString()
                          ? w.str()
                          : std::string(static_cast<size_t>(std::clamp<int64_t>(w.asInt(), 0, 1 << 16)), ' ');
    std::string s = strOf(v) + "\n";
    auto lines = pySplitLines(s);
    std::string rv;
    if (blank) {
        for (size_t i = 0; i < lines.size(); ++i) {
            if (i) {
                rv += '\n';
                rv += ind;
            }
            rv += lines[i];
        }
    } else {
        rv = lines.empty() ? "" : lines[0];
        for (size_t i = 1; i < lines.size(); ++i) {
            rv += '\n';
            if (!lines[i].empty()) {
                rv += ind;
                rv += lines[i];
            }
        }
    }
    if (first) rv = ind + rv;
    return Value(std::move(rv));
}

Value fItems(Interpreter&, const Value& v, CallArgs&) {
    if (v.isUndefined()) return Value::generator({});
    if (!v.isDict()) throw Error("Can only get item pairs from a mapping.");
    std::vector<Value> out;
    for (const auto& kv : v.dict().items) out.push_back(Value::list({kv.first, kv.second}, true));
    return Value::generator(std::move(out));
}

Value fJoin(Interpreter& in, const Value& v, CallArgs& a) {
    std::string sep = argOr(a, 0, "d", Value("")).toStr();
    const Value* attribute = arg(a, 1, "attribute");
    std::string out;
    bool first = true;
    for (const auto& x : seqOf(v)) {
        if (!first) out += sep;
        first = false;
        if (attribute && !attribute->isNone()) {
            attrPath(in, x, *attribute).appendStr(out);
        } else {
            x.appendStr(out);
        }
        in.checkSize(out.size());
    }
    return Value(std::move(out));
}

Value fLength(Interpreter&, const Value& v, CallArgs&) {
    switch (v.type()) {
    case Value::Type::String:
        return Value(static_cast<int64_t>(utf8Length(v.str())));
    case Value::Type::List:
        if (v.isGenerator()) throw Error("object of type 'generator' has no len()");
        return Value(static_cast<int64_t>(v.items().size()));
    case Value::Type::Dict:
        return Value(static_cast<int64_t>(v.dict().items.size()));
    case Value::Type::Undefined:
        return Value(int64_t(0));
    default:
        throw Error("object of type '" + v.typeName() + "' has no len()");
    }
}

Value fList(Interpreter&, const Value& v, CallArgs&) {
    return makeList(seqOf(v));
}
Value fLower(Interpreter&, const Value& v, CallArgs&) {
    return Value(pyLower(strOf(v)));
}
Value fUpper(Interpreter&, const Value& v, CallArgs&) {
    return Value(pyUpper(strOf(v)));
}

Value fMap(Interpreter& in, const Value& v, CallArgs& a) {
    std::vector<Value> out;
    auto seq = seqIfTruthy(v);
    if (const Value* attribute = arg(a, 99, "attribute")) {
        const Value* def = arg(a, 99, "default");
        for (const auto& x : seq) {
            Value r = attrPath(in, x, *attribute);
            if (r.isUndefined() && def) r = *def;
            out.push_back(r);
        }
        return Value::generator(std::move(out));
    }
    if (a.pos.empty()) throw Error("map requires a filter argument");
    std::string name = a.pos[0].toStr();
    FilterFn fn = findFilter(name);
    if (!fn) throw Error("No filter named '" + name + "'.");
    CallArgs rest;
    rest.pos.assign(a.pos.begin() + 1, a.pos.end());
    rest.kw = a.kw;
    for (const auto& x : seq) {
        CallArgs copy = rest;
        out.push_back(fn(in, x, copy));
    }
    return Value::generator(std::move(out));
}

Value minMax(Interpreter& in, const Value& v, CallArgs& a, bool isMax) {
    bool cs = boolArg(a, 0, "case_sensitive", false);
    const Value* attribute = arg(a, 1, "attribute");
    auto seq = seqOf(v);
    if (seq.empty()) return Value::undefined(std::string("No aggregated item, sequence was empty."));
    size_t best = 0;
    auto key = [&](const Value& x) {
        return sortKey(attribute && !attribute->isNone() ? attrPath(in, x, *attribute) : x, cs);
    };
    Value bestKey = key(seq[0]);
    for (size_t i = 1; i < seq.size(); ++i) {
        Value k = key(seq[i]);
        int c = compare(k, bestKey);
        if (isMax ? c > 0 : c < 0) {
            best = i;
            bestKey = k;
        }
    }
    return seq[best];
}
Value fMax(Interpreter& in, const Value& v, CallArgs& a) {
    return minMax(in, v, a, true);
}
Value fMin(Interpreter& in, const Value& v, CallArgs& a) {
    return minMax(in, v, a, false);
}

Value fPprint(Interpreter&, const Value& v, CallArgs&) {
    return Value(v.repr());
}

// select/reject/selectattr/rejectattr
Value selectImpl(Interpreter& in, const Value& v, CallArgs& a, bool byAttr, bool expect) {
    size_t off = 0;
    Value attribute;
    if (byAttr) {
        if (a.pos.empty()) throw Error("Missing parameter for attribute name");
        attribute = a.pos[0];
        off = 1;
    }
    TestFn fn = nullptr;
    CallArgs rest;
    if (a.pos.size() > off) {
        std::string name = a.pos[off].toStr();
        fn = findTest(name);
        if (!fn) throw Error("No test named '" + name + "'.");
        rest.pos.assign(a.pos.begin() + static_cast<std::ptrdiff_t>(off + 1), a.pos.end());
        rest.kw = a.kw;
    }
    std::vector<Value> out;
    for (const auto& x : seqIfTruthy(v)) {
        Value item = byAttr ? attrPath(in, x, attribute) : x;
        bool r;
        if (fn) {
            CallArgs copy = rest;
            r = fn(in, item, copy);
        } else {
            r = item.truthy();
        }
        if (r == expect) out.push_back(x);
    }
    return Value::generator(std::move(out));
}
Value fSelect(Interpreter& in, const Value& v, CallArgs& a) {
    return selectImpl(in, v, a, false, true);
}
Value fReject(Interpreter& in, const Value& v, CallArgs& a) {
    return selectImpl(in, v, a, false, false);
}
Value fSelectattr(Interpreter& in, const Value& v, CallArgs& a) {
    return selectImpl(in, v, a, true, true);
}
Value fRejectattr(Interpreter& in, const Value& v, CallArgs& a) {
    return selectImpl(in, v, a, true, false);
}

Value fReplace(Interpreter& in, const Value& v, CallArgs& a) {
    std::string s = strOf(v);
    std::string from = argOr(a, 0, "old", Value("")).toStr();
    std::string to = argOr(a, 1, "new", Value("")).toStr();
    int64_t count = intArg(a, 2, "count", -1);
    std::string r = pyReplace(s, from, to, count);
    in.checkSize(r.size());
    return Value(std::move(r));
}

Value fReverse(Interpreter&, const Value& v, CallArgs&) {
    if (v.isString()) {
        auto u = decodeUtf8(v.str());
        std::reverse(u.begin(), u.end());
        return Value(encodeUtf8(u));
    }
    auto s = seqOf(v);
    std::reverse(s.begin(), s.end());
    return Value::generator(std::move(s));
}

Value fRound(Interpreter&, const Value& v, CallArgs& a) {
    int64_t prec = intArg(a, 0, "precision", 0);
    std::string method = argOr(a, 1, "method", Value("common")).toStr();
    if (!v.isNumber()) throw Error("round: expected a number, got " + v.typeName());
    double x = v.asFloat();
    double m = std::pow(10.0, static_cast<double>(prec));
    if (method == "ceil") return Value(std::ceil(x * m) / m);
    if (method == "floor") return Value(std::floor(x * m) / m);
    if (method != "common") throw Error("method must be common, ceil or floor");
    // Python round(): correctly rounded, ties to even. Go through the decimal string like CPython does.
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(std::clamp<int64_t>(prec, 0, 300)), x);
    if (prec >= 0) return Value(std::strtod(buf, nullptr));
    double r = std::nearbyint(x * m) / m;
    return Value(r);
}

Value fSafe(Interpreter&, const Value& v, CallArgs&) {
    return Value::markup(strOf(v));
}

Value fSlice(Interpreter&, const Value& v, CallArgs& a) {
    int64_t slices = intArg(a, 0, "slices", 1);
    if (slices <= 0 || slices > 100000) throw Error("slice count out of range");
    const Value* fill = arg(a, 1, "fill_with");
    auto seq = seqOf(v);
    auto length = static_cast<int64_t>(seq.size());
    int64_t per = length / slices, extra = length % slices, offset = 0;
    std::vector<Value> out;
    for (int64_t i = 0; i < slices; ++i) {
        int64_t start = offset + i * per;
        if (i < extra) ++offset;
        int64_t end = offset + (i + 1) * per;
        std::vector<Value> part(seq.begin() + start, seq.begin() + end);
        if (fill && !fill->isNone() && i >= extra) part.push_back(*fill);
        out.push_back(makeList(std::move(part)));
    }
    return Value::generator(std::move(out));
}

Value fSort(Interpreter& in, const Value& v, CallArgs& a) {
    bool rev = boolArg(a, 0, "reverse", false);
    bool cs = boolArg(a, 1, "case_sensitive", false);
    const Value* attribute = arg(a, 2, "attribute");
    auto seq = seqOf(v);
    std::vector<std::pair<Value, Value>> keyed;
    for (auto& x : seq)
        keyed.emplace_back(sortKey(attribute && !attribute->isNone() ? attrPath(in, x, *attribute) : x, cs),
                           x);
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
        int c = compare(x.first, y.first);
        return rev ? c > 0 : c < 0;
    });
    std::vector<Value> out;
    for (auto& kv : keyed) out.push_back(kv.second);
    return makeList(std::move(out));
}

Value fString(Interpreter&, const Value& v, CallArgs&) {
    return v.isMarkup() ? v : Value(strOf(v));
}

Value fSum(Interpreter& in, const Value& v, CallArgs& a) {
    const Value* attribute = arg(a, 0, "attribute");
    Value total = argOr(a, 1, "start", Value(int64_t(0)));
    for (const auto& x : seqOf(v)) {
        Value item = attribute && !attribute->isNone() ? attrPath(in, x, *attribute) : x;
        if (total.isInt() && item.isInt()) {
            total = Value(total.asInt() + item.asInt());
        } else if (total.isNumber() && item.isNumber()) {
            total = Value(total.asFloat() + item.asFloat());
        } else {
            throw Error("unsupported operand type(s) for +: '" + total.typeName() + "' and '" +
                        item.typeName() + "'");
        }
    }
    return total;
}

Value fTitle(Interpreter&, const Value& v, CallArgs&) {
    // Jinja2: capitalize each item of re.split(r"([-\s\(\{\[\<]+)", s).
    auto u = decodeUtf8(strOf(v));
    std::string out;
    bool start = true;
    for (char32_t c : u) {
        bool sep = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || pyIsSpace(c);
        if (sep) {
            appendCodePoint(out, c);
            start = true;
        } else {
            appendCodePoint(out, start ? pyToUpper(c) : pyToLower(c));
            start = false;
        }
    }
    return Value(std::move(out));
}

Value fTojson(Interpreter& in, const Value& v, CallArgs& a) {
    const Value* indent = arg(a, 0, "indent");
    const Value* seps = arg(a, 1, "separators");
    bool sortKeys = boolArg(a, 2, "sort_keys", false);
    bool hasIndent = indent && !indent->isNone();
    int ind = 0;
    std::string indentStr;
    if (hasIndent) {
        if (indent->isString()) {
            indentStr = indent->str();
        } else if (indent->isInt()) {
            ind = static_cast<int>(std::clamp<int64_t>(indent->asInt(), -1, 1024));
            indentStr.assign(static_cast<size_t>(std::max(ind, 0)), ' ');
        } else {
            throw Error("tojson: indent must be an integer or a string");
        }
    }
    std::string itemSep = hasIndent ? "," : ", ", keySep = ": ";
    if (seps && !seps->isNone()) {
        auto parts = seqOf(*seps);
        if (parts.size() != 2) throw Error("tojson: separators must be a pair");
        itemSep = parts[0].toStr();
        keySep = parts[1].toStr();
    }
    std::string r = pyJsonDumps(v, indentStr, hasIndent, itemSep, keySep, sortKeys);
    in.checkSize(r.size());
    return Value(std::move(r));
}

Value fTrim(Interpreter&, const Value& v, CallArgs& a) {
    const Value* chars = arg(a, 0, "chars");
    std::string cs = chars && !chars->isNone() ? chars->toStr() : std::string();
    return Value(pyStrip(strOf(v), chars && !chars->isNone() ? &cs : nullptr, true, true));
}

Value fTruncate(Interpreter&, const Value& v, CallArgs& a) {
    std::string s = strOf(v);
    int64_t length = intArg(a, 0, "length", 255);
    bool killwords = boolArg(a, 1, "killwords", false);
    std::string end = argOr(a, 2, "end", Value("...")).toStr();
    const Value* lw = arg(a, 3, "leeway");
    int64_t leeway = lw && !lw->isNone() ? lw->asInt() : 5;
    auto u = decodeUtf8(s);
    auto endLen = static_cast<int64_t>(utf8Length(end));
    if (length < endLen)
        throw Error("expected length >= " + std::to_string(endLen) + ", got " + std::to_string(length));
    if (leeway < 0) throw Error("expected leeway >= 0");
    if (static_cast<int64_t>(u.size()) <= length + leeway) return Value(s);
    std::u32string head = u.substr(0, static_cast<size_t>(length - endLen));
    if (killwords) return Value(encodeUtf8(head) + end);
    auto sp = head.rfind(U' ');
    if (sp != std::u32string::npos) head = head.substr(0, sp);
    return Value(encodeUtf8(head) + end);
}

Value fUnique(Interpreter& in, const Value& v, CallArgs& a) {
    bool cs = boolArg(a, 0, "case_sensitive", false);
    const Value* attribute = arg(a, 1, "attribute");
    std::vector<Value> out, seen;
    for (const auto& x : seqOf(v)) {
        Value k = sortKey(attribute && !attribute->isNone() ? attrPath(in, x, *attribute) : x, cs);
        bool dup = std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, k); });
        if (!dup) {
            seen.push_back(k);
            out.push_back(x);
        }
    }
    return Value::generator(std::move(out));
}

Value fWordcount(Interpreter&, const Value& v, CallArgs&) {
    int64_t n = 0;
    bool in = false;
    for (char32_t c : decodeUtf8(strOf(v))) {
        bool w = pyIsAlpha(c) || pyIsDigit(c) || c == '_';
        if (w && !in) ++n;
        in = w;
    }
    return Value(n);
}

Value fGroupby(Interpreter& in, const Value& v, CallArgs& a) {
    const Value* attribute = arg(a, 0, "attribute");
    if (!attribute) throw Error("groupby requires an attribute");
    const Value* def = arg(a, 1, "default");
    bool cs = boolArg(a, 2, "case_sensitive", false);
    std::vector<std::pair<Value, Value>> keyed;
    for (const auto& x : seqOf(v)) {
        Value k = attrPath(in, x, *attribute);
        if (k.isUndefined() && def) k = *def;
        keyed.emplace_back(sortKey(k, cs), x);
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& x, const auto& y) { return compare(x.first, y.first) < 0; });
    std::vector<Value> out;
    for (size_t i = 0; i < keyed.size();) {
        std::vector<Value> group;
        size_t j = i;
        while (j < keyed.size() && equals(keyed[j].first, keyed[i].first)) group.push_back(keyed[j++].second);
        out.push_back(Value::list({keyed[i].first, makeList(std::move(group))}, true));
        i = j;
    }
    return makeList(std::move(out));
}

// Python's urllib.parse.quote: UTF-8 bytes, unreserved characters (and `safe`) kept, the rest %XX.
std::string urlQuote(const std::string& s, bool forQuery) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || (c == '/' && !forQuery)) {
            out += static_cast<char>(c);
        } else if (c == ' ' && forQuery) {
            out += '+';
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// Jinja2's urlencode: a string is quoted keeping '/', a dict or a list of pairs becomes a query string.
Value fUrlencode(Interpreter&, const Value& v, CallArgs&) {
    if (v.isString() || v.isNumber() || v.isNone() || v.isBool()) return Value(urlQuote(strOf(v), false));
    std::vector<std::pair<Value, Value>> pairs;
    if (v.isDict()) {
        pairs = v.dict().items;
    } else {
        for (const auto& item : iterate(v)) {
            auto kv = iterate(item);
            if (kv.size() != 2) throw Error("urlencode: expected a dict or a list of (key, value) pairs");
            pairs.emplace_back(kv[0], kv[1]);
        }
    }
    std::string out;
    for (const auto& [k, val] : pairs)
        out += (out.empty() ? "" : "&") + urlQuote(strOf(k), true) + "=" + urlQuote(strOf(val), true);
    return Value(std::move(out));
}

// Jinja2's random: one item of the sequence, chosen at random (different on every render, as in Jinja2);
// an empty sequence gives an undefined value.
Value fRandom(Interpreter&, const Value& v, CallArgs&) {
    auto items = seqOf(v);
    if (items.empty()) return Value::undefined("No random item, sequence was empty.");
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

const std::map<std::string, FilterFn, std::less<>>& filterTable() {
    static const std::map<std::string, FilterFn, std::less<>> t = {
        {"abs", fAbs},
        {"attr", fAttr},
        {"batch", fBatch},
        {"capitalize", fCapitalize},
        {"center", fCenter},
        {"count", fLength},
        {"d", fDefault},
        {"default", fDefault},
        {"dictsort", fDictsort},
        {"e", fEscape},
        {"escape", fEscape},
        {"filesizeformat", fFilesizeformat},
        {"first", fFirst},
        {"float", fFloat},
        {"forceescape", fForceescape},
        {"format", fFormat},
        {"groupby", fGroupby},
        {"indent", fIndent},
        {"int", fInt},
        {"items", fItems},
        {"join", fJoin},
        {"last", fLast},
        {"length", fLength},
        {"list", fList},
        {"lower", fLower},
        {"map", fMap},
        {"max", fMax},
        {"min", fMin},
        {"pprint", fPprint},
        {"random", fRandom},
        {"reject", fReject},
        {"rejectattr", fRejectattr},
        {"replace", fReplace},
        {"reverse", fReverse},
        {"round", fRound},
        {"safe", fSafe},
        {"select", fSelect},
        {"selectattr", fSelectattr},
        {"slice", fSlice},
        {"sort", fSort},
        {"string", fString},
        {"sum", fSum},
        {"title", fTitle},
        {"tojson", fTojson},
        {"trim", fTrim},
        {"truncate", fTruncate},
        {"unique", fUnique},
        {"upper", fUpper},
        {"urlencode", fUrlencode},
        {"wordcount", fWordcount},
    };
    return t;
}

} // namespace

FilterFn findFilter(const std::string& name) {
    const auto& t = filterTable();
    auto it = t.find(name);
    return it == t.end() ? nullptr : it->second;
}

} // namespace hone::jinja
