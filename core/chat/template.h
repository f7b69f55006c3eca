// Public API of the Jinja engine: parse a chat template once, render it against a JSON context as Hugging
// Face transformers' apply_chat_template does (Jinja2 ImmutableSandboxedEnvironment, trim_blocks,
// lstrip_blocks).
#pragma once

#include "chat/value.h"
#include "common/json.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hone::jinja {

struct Stmt;

// Sandbox limits: an untrusted template that exceeds one stops with hone::Error saying which.
struct RenderLimits {
    size_t maxOutputBytes = size_t(64) << 20; // rendered text and any single string/list value
    uint64_t maxSteps = 20'000'000;           // statements, loop iterations and calls
    int maxCallDepth = 150;                   // nested macro calls (Python's recursion limit stops Jinja2)
    int64_t maxRangeItems = 100'000;          // range() size, as Jinja2's sandbox (MAX_RANGE)
};

struct RenderOptions {
    RenderLimits limits;
    // Clock for strftime_now(): seconds since the epoch, formatted in UTC. Unset: the current local time.
    std::optional<int64_t> nowEpochSeconds;
};

// Byte span [begin, end) of the rendered text.
struct TextSpan {
    size_t begin = 0;
    size_t end = 0;
    bool operator==(const TextSpan&) const = default;
};

struct RenderResult {
    std::string text;
    std::vector<TextSpan> generationSpans; // from {% generation %} blocks, in rendering order
};

class Template {
public:
    // Parses a template; throws hone::Error "template syntax error at line L, column C: ..." when malformed.
    explicit Template(std::string_view source);
    ~Template();
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;

    // Renders with the top-level keys of `context` as variables. Throws hone::Error "template error at line
    // L, column C: ..." on runtime errors (including raise_exception() and sandbox limits).
    std::string render(const OrderedJson& context, const RenderOptions& options = {}) const;
    RenderResult renderWithSpans(const OrderedJson& context, const RenderOptions& options = {}) const;
    // The same with a context already converted by Value::fromJson (a dict), for rendering one conversation
    // many times without converting it again.
    std::string render(const Value& context, const RenderOptions& options = {}) const;
    RenderResult renderWithSpans(const Value& context, const RenderOptions& options = {}) const;
    // True when the template uses {% generation %} blocks.
    bool hasGenerationBlocks() const { return hasGeneration_; }
    const std::string& source() const { return source_; }

private:
    std::string source_; // normalized
    std::shared_ptr<std::vector<std::unique_ptr<Stmt>>> body_;
    bool hasGeneration_ = false;
};

} // namespace hone::jinja
