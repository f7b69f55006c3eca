// The built-in chat templates.
#include "data/builtin_templates.h"

#include "common/error.h"

namespace hone::data {

const std::vector<BuiltinTemplate>& builtinTemplates() {
    static const std::vector<BuiltinTemplate> list = {
        {"alpaca",
         "### Instruction / ### Response sections; uses only existing tokens, ends each answer with EOS",
         "{{ bos_token }}"
         "{% for message in messages %}"
         "{% if message['role'] == 'system' %}{{ message['content'] | trim }}\n\n"
         "{% elif message['role'] == 'user' %}### Instruction:\n{{ message['content'] | trim }}\n\n"
         "{% elif message['role'] == 'assistant' %}### Response:\n{{ message['content'] | trim }}{{ "
         "eos_token }}\n\n"
         "{% endif %}"
         "{% endfor %}"
         "{% if add_generation_prompt %}### Response:\n{% endif %}",
         {},
         ""},
        {"chatml",
         "<|im_start|>role ... <|im_end|> turns (adds two special tokens; their embeddings are trained); "
         "tool calls as Hermes <tool_call> blocks",
         "{% for message in messages %}"
         "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] }}"
         "{% if message['tool_calls'] is defined and message['tool_calls'] %}"
         "{% for call in message['tool_calls'] %}"
         "{% set fn = call['function'] if call['function'] is defined else call %}"
         "{{ '\n<tool_call>\n{\"name\": \"' + fn['name'] + '\", \"arguments\": ' }}"
         "{% if fn['arguments'] is string %}{{ fn['arguments'] }}{% else %}{{ fn['arguments'] | tojson }}{% "
         "endif %}"
         "{{ '}\n</tool_call>' }}"
         "{% endfor %}"
         "{% endif %}"
         "{{ '<|im_end|>' + '\n' }}"
         "{% endfor %}"
         "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
         {"<|im_start|>", "<|im_end|>"},
         "<|im_end|>"},
    };
    return list;
}

const BuiltinTemplate& builtinTemplate(const std::string& name) {
    std::string names;
    for (const auto& t : builtinTemplates()) {
        if (t.name == name) return t;
        names += (names.empty() ? "" : ", ") + t.name;
    }
    throw Error("unknown built-in chat template '" + name + "': choose one of " + names);
}

} // namespace hone::data
