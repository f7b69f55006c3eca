// The http_get tool: fetches a web page with QNetworkAccessManager, only from hosts the user allowed. Every
// redirect is followed by hand and its target checked against the same allow list; bodies are cut at a size
// limit and the whole fetch stops at a timeout. Safe to call from any thread (it runs its own event loop).
#pragma once

#include "tools/tool.h"

#include <QStringList>
#include <chrono>

namespace hone {

struct HttpGetOptions {
    // Host names ("example.com"), or "*.example.com" for its subdomains (not the domain itself); no ports.
    QStringList allowedHosts;
    qint64 maxBytes = 512 * 1024;
    std::chrono::milliseconds timeout{15000};
    int maxRedirects = 5;
};

class HttpGetTool : public tools::Tool {
public:
    explicit HttpGetTool(HttpGetOptions options);

    std::string name() const override { return "http_get"; }
    std::string description() const override;
    Json parameters() const override;

    // Whether `host` is on the allow list (case-insensitive).
    bool hostAllowed(const QString& host) const;

protected:
    tools::ToolResult run(const Json& arguments, tools::Deadline deadline) override;

private:
    HttpGetOptions options_;
};

} // namespace hone
