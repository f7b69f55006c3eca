// The current_datetime tool: the date and time now in UTC and local time (ISO 8601), optionally in an IANA
// time zone read from the system's zoneinfo files (TZif), with the weekday and the Unix time.
#pragma once

#include "tools/tool.h"

#include <cstdint>
#include <string>

namespace hone::tools {

struct ZoneOffset {
    int utcOffsetSeconds = 0;
    bool isDst = false;
    std::string abbreviation; // "CET", "EDT", ...
};

// The offset of IANA zone `zone` ("Europe/Berlin") at `unixSeconds`, from <zoneinfo>/<zone> (TZDIR or
// /usr/share/zoneinfo). Past the file's last transition the last offset is kept. Throws hone::Error for a
// malformed or unknown name or an unreadable file.
ZoneOffset zoneOffsetAt(const std::string& zone, std::int64_t unixSeconds);
// "2024-07-15T14:00:00+02:00" ("Z" for offset 0 when `zulu`).
std::string isoDateTime(std::int64_t unixSeconds, int utcOffsetSeconds, bool zulu = false);

class DateTimeTool : public Tool {
public:
    std::string name() const override { return "current_datetime"; }
    std::string description() const override;
    Json parameters() const override;

protected:
    ToolResult run(const Json& arguments, Deadline deadline) override;
};

} // namespace hone::tools
