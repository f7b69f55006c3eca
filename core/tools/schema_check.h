// Checks tool-call arguments against a tool's JSON schema (the subset tools use: type, properties, required,
// additionalProperties, items, enum, const, minimum/maximum, minLength/maxLength, minItems/maxItems), with
// messages written for the model that made the call.
#pragma once

#include "common/json.h"

#include <string>

namespace hone::tools {

// Empty when `value` fits `schema`, else one message naming the argument ("argument 'a': expected a number,
// got a string"). Keys not in "properties" are refused unless additionalProperties allows them; keywords
// this checker does not know are ignored (the tool itself still checks its input).
std::string checkArguments(const Json& schema, const Json& value);

} // namespace hone::tools
