// Minimal, strict command-line parsing for `hone` subcommands: --flag, --key value, --key=value, positionals.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hone::cli {

// Parsed arguments of one subcommand. Unknown or malformed options are reported by check().
class Args {
public:
    Args(std::vector<std::string> argv, std::vector<std::string> flagNames);

    bool flag(const std::string& name) const;                                 // --json
    std::optional<std::string> get(const std::string& name) const;            // --model PATH
    std::string getOr(const std::string& name, const std::string& def) const; // with a default
    std::string require(const std::string& name) const;                       // throws hone::Error if absent
    long long getInt(const std::string& name, long long def) const;           // throws on non-integer
    double getDouble(const std::string& name, double def) const;              // throws on non-number
    const std::vector<std::string>& positionals() const { return positional_; }

    // Throws hone::Error naming the first option that is not in `known` (flags and valued options).
    void check(const std::vector<std::string>& known) const;

private:
    std::map<std::string, std::string> values_;
    std::map<std::string, bool> flags_;
    std::vector<std::string> positional_;
    std::vector<std::string> order_;
    std::vector<std::string> missing_; // valued options given without a value
};

// `known` plus the sampling options that generate and chat share (max-tokens, temperature, top-k, top-p,
// min-p, seed, the penalties, repeat-last-n, stop) and the model options (device, dtype, threads, json).
std::vector<std::string> withSamplingOptions(std::vector<std::string> known);

} // namespace hone::cli
