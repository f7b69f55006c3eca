// http_get over QNetworkAccessManager with an allow list re-checked on every redirect; see http_get_tool.h.
#include "services/http_get_tool.h"

#include "common/error.h"
#include "tools/file_tools.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>
#include <algorithm>

namespace hone {

HttpGetTool::HttpGetTool(HttpGetOptions options)
    : options_(std::move(options)) {}

std::string HttpGetTool::description() const {
    std::string hosts;
    for (const QString& h : options_.allowedHosts) hosts += (hosts.empty() ? "" : ", ") + h.toStdString();
    return "Fetches a web page or file by HTTP(S) GET and returns its status, type and text. Only these "
           "hosts "
           "may be fetched: " +
           (hosts.empty() ? std::string("none (the user has not allowed any)") : hosts) + ".";
}

Json HttpGetTool::parameters() const {
    return Json::parse(R"json({"type": "object", "properties": {
        "url": {"type": "string", "maxLength": 2048, "description": "http:// or https:// address"}},
        "required": ["url"]})json");
}

bool HttpGetTool::hostAllowed(const QString& host) const {
    const QString h = host.toLower();
    if (h.isEmpty()) return false;
    return std::any_of(options_.allowedHosts.begin(), options_.allowedHosts.end(), [&](const QString& entry) {
        const QString e = entry.trimmed().toLower();
        if (e.startsWith(QStringLiteral("*."))) return h.endsWith(e.mid(1)) && h.size() > e.size() - 1;
        return h == e;
    });
}

tools::ToolResult HttpGetTool::run(const Json& args, tools::Deadline deadline) {
    const std::string given = args.at("url").get<std::string>();
    QUrl url(QString::fromStdString(given), QUrl::StrictMode);
    const tools::Deadline until = std::min(deadline, tools::Clock::now() + options_.timeout);
    auto check = [this](const QUrl& u, const std::string& what) {
        if (!u.isValid())
            throw Error(what + " '" + u.toString().toStdString() + "' is not a valid web address");
        if (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https"))
            throw Error(what + " '" + u.toString().toStdString() + "' uses '" + u.scheme().toStdString() +
                        ":'; only http and https are fetched");
        if (u.host().isEmpty()) throw Error(what + " '" + u.toString().toStdString() + "' names no host");
        if (!hostAllowed(u.host()))
            throw Error(what + " goes to host '" + u.host().toStdString() +
                        "', which the user has not allowed; ask them to add it to the allowed hosts");
    };
    check(url, "the address");

    QNetworkAccessManager nam;
    for (int hop = 0;; ++hop) {
        QNetworkRequest request(url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Hone"));
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - tools::Clock::now());
        if (left.count() <= 0) throw Error("no time left to fetch " + url.toString().toStdString());
        QNetworkReply* reply = nam.get(request);
        QByteArray body;
        bool cut = false, timedOut = false;
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
            timedOut = true;
            reply->abort();
        });
        QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
            body += reply->read(options_.maxBytes + 1 - body.size());
            if (body.size() > options_.maxBytes) {
                cut = true;
                body.truncate(options_.maxBytes);
                reply->abort();
            }
        });
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        timer.start(static_cast<int>(left.count()));
        if (!reply->isFinished()) loop.exec();
        timer.stop();
        if (!cut && !timedOut) body += reply->read(options_.maxBytes + 1 - body.size());
        if (body.size() > options_.maxBytes) {
            cut = true;
            body.truncate(options_.maxBytes);
        }
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        const QString type = reply->header(QNetworkRequest::ContentTypeHeader).toString();
        const QByteArray location = reply->rawHeader("Location");
        const QNetworkReply::NetworkError error = reply->error();
        const QString errorText = reply->errorString();
        reply->deleteLater();
        if (timedOut)
            throw Error("fetching " + url.toString().toStdString() +
                        " took too long; gave up after the timeout");
        if (status >= 300 && status < 400 && !location.isEmpty()) {
            if (hop >= options_.maxRedirects)
                throw Error("too many redirects (more than " + std::to_string(options_.maxRedirects) + ")");
            url = url.resolved(QUrl::fromEncoded(location, QUrl::StrictMode));
            check(url, "a redirect from the page");
            continue;
        }
        if (status == 0 && error != QNetworkReply::NoError && !cut)
            throw Error("fetching " + url.toString().toStdString() + " failed: " + errorText.toStdString());
        std::string head = "HTTP " + std::to_string(status) + " " + reason.toStdString() +
                           "\nURL: " + url.toString().toStdString() +
                           "\nContent-Type: " + type.toStdString() + "\n\n";
        std::string text(body.constData(), static_cast<std::size_t>(body.size()));
        tools::ToolResult r;
        if (tools::looksBinary(text)) {
            r = tools::ToolResult::ok(head + "[binary content, " + std::to_string(body.size()) +
                                      (cut ? "+" : "") + " bytes, not shown]");
        } else {
            r = tools::ToolResult::ok(head + text);
            if (cut)
                r.content += "\n[... body truncated after " + std::to_string(options_.maxBytes) + " bytes]";
        }
        r.truncated = cut;
        r.isError = status >= 400;
        return r;
    }
}

} // namespace hone
