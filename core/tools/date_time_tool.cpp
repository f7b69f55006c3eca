// current_datetime and a small TZif reader; see date_time_tool.h.
#include "tools/date_time_tool.h"

#include "common/error.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <vector>

namespace hone::tools {
namespace {

bool validZoneName(const std::string& z) {
    if (z.empty() || z.size() > 64 || z.front() == '/' || z.back() == '/') return false;
    std::size_t partStart = 0;
    for (std::size_t i = 0; i <= z.size(); ++i) {
        if (i == z.size() || z[i] == '/') {
            const std::string part = z.substr(partStart, i - partStart);
            if (part.empty() || part == "." || part == "..") return false;
            partStart = i + 1;
            continue;
        }
        const char c = z[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '-' || c == '+';
        if (!ok) return false;
    }
    return true;
}

std::int64_t bigEndian(const std::string& b, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

} // namespace

ZoneOffset zoneOffsetAt(const std::string& zone, std::int64_t unixSeconds) {
    if (!validZoneName(zone))
        throw Error("'" + zone.substr(0, 80) +
                    "' is not a time zone name; use an IANA name like Europe/Berlin");
    const char* dirEnv = std::getenv("TZDIR");
    const std::string path = std::string(dirEnv && *dirEnv ? dirEnv : "/usr/share/zoneinfo") + "/" + zone;
    std::ifstream in(path, std::ios::binary);
    std::string b;
    if (in) b.assign(std::istreambuf_iterator<char>(in), {});
    if (b.size() > (1 << 20) || b.compare(0, 4, "TZif") != 0)
        throw Error("unknown time zone '" + zone +
                    "'; use an IANA name like Europe/Berlin or America/New_York");
    const std::string bad = "the zoneinfo file of " + zone + " is malformed";
    auto counts = [&](std::size_t at, std::int64_t c[6]) {
        if (at + 44 > b.size()) throw Error(bad);
        for (int i = 0; i < 6; ++i) c[i] = bigEndian(b, at + 20 + 4 * i, 4);
        for (int i = 0; i < 6; ++i)
            if (c[i] < 0 || c[i] > 100000) throw Error(bad);
    };
    std::int64_t c[6];
    counts(0, c);
    std::size_t at = 44;
    int timeBytes = 4;
    if (b[4] >= '2') { // skip the 32-bit block, use the 64-bit one
        at += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
        counts(at, c);
        at += 44;
        timeBytes = 8;
    }
    const std::int64_t timecnt = c[3], typecnt = c[4], charcnt = c[5];
    const std::size_t typesAt = at + timecnt * timeBytes + timecnt, charsAt = typesAt + typecnt * 6;
    if (typecnt < 1 || charsAt + charcnt > b.size()) throw Error(bad);
    std::int64_t type = 0; // before the first transition: the first type
    for (std::int64_t i = 0; i < timecnt; ++i) {
        if (bigEndian(b, at + i * timeBytes, timeBytes) > unixSeconds) break;
        type = static_cast<unsigned char>(b[at + timecnt * timeBytes + i]);
    }
    if (type >= typecnt) throw Error(bad);
    const std::size_t t = typesAt + type * 6;
    ZoneOffset z;
    z.utcOffsetSeconds = static_cast<int>(bigEndian(b, t, 4));
    z.isDst = b[t + 4] != 0;
    const std::size_t abbr = static_cast<unsigned char>(b[t + 5]);
    if (abbr < static_cast<std::size_t>(charcnt)) z.abbreviation = b.substr(charsAt + abbr).c_str();
    return z;
}

std::string isoDateTime(std::int64_t unixSeconds, int off, bool zulu) {
    const std::time_t shifted = static_cast<std::time_t>(unixSeconds + off);
    std::tm tm{};
    gmtime_r(&shifted, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string s = buf;
    if (zulu && off == 0) return s + "Z";
    const int a = off < 0 ? -off : off;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
    return s + buf;
}

std::string DateTimeTool::description() const {
    return "Returns the current date and time in UTC and local time (ISO 8601), with the weekday; give an "
           "IANA "
           "time zone such as Europe/Berlin to get the time there.";
}

Json DateTimeTool::parameters() const {
    return Json::parse(R"({"type": "object", "properties": {
        "timezone": {"type": "string", "description": "IANA time zone, e.g. America/New_York; default: local"}}})");
}

ToolResult DateTimeTool::run(const Json& args, Deadline) {
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    Json out;
    out["utc"] = isoDateTime(now, 0, true);
    out["unix"] = now;
    int off = 0;
    const std::string zone = args.value("timezone", std::string());
    if (!zone.empty()) {
        const ZoneOffset z = zoneOffsetAt(zone, now);
        off = z.utcOffsetSeconds;
        out["timezone"] = zone;
        out["abbreviation"] = z.abbreviation;
        out["local"] = isoDateTime(now, off);
    } else {
        const std::time_t t = static_cast<std::time_t>(now);
        std::tm tm{};
        localtime_r(&t, &tm);
        off = static_cast<int>(tm.tm_gmtoff);
        out["local"] = isoDateTime(now, off);
        if (tm.tm_zone) out["abbreviation"] = tm.tm_zone;
    }
    static const char* const days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
    const std::time_t shifted = static_cast<std::time_t>(now + off);
    std::tm tm{};
    gmtime_r(&shifted, &tm);
    out["weekday"] = days[tm.tm_wday % 7];
    return ToolResult::ok(out.dump());
}

} // namespace hone::tools
