// Registry of Jinja2's built-in filters, tests, globals and Python methods of str/list/dict.
#pragma once

#include "chat/ast.h"

#include <optional>
#include <string>

namespace hone::jinja {

FilterFn findFilter(const std::string& name);
TestFn findTest(const std::string& name);
// Global functions (range, dict, namespace, cycler, joiner, raise_exception, strftime_now); undefined if
// unknown.
Value findGlobal(const std::string& name);
// obj.name(args) for str/dict/list methods; nullopt when obj has no such method.
std::optional<Value> callMethod(Interpreter& in, const Value& obj, const std::string& name, CallArgs& args);
// True if obj has a method called name (so that obj.name yields a bound method).
bool hasMethod(const Value& obj, const std::string& name);

// markupsafe.escape() of a plain string.
std::string htmlEscape(const std::string& s);
// Python helpers shared by filters and the interpreter.
std::string pyPercentFormat(const std::string& fmt, const Value& args);
std::string pyStrFormat(const std::string& fmt, CallArgs& args);
// json.dumps(v, ensure_ascii=False, indent, separators, sort_keys).
std::string pyJsonDumps(const Value& v, const std::string& indent, bool hasIndent, const std::string& itemSep,
                        const std::string& keySep, bool sortKeys);

} // namespace hone::jinja
