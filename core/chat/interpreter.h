// Tree-walking interpreter for parsed templates: variable scopes, loop control, sandbox limits, generation
// spans.
#pragma once

#include "chat/ast.h"
#include "chat/template.h"
#include "common/error.h"

#include <string>
#include <utility>
#include <vector>

namespace hone::jinja {

class Interpreter {
public:
    Interpreter(const std::string& source, const RenderOptions& options);
    ~Interpreter();
    Interpreter(const Interpreter&) = delete;
    Interpreter& operator=(const Interpreter&) = delete;
    // Remembers a mutable object so that reference cycles through it are broken when the render ends.
    void track(std::shared_ptr<Object> obj) { mutableObjects_.push_back(std::move(obj)); }

    // Scope handling: a frame per loop iteration / macro call / with-block; lookups walk the parent chain.
    int pushFrame(int parent);
    void popFrame();
    int topFrame() const { return static_cast<int>(frames_.size()) - 1; }
    void clearFrame(int frame) { frames_[static_cast<size_t>(frame)].vars.clear(); }
    void set(const std::string& name, Value v);
    void setIn(int frame, const std::string& name, Value v);
    Value lookup(const std::string& name) const;

    void renderBody(const Body& body, std::string& out);
    // Counts one unit of work; throws when the step budget is exhausted.
    void step() {
        if (++steps_ > options_.limits.maxSteps)
            throw Error("template exceeded the step limit (" + std::to_string(options_.limits.maxSteps) +
                        "); it may loop forever");
    }
    void checkOutput(const std::string& out) const {
        if (out.size() > options_.limits.maxOutputBytes)
            throw Error("template output exceeded the size limit (" +
                        std::to_string(options_.limits.maxOutputBytes) + " bytes)");
    }
    void checkSize(size_t bytes) const {
        if (bytes > options_.limits.maxOutputBytes)
            throw Error("template value exceeded the size limit (" +
                        std::to_string(options_.limits.maxOutputBytes) + " bytes)");
    }
    struct CallGuard {
        explicit CallGuard(Interpreter& in)
            : in_(in) {
            if (++in_.callDepth_ > in_.options_.limits.maxCallDepth)
                throw Error("template recursion too deep (limit " +
                            std::to_string(in_.options_.limits.maxCallDepth) + " nested calls)");
        }
        ~CallGuard() { --in_.callDepth_; }
        Interpreter& in_;
    };

    enum class Flow { Normal, Break, Continue };
    Flow flow = Flow::Normal;
    size_t currentOffset = 0;
    std::string* rootOut = nullptr;
    std::vector<std::pair<size_t, size_t>> generationSpans;
    const RenderOptions& options() const { return options_; }
    const std::string& source() const { return source_; }
    Value call(const Value& callee, CallArgs& args, const std::string& what);

private:
    struct Frame {
        std::vector<std::pair<std::string, Value>> vars;
        int parent = -1;
    };
    const std::string& source_;
    const RenderOptions& options_;
    std::vector<Frame> frames_;
    std::vector<std::shared_ptr<Object>> mutableObjects_;
    uint64_t steps_ = 0;
    int callDepth_ = 0;
};

// Jinja2-style attribute and item access (obj.name / obj[key]); missing -> Undefined, undefined base ->
// error.
Value getAttr(Interpreter& in, const Value& obj, const std::string& name);
Value getItem(Interpreter& in, const Value& obj, const Value& key);
// Iterates a value as Jinja2's for-loop does (strings by character, dicts by key). Throws for non-iterables.
std::vector<Value> iterate(const Value& v);
// Number of code points of a UTF-8 string; splitting into code points.
size_t utf8Length(std::string_view s);
std::vector<std::string_view> utf8Chars(std::string_view s);
// Python operators: + - * / // % ** (arithmetic), comparisons and `in`.
Value arithmetic(Interpreter& in, BinOp op, const Value& a, const Value& b);
Value compareOp(Interpreter& in, BinOp op, const Value& l, const Value& r);
bool contains(const Value& container, const Value& item);
// Error for using an undefined value.
[[noreturn]] void throwUndefined(const Value& v);

} // namespace hone::jinja
