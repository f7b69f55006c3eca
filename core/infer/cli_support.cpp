// Id-list parsing and peak RSS.
#include "infer/cli_support.h"

#include "common/error.h"

#include <charconv>
#include <sys/resource.h>

namespace hone {

std::vector<std::int32_t> parseIdList(const std::string& text, const std::string& what) {
    std::vector<std::int32_t> out;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t j = text.find(',', i);
        if (j == std::string::npos) j = text.size();
        std::string item = text.substr(i, j - i);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        std::int32_t v = 0;
        auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || p != item.data() + item.size() || v < 0)
            throw Error(what + ": '" + item + "' is not a token id (expected e.g. 1,2,3)");
        out.push_back(v);
        i = j + 1;
    }
    if (out.empty()) throw Error(what + " is empty");
    return out;
}

std::uint64_t peakRssBytes() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<std::uint64_t>(ru.ru_maxrss) * 1024u;
}

} // namespace hone
