// PCRE2 wrapper: UTF + UCP mode, JIT compiled, per-thread match data.
#include "tokenizer/regex.h"

#include "common/error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace hone::tok {

namespace {
struct MatchData {
    pcre2_match_data* md = pcre2_match_data_create(16, nullptr);
    pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
    pcre2_match_context* ctx = pcre2_match_context_create(nullptr);
    MatchData() { pcre2_jit_stack_assign(ctx, nullptr, stack); }
    ~MatchData() {
        pcre2_match_context_free(ctx);
        pcre2_jit_stack_free(stack);
        pcre2_match_data_free(md);
    }
};
MatchData& threadMatchData() {
    thread_local MatchData md;
    return md;
}
} // namespace

namespace {
// Oniguruma (what HF tokenizers compiles its patterns with) defines \w as Unicode TR18's word class:
// Alphabetic, Mark, Decimal_Number, Connector_Punctuation, Join_Control. PCRE2 10.42's UCP \w is only L, N
// and '_', so \w and \W are rewritten. \s (White_Space) and \d (Nd) already agree.
constexpr const char* kWordClass = R"(\p{L}\p{Nl}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D})";

std::string translateOniguruma(const std::string& p) {
    std::string out;
    out.reserve(p.size() + 32);
    bool inClass = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char n = p[i + 1];
            if (n == 'w') {
                if (!inClass) out.push_back('[');
                out.append(kWordClass);
                if (!inClass) out.push_back(']');
            } else if (n == 'W' && !inClass) {
                out.append("[^");
                out.append(kWordClass);
                out.push_back(']');
            } else {
                out.push_back(c);
                out.push_back(n);
            }
            ++i;
            continue;
        }
        if (!inClass && c == '[') {
            inClass = true;
            out.push_back(c);
            // A ']' right after '[' or '[^' is a literal.
            if (i + 1 < p.size() && p[i + 1] == '^') out.push_back(p[++i]);
            if (i + 1 < p.size() && p[i + 1] == ']') out.push_back(p[++i]);
            continue;
        }
        if (inClass && c == '[' && i + 1 < p.size() && p[i + 1] == ':') { // POSIX [:alpha:]
            const std::size_t e = p.find(":]", i + 2);
            if (e != std::string::npos) {
                out.append(p, i, e + 2 - i);
                i = e + 1;
                continue;
            }
        }
        if (inClass && c == ']') inClass = false;
        out.push_back(c);
    }
    return out;
}
} // namespace

Regex::Regex(const std::string& pattern)
    : pattern_(pattern) {
    int err = 0;
    PCRE2_SIZE off = 0;
    const std::string translated = translateOniguruma(pattern);
    // NEVER_BACKSLASH_C: \C matches one byte of a multi-byte character; a Replace normalizer using it would
    // hand invalid UTF-8 to the next pattern (Oniguruma has no such escape). MATCH_INVALID_UTF: the JIT reads
    // past the subject on invalid UTF-8 otherwise (fuzzing found a crash); with it, such bytes never match.
    auto* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                               PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C | PCRE2_MATCH_INVALID_UTF,
                               &err, &off, nullptr);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        throw Error("tokenizer regex '" + pattern + "' does not compile at offset " + std::to_string(off) +
                    ": " + reinterpret_cast<const char*>(msg));
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // falls back to the interpreter if JIT is unavailable
    code_ = code;
}

Regex::~Regex() {
    pcre2_code_free(static_cast<pcre2_code*>(code_));
}

void Regex::findAll(std::string_view s, std::vector<std::pair<std::size_t, std::size_t>>& out) const {
    auto* code = static_cast<pcre2_code*>(code_);
    MatchData& m = threadMatchData();
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(s.data());
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const int rc = pcre2_jit_match(code, subject, s.size(), pos, 0, m.md, m.ctx);
        int rcUsed = rc;
        if (rc == PCRE2_ERROR_JIT_BADOPTION)
            rcUsed = pcre2_match(code, subject, s.size(), pos, 0, m.md, m.ctx);
        if (rcUsed == PCRE2_ERROR_NOMATCH) break;
        if (rcUsed < 0)
            throw Error("tokenizer regex '" + pattern_ + "' failed to match (PCRE2 error " +
                        std::to_string(rcUsed) + ")");
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m.md);
        const std::size_t b = ov[0], e = ov[1];
        if (e > b) {
            out.emplace_back(b, e);
            pos = e;
        } else {
            // Empty match: step over one character.
            if (b >= s.size()) break;
            pos = b + 1;
            while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
        }
    }
}

std::string regexEscape(std::string_view literal) {
    std::string out;
    for (char c : literal) {
        if (std::string_view("\\^$.|?*+()[]{}-/#&~ \t\n\r\f\v").find(c) != std::string_view::npos) {
            if (c == '\n') {
                out += "\\n";
                continue;
            }
            if (c == '\t') {
                out += "\\t";
                continue;
            }
            if (c == '\r') {
                out += "\\r";
                continue;
            }
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out;
}

} // namespace hone::tok
