// Added tokens (tokenizer.json "added_tokens", GGUF control/user-defined tokens): found in the text before
// normalization (normalized=false) or after it (normalized=true), leftmost-longest, honouring special,
// lstrip/rstrip and single_word exactly like Hugging Face's AddedVocabulary.
#pragma once

#include "tokenizer/pipeline.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace hone::tok {

struct AddedToken {
    std::string content;
    int32_t id = -1;
    bool special = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
    bool singleWord = false;
};

// A matched added token (id >= 0) or a run of plain text (id < 0) as byte offsets [b, e) into the searched
// text.
struct Span {
    int32_t id;
    std::size_t b, e;
};

// One piece of the caller's text after splitting on added tokens: a matched token (id >= 0) or plain text.
struct Segment {
    int32_t id = -1;
    std::string text;
    bool atStart = false;
};

class AddedVocabulary {
public:
    void add(AddedToken t);
    // Prepares the matchers; `norm` (may be null) normalizes the content of normalized tokens.
    void build(const Normalizer* norm);

    // Splits `in` (text segments only are searched) on the tokens of the given pass.
    void split(std::vector<Segment>& segs, bool normalizedPass, bool parseSpecial) const;
    // Finds the tokens of the raw (non-normalized) pass in s; plain-text spans may be empty-free. Returns
    // false (and leaves out empty) when nothing matched.
    bool findRaw(std::string_view s, bool parseSpecial, std::vector<Span>& out) const;
    bool hasNormalized() const { return !normPatterns_.empty(); }
    bool empty() const { return tokens_.empty(); }

    const std::vector<AddedToken>& tokens() const { return tokens_; }
    const AddedToken* byId(int32_t id) const;
    const AddedToken* byContent(std::string_view content) const;

private:
    struct Pattern {
        std::string text;
        std::size_t token; // index into tokens_
    };
    struct Matcher {
        std::vector<std::vector<Pattern>> byFirstByte = std::vector<std::vector<Pattern>>(256);
    };
    bool find(std::string_view s, const std::vector<std::vector<Pattern>>& pats, bool parseSpecial,
              std::vector<Span>& out) const;

    std::vector<AddedToken> tokens_;
    std::unordered_map<int32_t, std::size_t> byId_;
    std::unordered_map<std::string, std::size_t> byContent_;
    std::vector<std::vector<Pattern>> rawPatterns_, normPatterns_;
};

} // namespace hone::tok
