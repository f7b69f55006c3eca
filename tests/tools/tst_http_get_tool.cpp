// http_get against a loopback HTTP server run by the test (QTcpServer): an allowed host is fetched, a host
// not on the list is refused without a connection, redirects are re-checked (to an allowed host followed,
// to another host refused), big bodies are cut, a stalled server times out, binary bodies are not shown.
#include "common/test_support.h"
#include "services/http_get_tool.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <future>

using namespace hone;
using namespace hone::tools;

namespace {

// One request per connection; routes by path; records the Host header of each request.
class LoopbackHttp : public QObject {
public:
    QStringList seen; // "host path"
    LoopbackHttp() {
        connect(&server_, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = server_.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    bool listen() { return server_.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return server_.serverPort(); }

private:
    void onData(QTcpSocket* s) {
        buffer_[s] += s->readAll();
        const QByteArray& buf = buffer_[s];
        const int end = int(buf.indexOf("\r\n\r\n"));
        if (end < 0) return;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        const QByteArray path = lines.value(0).split(' ').value(1);
        QByteArray host;
        for (const QByteArray& l : lines)
            if (l.toLower().startsWith("host:")) host = l.mid(5).trimmed();
        buffer_.remove(s);
        seen << QString::fromLatin1(host + " " + path);
        const QByteArray self = "http://127.0.0.1:" + QByteArray::number(port());
        if (path == "/hello") return reply(s, "200 OK", "text/plain", "hello from loopback\n");
        if (path == "/missing") return reply(s, "404 Not Found", "text/plain", "no such page\n");
        if (path == "/redirect-ok") return reply(s, "302 Found", "text/plain", "", "Location: /hello\r\n");
        if (path == "/redirect-abs")
            return reply(s, "301 Moved", "text/plain", "", "Location: " + self + "/hello\r\n");
        if (path == "/redirect-bad")
            return reply(s, "302 Found", "text/plain", "",
                         "Location: http://localhost:" + QByteArray::number(port()) + "/hello\r\n");
        if (path == "/redirect-file")
            return reply(s, "302 Found", "text/plain", "", "Location: file:///etc/passwd\r\n");
        if (path == "/loop") return reply(s, "302 Found", "text/plain", "", "Location: /loop\r\n");
        if (path == "/big") return reply(s, "200 OK", "text/plain", QByteArray(300000, 'b'));
        if (path == "/binary")
            return reply(s, "200 OK", "image/png", QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
        if (path == "/stall") {
            s->write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            return; // and nothing more
        }
        reply(s, "500 Internal Server Error", "text/plain", "unexpected path\n");
    }
    void reply(QTcpSocket* s, const QByteArray& status, const QByteArray& type, const QByteArray& body,
               const QByteArray& extra = {}) {
        s->write("HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " +
                 QByteArray::number(body.size()) + "\r\n" + extra + "Connection: close\r\n\r\n" + body);
        s->disconnectFromHost();
    }
    QTcpServer server_;
    QHash<QTcpSocket*, QByteArray> buffer_;
};

} // namespace

class TstHttpGetTool : public QObject {
    Q_OBJECT

    LoopbackHttp http_;
    QString base_;

    // The tool blocks its thread, so it runs on another one while this thread serves HTTP.
    ToolResult get(const QString& url, HttpGetOptions o = {}) {
        if (o.allowedHosts.isEmpty()) o.allowedHosts = {QStringLiteral("127.0.0.1")};
        auto tool = std::make_shared<HttpGetTool>(o);
        auto f = std::async(std::launch::async, [tool, url] {
            return tool->call(Json{{"url", url.toStdString()}}, Clock::now() + std::chrono::seconds(20));
        });
        while (f.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        return f.get();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(http_.listen());
        base_ = QStringLiteral("http://127.0.0.1:%1").arg(http_.port());
    }

    void allowedHost() {
        const ToolResult r = get(base_ + "/hello");
        QVERIFY2(!r.isError, r.content.c_str());
        QVERIFY(r.content.starts_with("HTTP 200 OK\n"));
        QVERIFY(r.content.find("Content-Type: text/plain") != std::string::npos);
        QVERIFY(r.content.ends_with("\n\nhello from loopback\n"));
    }

    void httpErrorIsAnErrorResult() {
        const ToolResult r = get(base_ + "/missing");
        QVERIFY(r.isError);
        QVERIFY(r.content.starts_with("HTTP 404"));
    }

    void disallowedHostNeverContacted() {
        const int before = int(http_.seen.size());
        const ToolResult r = get(QStringLiteral("http://localhost:%1/hello").arg(http_.port()));
        QVERIFY(r.isError);
        QVERIFY2(r.content.find("host 'localhost', which the user has not allowed") != std::string::npos,
                 r.content.c_str());
        QCOMPARE(int(http_.seen.size()), before);
        for (const char* bad : {"file:///etc/passwd", "ftp://127.0.0.1/x", "not a url", "http://"}) {
            const ToolResult b = get(QString::fromLatin1(bad));
            QVERIFY2(b.isError, bad);
        }
        QCOMPARE(int(http_.seen.size()), before);
    }

    void redirects() {
        ToolResult r = get(base_ + "/redirect-ok");
        QVERIFY2(!r.isError, r.content.c_str());
        QVERIFY(r.content.ends_with("hello from loopback\n"));
        QVERIFY(r.content.find("URL: " + base_.toStdString() + "/hello") != std::string::npos);
        r = get(base_ + "/redirect-abs");
        QVERIFY2(!r.isError, r.content.c_str());
        const int before = int(http_.seen.size());
        r = get(base_ + "/redirect-bad");
        QVERIFY(r.isError);
        QVERIFY2(r.content.find("a redirect from the page goes to host 'localhost'") != std::string::npos,
                 r.content.c_str());
        QCOMPARE(int(http_.seen.size()), before + 1); // the redirect target was not fetched
        r = get(base_ + "/redirect-file");
        QVERIFY(r.isError);
        QVERIFY2(r.content.find("only http and https") != std::string::npos, r.content.c_str());
        r = get(base_ + "/loop");
        QVERIFY(r.isError);
        QVERIFY(r.content.find("too many redirects") != std::string::npos);
    }

    void bigBodyIsCut() {
        HttpGetOptions o;
        o.maxBytes = 1000;
        const ToolResult r = get(base_ + "/big", o);
        QVERIFY(!r.isError);
        QVERIFY(r.truncated);
        QVERIFY(r.content.find(std::string(1000, 'b') + "\n[... body truncated after 1000 bytes]") !=
                std::string::npos);
        QVERIFY(r.content.find(std::string(1001, 'b')) == std::string::npos);
    }

    void binaryNotShown() {
        const ToolResult r = get(base_ + "/binary");
        QVERIFY(!r.isError);
        QVERIFY2(r.content.find("[binary content, 16 bytes, not shown]") != std::string::npos,
                 r.content.c_str());
    }

    void stallTimesOut() {
        HttpGetOptions o;
        o.timeout = std::chrono::milliseconds(500);
        QElapsedTimer t;
        t.start();
        const ToolResult r = get(base_ + "/stall", o);
        QVERIFY(r.isError);
        QVERIFY2(r.content.find("took too long") != std::string::npos, r.content.c_str());
        QVERIFY(t.elapsed() < 3000);
    }

    void wildcardHosts() {
        HttpGetOptions o;
        o.allowedHosts = {QStringLiteral("*.example.org"), QStringLiteral("Docs.Python.org")};
        HttpGetTool tool(o);
        QVERIFY(tool.hostAllowed("api.example.org"));
        QVERIFY(tool.hostAllowed("a.b.example.org"));
        QVERIFY(!tool.hostAllowed("example.org"));
        QVERIFY(!tool.hostAllowed("evilexample.org"));
        QVERIFY(tool.hostAllowed("docs.python.org"));
        QVERIFY(!tool.hostAllowed("python.org"));
        QVERIFY(tool.description().find("*.example.org") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TstHttpGetTool)
#include "tst_http_get_tool.moc"
