// A compiled PCRE2 (JIT) regular expression in UTF + Unicode-property mode, used by the Split, Replace and
// ByteLevel stages. PCRE2 is chosen over std::regex (no \p{..}, slow) and hand-written matchers (every model
// ships its own pattern): its syntax covers what Hugging Face's Oniguruma patterns use (\p{L}, \p{N},
// (?i:..), lookaheads, possessive/atomic groups) and its JIT makes matching a few ns per byte.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hone::tok {

class Regex {
public:
    // Throws hone::Error with PCRE2's message and offset on a bad pattern.
    explicit Regex(const std::string& pattern);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // All non-overlapping matches in s (valid UTF-8), as [begin, end) byte offsets; empty matches are
    // skipped. Thread-safe (match data is per thread).
    void findAll(std::string_view s, std::vector<std::pair<std::size_t, std::size_t>>& out) const;
    const std::string& pattern() const { return pattern_; }

private:
    std::string pattern_;
    void* code_ = nullptr; // pcre2_code_8*
};

// Escapes a literal string for use inside a pattern.
std::string regexEscape(std::string_view literal);

// Replaces every match of `re` (when given) or every occurrence of `literal` in s with `content`.
std::string replaceAll(std::string_view s, const std::string& literal, const Regex* re,
                       const std::string& content);

} // namespace hone::tok
