// A Hugging Face hub for tests, served on loopback by a QTcpServer: the revision API (?blobs=true), resolve
// with a 302 to a /blob route for LFS files (X-Linked-Etag = sha256) or the bytes with the git-sha1 ETag,
// Range requests, a gated model, and faults on demand (drop the connection mid-body, corrupt the bytes).
#pragma once

#include <QCryptographicHash>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

namespace hone::test {

inline QString sha256(const QByteArray& b) {
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex());
}
inline QString gitSha1(const QByteArray& b) {
    return QString::fromLatin1(
        QCryptographicHash::hash("blob " + QByteArray::number(b.size()) + QByteArray(1, '\0') + b,
                                 QCryptographicHash::Sha1)
            .toHex());
}

// A minimal HTTP/1.1 hub: one request per connection, Connection: close.
class FakeHub : public QObject {
public:
    struct File {
        QByteArray data;
        bool lfs = false;
    };
    QString repoId = QStringLiteral("test/tiny"); // served openly; "test/gated" needs "Bearer good-token"
    QString commit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
    QMap<QString, File> files;       // rfilename -> content
    qint64 cutNextBlobAt = -1;       // drop the connection after this many body bytes (once)
    bool stallInsteadOfDrop = false; // ... or keep it open and send nothing more
    bool corrupt = false;            // serve a flipped byte from the blob route
    QStringList ranges;              // Range headers seen on /blob and /resolve
    QStringList authHeaders;         // Authorization headers seen
    int blobRequests = 0;

    FakeHub() {
        connect(&server_, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = server_.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    bool listen() { return server_.listen(QHostAddress::LocalHost, 0); }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(server_.serverPort()); }

private:
    void onData(QTcpSocket* s) {
        QByteArray& buf = buffers_[s];
        buf += s->readAll();
        const int end = int(buf.indexOf("\r\n\r\n"));
        if (end < 0) return;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        buffers_.remove(s);
        const QList<QByteArray> req = lines.value(0).trimmed().split(' ');
        QMap<QByteArray, QByteArray> headers;
        for (int i = 1; i < lines.size(); ++i) {
            const int c = int(lines[i].indexOf(':'));
            if (c > 0) headers[lines[i].left(c).trimmed().toLower()] = lines[i].mid(c + 1).trimmed();
        }
        handle(s, QString::fromLatin1(req.value(1)), headers);
    }

    void reply(QTcpSocket* s, int status, const QByteArray& reason, const QByteArray& body,
               const QList<QPair<QByteArray, QByteArray>>& extra = {}, qint64 cutAt = -1) {
        QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + " " + reason + "\r\n";
        for (const auto& h : extra) head += h.first + ": " + h.second + "\r\n";
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n";
        s->write(head);
        s->write(cutAt >= 0 ? body.left(cutAt) : body);
        if (cutAt >= 0 && stallInsteadOfDrop) return; // the client has to time out
        s->disconnectFromHost();
    }

    void serveBytes(QTcpSocket* s, QByteArray data, const QMap<QByteArray, QByteArray>& h,
                    const QString& etag, bool isBlob) {
        const qint64 total = data.size();
        if (isBlob && corrupt) data[int(data.size() / 2)] = char(data[int(data.size() / 2)] ^ 0x5a);
        QList<QPair<QByteArray, QByteArray>> extra{{"ETag", '"' + etag.toLatin1() + '"'}};
        qint64 cut = -1;
        if (isBlob && cutNextBlobAt >= 0) {
            cut = cutNextBlobAt;
            cutNextBlobAt = -1;
        }
        if (h.contains("range")) {
            ranges << QString::fromLatin1(h["range"]);
            const qint64 from = h["range"].mid(6, h["range"].indexOf('-') - 6).toLongLong();
            if (from >= total) return reply(s, 416, "Range Not Satisfiable", {});
            extra << qMakePair(QByteArray("Content-Range"), "bytes " + QByteArray::number(from) + "-" +
                                                                QByteArray::number(total - 1) + "/" +
                                                                QByteArray::number(total));
            return reply(s, 206, "Partial Content", data.mid(int(from)), extra, cut);
        }
        reply(s, 200, "OK", data, extra, cut);
    }

    void handle(QTcpSocket* s, const QString& path, const QMap<QByteArray, QByteArray>& h) {
        if (h.contains("authorization")) authHeaders << QString::fromLatin1(h["authorization"]);
        const QString apiPrefix = QStringLiteral("/api/models/");
        if (path.startsWith(apiPrefix)) {
            const QString rest = path.mid(apiPrefix.size());
            if (rest.startsWith("test/gated/") && h.value("authorization") != "Bearer good-token")
                return reply(s, 401, "Unauthorized",
                             R"({"error":"Access to model test/gated is restricted."})");
            if (!rest.startsWith(repoId + "/revision/main") && !rest.startsWith("test/gated/revision/main"))
                return reply(s, 404, "Not Found", R"({"error":"Repository not found"})");
            QJsonArray siblings;
            for (auto it = files.cbegin(); it != files.cend(); ++it) {
                QJsonObject o{{"rfilename", it.key()},
                              {"size", double(it->data.size())},
                              {"blobId", gitSha1(it->data)}};
                if (it->lfs)
                    o["lfs"] = QJsonObject{{"sha256", sha256(it->data)},
                                           {"size", double(it->data.size())},
                                           {"pointerSize", 134}};
                siblings.append(o);
            }
            const QJsonObject doc{{"id", repoId}, {"sha", commit}, {"siblings", siblings}};
            return reply(s, 200, "OK", QJsonDocument(doc).toJson(QJsonDocument::Compact),
                         {{"Content-Type", "application/json"}});
        }
        const QString resolve = "/" + repoId + "/resolve/" + commit + "/";
        if (path.startsWith(resolve)) {
            const QString name = QUrl::fromPercentEncoding(path.mid(resolve.size()).toLatin1());
            if (!files.contains(name)) return reply(s, 404, "Not Found", "Entry not found");
            const File& f = files[name];
            if (f.lfs) {
                const QByteArray sha = sha256(f.data).toLatin1();
                return reply(s, 302, "Found", {},
                             {{"Location", "/blob/" + sha},
                              {"X-Linked-Etag", '"' + sha + '"'},
                              {"X-Linked-Size", QByteArray::number(f.data.size())},
                              {"X-Repo-Commit", commit.toLatin1()},
                              {"ETag", "\"" + gitSha1(f.data).toLatin1() + "\""}});
            }
            return serveBytes(s, f.data, h, gitSha1(f.data), false);
        }
        if (path.startsWith("/blob/")) {
            ++blobRequests;
            const QString sha = path.mid(6);
            for (const File& f : files)
                if (f.lfs && sha256(f.data) == sha) return serveBytes(s, f.data, h, sha, true);
            return reply(s, 404, "Not Found", "no such blob");
        }
        reply(s, 404, "Not Found", "unknown route");
    }

    QTcpServer server_;
    QHash<QTcpSocket*, QByteArray> buffers_;
};

} // namespace hone::test
