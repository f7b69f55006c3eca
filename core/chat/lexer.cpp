// Jinja2 lexer implementation (see lexer.h).
#include "chat/lexer.h"

#include "common/error.h"

#include <cstring>

namespace hone::jinja {

SourcePos sourcePos(std::string_view source, size_t offset) {
    SourcePos p;
    if (offset > source.size()) offset = source.size();
    for (size_t i = 0; i < offset; ++i) {
        if (source[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) {
            ++p.column;
        }
    }
    return p;
}

std::string where(std::string_view source, size_t offset) {
    auto p = sourcePos(source, offset);
    return "line " + std::to_string(p.line) + ", column " + std::to_string(p.column);
}

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Lexer {
public:
    Lexer(std::string_view src, const LexOptions& o)
        : s_(src)
        , o_(o) {}

    std::vector<Token> run() {
        size_t pos = 0;
        bool lineStarting = true;
        while (pos < s_.size()) {
            // Find the next tag opening.
            size_t open = std::string_view::npos;
            for (size_t i = pos; i + 1 < s_.size(); ++i) {
                if (s_[i] == '{' && (s_[i + 1] == '{' || s_[i + 1] == '%' || s_[i + 1] == '#')) {
                    open = i;
                    break;
                }
            }
            if (open == std::string_view::npos) {
                emitText(std::string(s_.substr(pos)), pos);
                break;
            }
            char kind = s_[open + 1];
            char sign = open + 2 < s_.size() ? s_[open + 2] : '\0';
            std::string text(s_.substr(pos, open - pos));
            if (sign == '-') {
                size_t e = text.size();
                while (e > 0 && isSpace(text[e - 1])) --e;
                text.resize(e);
            } else if (sign != '+' && o_.lstripBlocks && kind != '{') {
                size_t lpos = text.rfind('\n');
                lpos = lpos == std::string::npos ? 0 : lpos + 1;
                if (lpos > 0 || lineStarting) {
                    bool allWs = lpos < text.size();
                    for (size_t i = lpos; i < text.size(); ++i)
                        if (!isSpace(text[i])) allWs = false;
                    if (allWs) text.resize(lpos);
                }
            }
            emitText(std::move(text), pos);
            size_t p = open + 2 + ((sign == '-' || sign == '+') ? 1 : 0);
            if (kind == '#') {
                size_t close = s_.find("#}", p);
                if (close == std::string_view::npos) fail("unterminated comment", open);
                bool strip = close > p && s_[close - 1] == '-';
                pos = close + 2;
                pos = afterTag(pos, strip, true);
            } else if (kind == '%' && isRaw(p)) {
                pos = lexRaw(open, p);
            } else {
                tokens_.push_back({kind == '{' ? Tok::VarBegin : Tok::BlockBegin, {}, open});
                pos = lexInside(p, kind == '{' ? '}' : '%');
            }
            lineStarting = pos > 0 && s_[pos - 1] == '\n';
        }
        tokens_.push_back({Tok::Eof, {}, s_.size()});
        return std::move(tokens_);
    }

private:
    [[noreturn]] void fail(const std::string& msg, size_t at) {
        throw Error("template syntax error at " + where(s_, at) + ": " + msg);
    }

    void emitText(std::string text, size_t at) {
        if (!text.empty()) tokens_.push_back({Tok::Text, std::move(text), at});
    }

    // After a block/comment end: `-` strips all following whitespace; trim_blocks removes one newline.
    size_t afterTag(size_t pos, bool strip, bool isBlock) {
        if (strip) {
            while (pos < s_.size() && isSpace(s_[pos])) ++pos;
        } else if (isBlock && o_.trimBlocks && pos < s_.size() && s_[pos] == '\n') {
            ++pos;
        } else if (isBlock && o_.trimBlocks && pos + 1 < s_.size() && s_[pos] == '\r' &&
                   s_[pos + 1] == '\n') {
            pos += 2;
        }
        return pos;
    }

    bool isRaw(size_t p) const {
        while (p < s_.size() && isSpace(s_[p])) ++p;
        if (s_.compare(p, 3, "raw") != 0) return false;
        p += 3;
        while (p < s_.size() && isSpace(s_[p])) ++p;
        if (p < s_.size() && s_[p] == '-') ++p;
        return s_.compare(p, 2, "%}") == 0;
    }

    size_t lexRaw(size_t open, size_t p) {
        size_t close = s_.find("%}", p);
        bool strip = s_[close - 1] == '-';
        size_t bodyStart = afterTag(close + 2, strip, true);
        size_t search = bodyStart;
        while (true) {
            size_t e = s_.find("{%", search);
            if (e == std::string_view::npos) fail("missing endraw for raw block", open);
            size_t q = e + 2;
            bool lstrip = q < s_.size() && s_[q] == '-';
            if (q < s_.size() && (s_[q] == '-' || s_[q] == '+')) ++q;
            while (q < s_.size() && isSpace(s_[q])) ++q;
            if (s_.compare(q, 6, "endraw") != 0) {
                search = e + 2;
                continue;
            }
            q += 6;
            while (q < s_.size() && isSpace(s_[q])) ++q;
            bool rstrip = q < s_.size() && s_[q] == '-';
            if (rstrip) ++q;
            if (s_.compare(q, 2, "%}") != 0) fail("malformed endraw", e);
            std::string body(s_.substr(bodyStart, e - bodyStart));
            if (lstrip) {
                size_t k = body.size();
                while (k > 0 && isSpace(body[k - 1])) --k;
                body.resize(k);
            }
            emitText(std::move(body), bodyStart);
            return afterTag(q + 2, rstrip, true);
        }
    }

    // Lexes the inside of {{ }} or {% %}; returns the position after the closing tag.
    size_t lexInside(size_t p, char closer) {
        int depth = 0;
        size_t start = p;
        while (true) {
            while (p < s_.size() && isSpace(s_[p])) ++p;
            if (p >= s_.size())
                fail(closer == '}' ? "unexpected end of template, expected '}}'"
                                   : "unexpected end of template, expected '%}'",
                     start - 2);
            char c = s_[p];
            // Closing tag (only at bracket depth 0 for '}}' so that dict literals work).
            if (c == '-' && p + 2 < s_.size() + 0 && s_[p + 1] == closer && s_[p + 2] == '}' &&
                (closer == '%' || depth == 0)) {
                tokens_.push_back({closer == '}' ? Tok::VarEnd : Tok::BlockEnd, {}, p});
                return afterTag(p + 3, true, closer == '%');
            }
            if (c == closer && p + 1 < s_.size() && s_[p + 1] == '}' && (closer == '%' || depth == 0)) {
                tokens_.push_back({closer == '}' ? Tok::VarEnd : Tok::BlockEnd, {}, p});
                return afterTag(p + 2, false, closer == '%');
            }
            if (isNameStart(c)) {
                size_t b = p;
                while (p < s_.size() && (isNameStart(s_[p]) || isDigit(s_[p]))) ++p;
                tokens_.push_back({Tok::Name, std::string(s_.substr(b, p - b)), b});
            } else if (isDigit(c)) {
                p = lexNumber(p);
            } else if (c == '"' || c == '\'') {
                p = lexString(p);
            } else {
                static const char* ops[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "/",
                                            "*",  "%",  "~",  "[",  "]",  "(",  ")", "{", "}",
                                            "<",  ">",  "=",  ".",  ":",  "|",  ",", ";"};
                const char* found = nullptr;
                for (const char* op : ops) {
                    size_t n = std::strlen(op);
                    if (s_.compare(p, n, op) == 0) {
                        found = op;
                        break;
                    }
                }
                if (!found) fail(std::string("unexpected char '") + c + "'", p);
                std::string op(found);
                if (op == "(" || op == "[" || op == "{") ++depth;
                if (op == ")" || op == "]" || op == "}") --depth;
                tokens_.push_back({Tok::Op, op, p});
                p += op.size();
            }
        }
    }

    size_t lexNumber(size_t p) {
        size_t b = p;
        auto digits = [&] {
            while (p < s_.size() &&
                   (isDigit(s_[p]) || (s_[p] == '_' && p + 1 < s_.size() && isDigit(s_[p + 1]))))
                ++p;
        };
        digits();
        bool isFloat = false;
        if (p + 1 < s_.size() && s_[p] == '.' && isDigit(s_[p + 1])) {
            isFloat = true;
            ++p;
            digits();
        }
        if (p < s_.size() && (s_[p] == 'e' || s_[p] == 'E')) {
            size_t q = p + 1;
            if (q < s_.size() && (s_[q] == '+' || s_[q] == '-')) ++q;
            if (q < s_.size() && isDigit(s_[q])) {
                p = q;
                digits();
                isFloat = true;
            }
        }
        std::string lit;
        for (size_t i = b; i < p; ++i)
            if (s_[i] != '_') lit += s_[i];
        tokens_.push_back({isFloat ? Tok::Float : Tok::Int, lit, b});
        return p;
    }

    size_t lexString(size_t p) {
        char q = s_[p];
        size_t b = p++;
        std::string out;
        while (true) {
            if (p >= s_.size()) fail("unterminated string", b);
            char c = s_[p];
            if (c == q) break;
            if (c == '\\' && p + 1 < s_.size()) {
                char e = s_[p + 1];
                p += 2;
                switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case '0':
                    out += '\0';
                    break;
                case 'a':
                    out += '\a';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'v':
                    out += '\v';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '\'':
                    out += '\'';
                    break;
                case '"':
                    out += '"';
                    break;
                case '\n':
                    break;
                case 'x':
                case 'u':
                case 'U': {
                    size_t n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
                    uint32_t cp = 0;
                    for (size_t i = 0; i < n; ++i) {
                        if (p >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[p])))
                            fail("bad escape in string", p);
                        char h = s_[p++];
                        cp = cp * 16 +
                             static_cast<uint32_t>(isDigit(h) ? h - '0' : (std::tolower(h) - 'a' + 10));
                    }
                    if (cp > 0x10FFFF) fail("bad unicode escape in string", p);
                    appendUtf8(out, cp);
                    break;
                }
                default:
                    out += '\\';
                    out += e;
                }
                continue;
            }
            out += c;
            ++p;
        }
        tokens_.push_back({Tok::String, std::move(out), b});
        return p + 1;
    }

    std::string_view s_;
    LexOptions o_;
    std::vector<Token> tokens_;
};

} // namespace

std::string normalizeSource(std::string_view source, const LexOptions& options) {
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
        } else {
            out += source[i];
        }
    }
    if (!options.keepTrailingNewline && !out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::vector<Token> tokenize(std::string_view normalized, const LexOptions& options) {
    return Lexer(normalized, options).run();
}

} // namespace hone::jinja
