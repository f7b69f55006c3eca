// Implementation of the `hone` argument parser.
#include "cli_args.h"

#include "common/error.h"

#include <algorithm>
#include <charconv>

namespace hone::cli {

Args::Args(std::vector<std::string> argv, std::vector<std::string> flagNames) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.rfind("--", 0) != 0 || a.size() == 2) {
            positional_.push_back(a);
            continue;
        }
        std::string key = a.substr(2);
        auto eq = key.find('=');
        if (eq != std::string::npos) {
            values_[key.substr(0, eq)] = key.substr(eq + 1);
            order_.push_back(key.substr(0, eq));
            continue;
        }
        order_.push_back(key);
        if (std::find(flagNames.begin(), flagNames.end(), key) != flagNames.end()) {
            flags_[key] = true;
        } else {
            if (i + 1 >= argv.size() || argv[i + 1].rfind("--", 0) == 0)
                missing_.push_back(key);
            else
                values_[key] = argv[++i];
        }
    }
}

bool Args::flag(const std::string& name) const {
    return flags_.count(name) > 0;
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::getOr(const std::string& name, const std::string& def) const {
    auto v = get(name);
    return v ? *v : def;
}

std::string Args::require(const std::string& name) const {
    auto v = get(name);
    if (!v) throw Error("missing required option --" + name);
    return *v;
}

long long Args::getInt(const std::string& name, long long def) const {
    auto v = get(name);
    if (!v) return def;
    long long out = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || p != v->data() + v->size())
        throw Error("option --" + name + " expects an integer, got '" + *v + "'");
    return out;
}

double Args::getDouble(const std::string& name, double def) const {
    auto v = get(name);
    if (!v) return def;
    try {
        std::size_t used = 0;
        double d = std::stod(*v, &used);
        if (used != v->size()) throw std::invalid_argument("trailing");
        return d;
    } catch (const std::exception&) {
        throw Error("option --" + name + " expects a number, got '" + *v + "'");
    }
}

std::vector<std::string> withSamplingOptions(std::vector<std::string> known) {
    for (const char* o : {"max-tokens", "temperature", "top-k", "top-p", "min-p", "seed", "repeat-penalty",
                          "presence-penalty", "frequency-penalty", "repeat-last-n", "stop", "device", "dtype",
                          "threads", "json"})
        known.emplace_back(o);
    return known;
}

void Args::check(const std::vector<std::string>& known) const {
    for (const auto& k : order_) {
        if (std::find(known.begin(), known.end(), k) == known.end())
            throw Error("unknown option --" + k + " (see `hone help`)");
    }
    if (!missing_.empty()) throw Error("option --" + missing_.front() + " needs a value");
}

} // namespace hone::cli
