// The one exception type the engine throws: a message that says what was wrong and what to do.
#pragma once

#include <stdexcept>
#include <string>

namespace hone {

// Thrown for bad input and failed operations. what() is user-facing: it names the file/field at fault and,
// where possible, the remedy ("... convert it to safetensors with ...").
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message)
        : std::runtime_error(message) {}
};

} // namespace hone
