// The forgiving JSON reader: a recursive-descent parser over a string_view that records each leniency.
#include "toolcall/lenient_json.h"

#include "chat/text_util.h"

#include <charconv>
#include <cstdlib>

namespace hone::toolcall {

namespace {

constexpr int kMaxDepth = 128;

bool isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool isIdentChar(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9') || c == '-';
}

// Thrown inside the parser only; turned into nullopt + reason at the entry point.
struct Fail {
    std::string why;
};

class Reader {
public:
    explicit Reader(std::string_view s, size_t pos)
        : s_(s)
        , i_(pos) {}

    OrderedJson value(int depth) {
        skipWs();
        if (i_ >= s_.size()) fail("the text ends where a JSON value should start (truncated)");
        char c = s_[i_];
        if (c == '{') return object(depth + 1);
        if (c == '[') return array(depth + 1);
        if (c == '"' || c == '\'') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (isIdentStart(c)) return word();
        fail(std::string("unexpected character '") + c + "' where a JSON value should start");
    }

    size_t pos() const { return i_; }
    bool repaired() const { return repaired_; }

private:
    [[noreturn]] void fail(const std::string& why) const {
        throw Fail{why + " (at byte " + std::to_string(i_) + ")"};
    }

    void skipWs() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    bool atEnd() const { return i_ >= s_.size(); }

    OrderedJson object(int depth) {
        if (depth > kMaxDepth) fail("JSON nested deeper than 128 levels");
        ++i_; // {
        OrderedJson obj = OrderedJson::object();
        bool afterComma = false;
        for (;;) {
            skipWs();
            if (atEnd()) {
                if (afterComma) fail("the text ends after a comma inside an object (truncated)");
                repaired_ = true; // missing closing brace at the end of the output
                return obj;
            }
            if (s_[i_] == '}') {
                if (afterComma) repaired_ = true; // trailing comma
                ++i_;
                return obj;
            }
            if (!obj.empty() && !afterComma) fail("expected ',' or '}' in an object");
            std::string key = objectKey();
            skipWs();
            if (atEnd()) fail("the text ends after an object key (truncated)");
            if (s_[i_] != ':') fail("expected ':' after the key \"" + key + "\"");
            ++i_;
            obj[key] = value(depth);
            skipWs();
            afterComma = false;
            if (!atEnd() && s_[i_] == ',') {
                ++i_;
                afterComma = true;
            }
        }
    }

    std::string objectKey() {
        char c = s_[i_];
        if (c == '"' || c == '\'') return string().get<std::string>();
        if (isIdentStart(c)) {
            size_t b = i_;
            while (i_ < s_.size() && isIdentChar(s_[i_])) ++i_;
            repaired_ = true; // unquoted key
            return std::string(s_.substr(b, i_ - b));
        }
        fail(std::string("expected a key in an object, found '") + c + "'");
    }

    OrderedJson array(int depth) {
        if (depth > kMaxDepth) fail("JSON nested deeper than 128 levels");
        ++i_; // [
        OrderedJson arr = OrderedJson::array();
        bool afterComma = false;
        for (;;) {
            skipWs();
            if (atEnd()) {
                if (afterComma) fail("the text ends after a comma inside an array (truncated)");
                repaired_ = true; // missing closing bracket at the end of the output
                return arr;
            }
            if (s_[i_] == ']') {
                if (afterComma) repaired_ = true;
                ++i_;
                return arr;
            }
            if (!arr.empty() && !afterComma) fail("expected ',' or ']' in an array");
            arr.push_back(value(depth));
            skipWs();
            afterComma = false;
            if (!atEnd() && s_[i_] == ',') {
                ++i_;
                afterComma = true;
            }
        }
    }

    uint32_t hex4() {
        if (i_ + 4 > s_.size()) fail("the text ends inside a \\u escape (truncated)");
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            char h = s_[i_++];
            v <<= 4;
            if (h >= '0' && h <= '9')
                v |= uint32_t(h - '0');
            else if (h >= 'a' && h <= 'f')
                v |= uint32_t(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                v |= uint32_t(h - 'A' + 10);
            else
                fail("bad hex digit in a \\u escape");
        }
        return v;
    }

    OrderedJson string() {
        const char quote = s_[i_++];
        if (quote == '\'') repaired_ = true; // single-quoted string
        std::string out;
        for (;;) {
            if (atEnd()) fail("the text ends inside a string (truncated)");
            char c = s_[i_++];
            if (c == quote) return out;
            if (static_cast<unsigned char>(c) < 0x20) repaired_ = true; // raw control character
            if (c != '\\') {
                out += c;
                continue;
            }
            if (atEnd()) fail("the text ends inside a string escape (truncated)");
            char e = s_[i_++];
            switch (e) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                uint32_t cp = hex4();
                if (cp >= 0xD800 && cp <= 0xDBFF && i_ + 1 < s_.size() && s_[i_] == '\\' &&
                    s_[i_ + 1] == 'u') {
                    size_t save = i_;
                    i_ += 2;
                    uint32_t lo = hex4();
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else {
                        i_ = save;
                    }
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    cp = 0xFFFD; // lone surrogate
                    repaired_ = true;
                }
                jinja::appendCodePoint(out, cp);
                break;
            }
            default: // \' and unknown escapes: keep the character
                repaired_ = true;
                out += e;
                break;
            }
        }
    }

    OrderedJson number() {
        size_t b = i_;
        if (s_[i_] == '-') ++i_;
        size_t digits = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        if (i_ == digits) fail("a '-' that does not start a number");
        bool isInt = true;
        if (i_ < s_.size() && s_[i_] == '.') {
            isInt = false;
            ++i_;
            size_t f = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
            if (i_ == f) fail("a number with no digits after the decimal point");
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            isInt = false;
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            size_t f = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
            if (i_ == f) fail("a number with no digits in its exponent");
        }
        std::string_view text = s_.substr(b, i_ - b);
        if (isInt) {
            int64_t v = 0;
            auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc() && p == text.data() + text.size()) return v;
            uint64_t u = 0;
            auto [p2, ec2] = std::from_chars(text.data(), text.data() + text.size(), u);
            if (ec2 == std::errc() && p2 == text.data() + text.size()) return u;
        }
        return std::strtod(std::string(text).c_str(), nullptr);
    }

    OrderedJson word() {
        size_t b = i_;
        while (i_ < s_.size() && isIdentChar(s_[i_])) ++i_;
        std::string_view w = s_.substr(b, i_ - b);
        if (w == "true") return true;
        if (w == "false") return false;
        if (w == "null") return nullptr;
        repaired_ = true;
        if (w == "True") return true;
        if (w == "False") return false;
        if (w == "None") return nullptr;
        i_ = b;
        fail("unexpected word '" + std::string(w.substr(0, 40)) + "' where a JSON value should be");
    }

    std::string_view s_;
    size_t i_;
    bool repaired_ = false;
};

} // namespace

std::optional<LenientValue> parseLenientJson(std::string_view text, size_t pos, std::string* why,
                                             size_t* failPos) {
    Reader r(text, pos);
    try {
        LenientValue v;
        v.value = r.value(0);
        v.end = r.pos();
        v.repaired = r.repaired();
        return v;
    } catch (const Fail& f) {
        if (why) *why = f.why;
        if (failPos) *failPos = r.pos();
        return std::nullopt;
    }
}

} // namespace hone::toolcall
