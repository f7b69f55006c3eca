// Python string formatting for templates: `fmt % args`, str.format() and json.dumps as transformers' tojson.
#include "chat/builtins.h"
#include "chat/interpreter.h"
#include "chat/text_util.h"
#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hone::jinja {

namespace {

std::string cFormat(const std::string& spec, double v) {
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, spec.c_str(), v);
    if (n < 0) throw Error("bad format");
    if (static_cast<size_t>(n) >= sizeof buf) {
        std::string big(static_cast<size_t>(n) + 1, '\0');
        std::snprintf(big.data(), big.size(), spec.c_str(), v);
        big.resize(static_cast<size_t>(n));
        return big;
    }
    return std::string(buf, static_cast<size_t>(n));
}

std::string cFormatInt(const std::string& spec, long long v) {
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, spec.c_str(), v);
    if (n < 0 || static_cast<size_t>(n) >= sizeof buf) throw Error("format result too long");
    return std::string(buf, static_cast<size_t>(n));
}

std::string pad(const std::string& s, size_t width, char align, uint32_t fill) {
    size_t len = utf8Length(s);
    if (len >= width) return s;
    size_t total = width - len;
    size_t left = align == '<' ? 0 : align == '>' ? total : total / 2;
    std::string f;
    appendCodePoint(f, fill);
    std::string out;
    for (size_t i = 0; i < left; ++i) out += f;
    out += s;
    for (size_t i = 0; i < total - left; ++i) out += f;
    return out;
}

int64_t toIntArg(const Value& v, char conv) {
    if (v.isInt()) return v.asInt();
    if (v.isFloat()) {
        if (!std::isfinite(v.asFloat())) throw Error("cannot convert float infinity/NaN to integer");
        return static_cast<int64_t>(v.asFloat());
    }
    throw Error(std::string("%") + conv + " format: a real number is required, not " + v.typeName());
}

double toFloatArg(const Value& v, char conv) {
    if (v.isNumber()) return v.asFloat();
    throw Error(std::string("%") + conv + " format: a real number is required, not " + v.typeName());
}

} // namespace

std::string pyPercentFormat(const std::string& fmt, const Value& args) {
    std::vector<Value> positional;
    const DictData* mapping = nullptr;
    if (args.isTuple()) {
        positional = args.items();
    } else if (args.isDict()) {
        mapping = &args.dict();
        positional.push_back(args);
    } else {
        positional.push_back(args);
    }
    size_t next = 0;
    bool usedMapping = false;
    std::string out;
    size_t i = 0;
    while (i < fmt.size()) {
        char c = fmt[i];
        if (c != '%') {
            out += c;
            ++i;
            continue;
        }
        ++i;
        if (i >= fmt.size()) throw Error("incomplete format");
        const Value* arg = nullptr;
        Value keyed;
        if (fmt[i] == '(') {
            size_t close = fmt.find(')', i);
            if (close == std::string::npos) throw Error("incomplete format key");
            if (!mapping) throw Error("format requires a mapping");
            std::string key = fmt.substr(i + 1, close - i - 1);
            const Value* v = mapping->find(std::string_view(key));
            if (!v) throw Error("KeyError: " + stringRepr(key));
            keyed = *v;
            arg = &keyed;
            usedMapping = true;
            i = close + 1;
        }
        std::string flags;
        while (i < fmt.size() && std::string("-+ #0").find(fmt[i]) != std::string::npos) flags += fmt[i++];
        std::string width, prec;
        bool hasPrec = false;
        while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) width += fmt[i++];
        if (i < fmt.size() && fmt[i] == '.') {
            hasPrec = true;
            ++i;
            while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) prec += fmt[i++];
        }
        while (i < fmt.size() && (fmt[i] == 'l' || fmt[i] == 'h' || fmt[i] == 'L')) ++i;
        if (i >= fmt.size()) throw Error("incomplete format");
        char conv = fmt[i++];
        if (width.size() > 4 || prec.size() > 4) throw Error("format width too large");
        if (conv == '%') {
            out += '%';
            continue;
        }
        if (!arg) {
            if (next >= positional.size()) throw Error("not enough arguments for format string");
            arg = &positional[next++];
        }
        std::string spec =
            "%" + flags + width + (hasPrec ? "." + (prec.empty() ? std::string("0") : prec) : "");
        switch (conv) {
        case 's':
        case 'r':
        case 'a': {
            std::string s = conv == 's' ? arg->toStr() : arg->repr();
            if (hasPrec) {
                auto chars = utf8Chars(s);
                size_t p = static_cast<size_t>(std::stoi(prec.empty() ? "0" : prec));
                if (chars.size() > p) {
                    std::string t;
                    for (size_t k = 0; k < p; ++k) t += chars[k];
                    s = t;
                }
            }
            size_t w = width.empty() ? 0 : static_cast<size_t>(std::stoi(width));
            out += pad(s, w, flags.find('-') != std::string::npos ? '<' : '>', ' ');
            break;
        }
        case 'd':
        case 'i':
        case 'u':
            out += cFormatInt(spec + "lld", static_cast<long long>(toIntArg(*arg, conv)));
            break;
        case 'x':
        case 'X':
        case 'o': {
            if (!arg->isInt()) throw Error(std::string("%") + conv + " format: an integer is required");
            int64_t v = arg->asInt();
            std::string body =
                cFormatInt("%" + std::string(flags.find('#') != std::string::npos ? "#" : "") + "ll" + conv,
                           static_cast<long long>(v < 0 ? -v : v));
            if (conv == 'o' && flags.find('#') != std::string::npos) body = "0o" + body.substr(1);
            if (v < 0) body = "-" + body;
            size_t w = width.empty() ? 0 : static_cast<size_t>(std::stoi(width));
            bool zero = flags.find('0') != std::string::npos && flags.find('-') == std::string::npos;
            if (zero && body.size() < w) {
                size_t at = v < 0 ? 1 : 0;
                body.insert(at, w - body.size(), '0');
            }
            out += pad(body, w, flags.find('-') != std::string::npos ? '<' : '>', ' ');
            break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G': {
            double v = toFloatArg(*arg, conv);
            if (!std::isfinite(v)) {
                std::string s = std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
                if (conv == 'E' || conv == 'F' || conv == 'G') s = pyUpper(s);
                out += s;
            } else {
                out += cFormat(spec + conv, v);
            }
            break;
        }
        case 'c': {
            if (arg->isInt()) {
                appendCodePoint(out, static_cast<uint32_t>(arg->asInt()));
            } else if (arg->isString() && utf8Length(arg->str()) == 1) {
                out += arg->str();
            } else {
                throw Error("%c requires an int or a unicode character");
            }
            break;
        }
        default:
            throw Error(std::string("unsupported format character '") + conv + "'");
        }
    }
    if (!usedMapping && !mapping && next < positional.size())
        throw Error("not all arguments converted during string formatting");
    return out;
}

namespace {

// Applies a str.format() format spec to a value.
std::string formatSpec(const Value& v, const std::string& spec) {
    size_t i = 0;
    uint32_t fill = ' ';
    char align = 0;
    auto u = decodeUtf8(spec);
    auto isAlign = [](char32_t c) { return c == '<' || c == '>' || c == '^' || c == '='; };
    if (u.size() >= 2 && isAlign(u[1])) {
        fill = u[0];
        align = static_cast<char>(u[1]);
        i = 2;
    } else if (!u.empty() && isAlign(u[0])) {
        align = static_cast<char>(u[0]);
        i = 1;
    }
    std::string rest = encodeUtf8(std::u32string_view(u).substr(i));
    size_t k = 0;
    char sign = '-';
    if (k < rest.size() && (rest[k] == '+' || rest[k] == '-' || rest[k] == ' ')) sign = rest[k++];
    bool alt = false;
    if (k < rest.size() && rest[k] == '#') {
        alt = true;
        ++k;
    }
    if (k < rest.size() && rest[k] == '0') {
        if (!align) {
            fill = '0';
            align = '=';
        }
        ++k;
    }
    std::string width;
    while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) width += rest[k++];
    char comma = 0;
    if (k < rest.size() && (rest[k] == ',' || rest[k] == '_')) {
        comma = rest[k];
        ++k;
    }
    std::string prec;
    bool hasPrec = false;
    if (k < rest.size() && rest[k] == '.') {
        hasPrec = true;
        ++k;
        while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) prec += rest[k++];
    }
    char type = k < rest.size() ? rest[k++] : '\0';
    if (k != rest.size() || width.size() > 4 || prec.size() > 4) throw Error("Invalid format specifier");
    (void)alt;
    (void)comma;
    size_t w = width.empty() ? 0 : static_cast<size_t>(std::stoi(width));
    std::string body;
    bool numeric = v.isNumber() && !(v.isBool() && type == '\0');
    if (v.isString() || type == 's' || (!v.isNumber())) {
        if (type != '\0' && type != 's')
            throw Error("Unknown format code '" + std::string(1, type) + "' for object of type '" +
                        v.typeName() + "'");
        body = v.toStr();
        if (hasPrec) {
            auto chars = utf8Chars(body);
            size_t p = static_cast<size_t>(std::stoi(prec.empty() ? "0" : prec));
            if (chars.size() > p) {
                std::string t;
                for (size_t q = 0; q < p; ++q) t += chars[q];
                body = t;
            }
        }
        return pad(body, w, align ? (align == '=' ? '<' : align) : '<', fill);
    }
    std::string signStr = sign == '-' ? "" : std::string(1, sign);
    if (v.isInt() && (type == '\0' || type == 'd' || type == 'x' || type == 'X' || type == 'o' ||
                      type == 'b' || type == 'c')) {
        int64_t x = v.asInt();
        uint64_t mag = x < 0 ? 0 - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
        if (type == 'c') {
            std::string c;
            appendCodePoint(c, static_cast<uint32_t>(x));
            return pad(c, w, align ? align : '<', fill);
        }
        if (type == 'b') {
            do {
                body.insert(body.begin(), static_cast<char>('0' + (mag & 1)));
                mag >>= 1;
            } while (mag);
        } else {
            body = cFormatInt(type == 'x'   ? "%llx"
                              : type == 'X' ? "%llX"
                              : type == 'o' ? "%llo"
                                            : "%llu",
                              static_cast<long long>(mag));
        }
        if (x < 0) signStr = "-";
    } else {
        double d = v.asFloat();
        std::string p = hasPrec ? prec : "6";
        if (type == '\0') {
            body = hasPrec ? cFormat("%." + p + "g", std::fabs(d)) : floatRepr(std::fabs(d));
        } else if (type == '%') {
            body = cFormat("%." + p + "f", std::fabs(d) * 100) + "%";
        } else if (std::string("eEfFgG").find(type) != std::string::npos) {
            body = cFormat("%." + p + type, std::fabs(d));
        } else {
            throw Error("Unknown format code '" + std::string(1, type) + "' for object of type 'float'");
        }
        if (std::signbit(d) && !std::isnan(d)) signStr = "-";
    }
    (void)numeric;
    if (comma) {
        // Group the integer digits in threes.
        size_t end = 0;
        while (end < body.size() && std::isdigit(static_cast<unsigned char>(body[end]))) ++end;
        std::string grouped;
        for (size_t q = 0; q < end; ++q) {
            if (q > 0 && (end - q) % 3 == 0) grouped += comma;
            grouped += body[q];
        }
        body = grouped + body.substr(end);
    }
    if (align == '=') {
        std::string s = signStr;
        size_t len = utf8Length(body) + s.size();
        std::string f;
        appendCodePoint(f, fill);
        while (len < w) {
            s += f;
            ++len;
        }
        return s + body;
    }
    return pad(signStr + body, w, align ? align : '>', fill);
}

} // namespace

std::string pyStrFormat(const std::string& fmt, CallArgs& args) {
    std::string out;
    size_t autoIdx = 0;
    size_t i = 0;
    while (i < fmt.size()) {
        char c = fmt[i];
        if (c == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
                out += '}';
                i += 2;
                continue;
            }
            throw Error("Single '}' encountered in format string");
        }
        if (c != '{') {
            out += c;
            ++i;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            out += '{';
            i += 2;
            continue;
        }
        size_t close = fmt.find('}', i);
        if (close == std::string::npos) throw Error("Single '{' encountered in format string");
        std::string field = fmt.substr(i + 1, close - i - 1);
        i = close + 1;
        std::string spec, conv;
        if (auto colon = field.find(':'); colon != std::string::npos) {
            spec = field.substr(colon + 1);
            field = field.substr(0, colon);
        }
        if (auto bang = field.find('!'); bang != std::string::npos) {
            conv = field.substr(bang + 1);
            field = field.substr(0, bang);
        }
        size_t nameEnd = field.find_first_of(".[");
        std::string head = field.substr(0, nameEnd);
        Value v;
        if (head.empty()) {
            if (autoIdx >= args.pos.size())
                throw Error("Replacement index " + std::to_string(autoIdx) + " out of range");
            v = args.pos[autoIdx++];
        } else if (std::all_of(head.begin(), head.end(),
                               [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
            if (head.size() > 9) throw Error("Replacement index " + head + " out of range");
            size_t idx = static_cast<size_t>(std::stoul(head));
            if (idx >= args.pos.size()) throw Error("Replacement index " + head + " out of range");
            v = args.pos[idx];
        } else {
            bool found = false;
            for (auto& [k, val] : args.kw)
                if (k == head) {
                    v = val;
                    found = true;
                }
            if (!found) throw Error("KeyError: " + stringRepr(head));
        }
        size_t p = nameEnd;
        while (p != std::string::npos && p < field.size()) {
            if (field[p] == '.') {
                size_t e = field.find_first_of(".[", p + 1);
                std::string a = field.substr(p + 1, e == std::string::npos ? std::string::npos : e - p - 1);
                if (!v.isDict()) throw Error("format field attribute access is not supported");
                const Value* x = v.dict().find(std::string_view(a));
                if (!x) throw Error("AttributeError: " + a);
                v = *x;
                p = e;
            } else {
                size_t e = field.find(']', p);
                if (e == std::string::npos) throw Error("Missing ']' in format string");
                std::string key = field.substr(p + 1, e - p - 1);
                Value k =
                    !key.empty() && key.size() < 18 &&
                            std::all_of(key.begin(), key.end(),
                                        [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })
                        ? Value(static_cast<int64_t>(std::stoll(key)))
                        : Value(key);
                const Value* x = nullptr;
                Value tmp;
                if (v.isDict()) {
                    x = v.dict().find(k);
                } else if (v.isList() && k.isInt() && k.asInt() < static_cast<int64_t>(v.items().size())) {
                    x = &v.items()[static_cast<size_t>(k.asInt())];
                }
                if (!x) throw Error("KeyError: " + k.repr());
                v = *x;
                p = e + 1;
            }
        }
        if (conv == "r" || conv == "a")
            v = Value(v.repr());
        else if (conv == "s")
            v = Value(v.toStr());
        else if (!conv.empty())
            throw Error("Unknown conversion specifier " + conv);
        out += formatSpec(v, spec);
    }
    return out;
}

namespace {

void jsonString(std::string& out, const std::string& s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (c < 0x20) {
                char b[8];
                std::snprintf(b, sizeof b, "\\u%04x", c);
                out += b;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

struct JsonWriter {
    bool hasIndent;
    std::string indentStr;
    const std::string& itemSep;
    const std::string& keySep;
    bool sortKeys;
    std::string out;
    int depth = 0;

    void newline(int level) {
        out += '\n';
        for (int i = 0; i < level; ++i) out += indentStr;
    }
    std::string keyString(const Value& k) {
        if (k.isString()) return k.str();
        if (k.isBool()) return k.asBool() ? "true" : "false";
        if (k.isNone()) return "null";
        if (k.isInt()) return k.toStr();
        if (k.isFloat()) return floatRepr(k.asFloat());
        throw Error("keys must be str, int, float, bool or None, not " + k.typeName());
    }
    void write(const Value& v) {
        if (++depth > 500) throw Error("maximum recursion depth exceeded while encoding a JSON object");
        switch (v.type()) {
        case Value::Type::None:
            out += "null";
            break;
        case Value::Type::Bool:
            out += v.asBool() ? "true" : "false";
            break;
        case Value::Type::Int:
            out += v.toStr();
            break;
        case Value::Type::Float: {
            double d = v.asFloat();
            if (std::isnan(d))
                out += "NaN";
            else if (std::isinf(d))
                out += d > 0 ? "Infinity" : "-Infinity";
            else
                out += floatRepr(d);
            break;
        }
        case Value::Type::String:
            jsonString(out, v.str());
            break;
        case Value::Type::List: {
            if (v.isGenerator()) throw Error("Object of type generator is not JSON serializable");
            const auto& items = v.items();
            if (items.empty()) {
                out += "[]";
                break;
            }
            out += '[';
            for (size_t i = 0; i < items.size(); ++i) {
                if (i) out += itemSep;
                if (hasIndent) newline(depth);
                write(items[i]);
            }
            if (hasIndent) newline(depth - 1);
            out += ']';
            break;
        }
        case Value::Type::Dict: {
            std::vector<std::pair<std::string, const Value*>> items;
            for (const auto& kv : v.dict().items) items.emplace_back(keyString(kv.first), &kv.second);
            if (items.empty()) {
                out += "{}";
                break;
            }
            if (sortKeys)
                std::stable_sort(items.begin(), items.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
            out += '{';
            for (size_t i = 0; i < items.size(); ++i) {
                if (i) out += itemSep;
                if (hasIndent) newline(depth);
                jsonString(out, items[i].first);
                out += keySep;
                write(*items[i].second);
            }
            if (hasIndent) newline(depth - 1);
            out += '}';
            break;
        }
        default:
            throw Error("Object of type " + v.typeName() + " is not JSON serializable");
        }
        --depth;
    }
};

} // namespace

std::string pyJsonDumps(const Value& v, const std::string& indent, bool hasIndent, const std::string& itemSep,
                        const std::string& keySep, bool sortKeys) {
    JsonWriter w{hasIndent, indent, itemSep, keySep, sortKeys, {}};
    w.write(v);
    return std::move(w.out);
}

} // namespace hone::jinja
