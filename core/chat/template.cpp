// Template: parse once, render many times (see template.h).
#include "chat/template.h"

#include "chat/interpreter.h"
#include "chat/lexer.h"
#include "chat/parser.h"
#include "common/error.h"

namespace hone::jinja {

Template::Template(std::string_view source)
    : source_(normalizeSource(source)) {
    try {
        body_ = std::make_shared<Body>(parse(source_, {}, &hasGeneration_));
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw Error("template syntax error: out of memory while parsing");
    }
}

Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

std::string Template::render(const OrderedJson& context, const RenderOptions& options) const {
    return renderWithSpans(context, options).text;
}

RenderResult Template::renderWithSpans(const OrderedJson& context, const RenderOptions& options) const {
    if (!context.is_object() && !context.is_null()) throw Error("template context must be a JSON object");
    return renderWithSpans(context.is_null() ? Value(std::make_shared<DictData>()) : Value::fromJson(context),
                           options);
}

std::string Template::render(const Value& context, const RenderOptions& options) const {
    return renderWithSpans(context, options).text;
}

RenderResult Template::renderWithSpans(const Value& context, const RenderOptions& options) const {
    if (!context.isDict()) throw Error("template context must be a dict");
    Interpreter in(source_, options);
    int root = in.pushFrame(-1);
    for (const auto& [k, v] : context.dict().items)
        if (k.isString()) in.setIn(root, k.str(), v);
    RenderResult r;
    in.rootOut = &r.text;
    try {
        in.renderBody(*body_, r.text);
    } catch (const Error& e) {
        throw Error("template error at " + where(source_, in.currentOffset) + ": " + e.what());
    } catch (const std::bad_alloc&) {
        throw Error("template error at " + where(source_, in.currentOffset) + ": out of memory");
    } catch (const std::length_error& e) {
        throw Error("template error at " + where(source_, in.currentOffset) + ": value too large (" +
                    e.what() + ")");
    }
    for (const auto& [b, e] : in.generationSpans) r.generationSpans.push_back({b, e});
    return r;
}

} // namespace hone::jinja
