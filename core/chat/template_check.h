// Sanity checks of a chat template (`hone template check`): the generation prompt, the end-of-turn text after
// an assistant message (and whether it is a stop token), and per-call content such as dates in the system
// prompt that defeats KV-cache reuse.
#pragma once

#include "chat/template.h"
#include "chat/template_source.h"

#include <optional>
#include <string>
#include <vector>

namespace hone::jinja {

struct TemplateCheck {
    std::string generationPrompt;        // text add_generation_prompt appends after a user turn
    std::string endOfTurn;               // text the template emits right after an assistant reply
    std::optional<bool> endOfTurnIsStop; // with model tokens: whether a stop token occurs in endOfTurn
    std::string matchedStopToken;
    bool perCallContent = false; // output changes with the clock or date_string
    std::string perCallExample;  // the first differing snippet
    std::vector<std::string> warnings;
};

// Renders a probe conversation with the template; `tokens` (from a model folder) adds bos/eos and stop
// tokens.
TemplateCheck checkTemplate(const Template& tpl, const std::optional<ModelTokens>& tokens);

} // namespace hone::jinja
