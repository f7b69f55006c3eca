// Jinja2 parser: tokens -> syntax tree, with Jinja2's grammar and precedence. Unknown filters and tests are
// reported at parse time, as Jinja2 does when it compiles a template.
#pragma once

#include "chat/ast.h"
#include "chat/lexer.h"

#include <string>
#include <vector>

namespace hone::jinja {

// Parses a normalized source (see normalizeSource). Throws hone::Error with line and column.
// *hasGeneration is set when the template uses {% generation %} blocks.
Body parse(const std::string& normalizedSource, const LexOptions& options = {},
           bool* hasGeneration = nullptr);

} // namespace hone::jinja
