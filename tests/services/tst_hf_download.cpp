// HfDownload against a hub served by the test on loopback (QTcpServer: the revision API, resolve with a 302
// to a blob route that honours Range and ETag, and can drop the connection mid-body or corrupt the bytes):
// the cache layout other tools read, resume with Range, checksum refusal, 404 and gated-model messages.
#include "common/test_support.h"
#include "fake_hub.h"
#include "services/hf_download.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <unistd.h>

using namespace hone;

namespace {

using test::FakeHub;
using test::gitSha1;
using test::sha256;

QByteArray randomBytes(int n) {
    QByteArray b(n, Qt::Uninitialized);
    QRandomGenerator gen(1234);
    for (int i = 0; i < n; ++i) b[i] = char(gen.generate() & 0xff);
    return b;
}

// The link's own text (relative or not), not what it resolves to.
QString linkText(const QString& path) {
    char buf[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buf, sizeof buf);
    return n < 0 ? QString() : QString::fromLocal8Bit(buf, int(n));
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestHfDownload : public QObject {
    Q_OBJECT
private:
    FakeHub hub_;
    QByteArray weights_ = randomBytes(3 << 20);
    QByteArray config_ = R"({"model_type": "llama", "hidden_size": 64})";
    QByteArray notes_ = "nested file\n";

    struct Result {
        bool ok = false;
        QString message; // failure message or snapshot dir
    };
    Result run(HfDownload& d, const QString& id, const QStringList& files = {}) {
        QSignalSpy done(&d, &HfDownload::finished);
        QSignalSpy failed(&d, &HfDownload::failed);
        d.start(id, "main", files);
        if (!QTest::qWaitFor([&] { return done.count() + failed.count() > 0; }, 30000))
            return {false, "timeout"};
        if (!done.isEmpty()) return {true, done[0][0].toString()};
        return {false, failed[0][0].toString()};
    }
    QString repo(const QTemporaryDir& cache) const { return cache.path() + "/models--test--tiny"; }

private Q_SLOTS:
    void initTestCase() {
        hub_.files["config.json"] = {config_, false};
        hub_.files["model.safetensors"] = {weights_, true};
        hub_.files["sub/notes.txt"] = {notes_, false};
        QVERIFY(hub_.listen());
    }
    void init() {
        hub_.cutNextBlobAt = -1;
        hub_.stallInsteadOfDrop = false;
        hub_.corrupt = false;
        hub_.ranges.clear();
        hub_.authHeaders.clear();
        hub_.blobRequests = 0;
    }

    void fullDownloadWritesTheHubCacheLayout() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        QSignalSpy progress(&d, &HfDownload::progress);
        const Result r = run(d, "test/tiny");
        QVERIFY2(r.ok, qPrintable(r.message));
        const QString snap = repo(cache) + "/snapshots/" + hub_.commit;
        QCOMPARE(QDir::cleanPath(r.message), QDir::cleanPath(snap));
        // blobs named by etag: sha256 for LFS, git sha1 otherwise.
        QCOMPARE(readAll(repo(cache) + "/blobs/" + sha256(weights_)), weights_);
        QCOMPARE(readAll(repo(cache) + "/blobs/" + gitSha1(config_)), config_);
        // snapshots/<commit>/<file> are relative symlinks into blobs.
        const QFileInfo w(snap + "/model.safetensors");
        QVERIFY(w.isSymLink());
        QCOMPARE(linkText(snap + "/model.safetensors"), "../../blobs/" + sha256(weights_));
        QCOMPARE(linkText(snap + "/sub/notes.txt"), "../../../blobs/" + gitSha1(notes_));
        QCOMPARE(readAll(snap + "/sub/notes.txt"), notes_);
        QCOMPARE(readAll(snap + "/config.json"), config_);
        QCOMPARE(readAll(repo(cache) + "/refs/main"), hub_.commit.toLatin1());
        QVERIFY(QDir(repo(cache) + "/blobs").entryList({"*.incomplete"}, QDir::Files).isEmpty());
        QVERIFY(!progress.isEmpty());
        const qint64 total = weights_.size() + config_.size() + notes_.size();
        QCOMPARE(progress.last()[0].toLongLong(), total);
        QCOMPARE(progress.last()[1].toLongLong(), total);
        QVERIFY(hub_.ranges.isEmpty());
        QCOMPARE(hub_.blobRequests, 1);

        // Everything present: a second run fetches no blob again.
        const Result again = run(d, "test/tiny");
        QVERIFY2(again.ok, qPrintable(again.message));
        QCOMPARE(hub_.blobRequests, 1);
    }

    void symlinksAreRelative() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        QVERIFY(run(d, "test/tiny", {"model.safetensors", "sub/notes.txt"}).ok);
        const QString snap = repo(cache) + "/snapshots/" + hub_.commit;
        // Moving the whole cache keeps it valid (other tools rely on relative links).
        QTemporaryDir moved;
        const QString dest = moved.path() + "/hub";
        QVERIFY(QDir().rename(cache.path(), dest));
        const QString snap2 = dest + "/models--test--tiny/snapshots/" + hub_.commit;
        QCOMPARE(readAll(snap2 + "/model.safetensors"), weights_);
        QCOMPARE(readAll(snap2 + "/sub/notes.txt"), notes_);
        QVERIFY(!QFileInfo::exists(snap2 + "/config.json")); // not asked for
        QDir().rename(dest, cache.path());
        Q_UNUSED(snap);
    }

    void interruptedDownloadResumesWithRange() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        d.setMaxRetries(0);
        const qint64 cut = 1 << 20;
        hub_.cutNextBlobAt = cut;
        Result r = run(d, "test/tiny", {"model.safetensors"});
        QVERIFY(!r.ok);
        QVERIFY2(r.message.contains("interrupted") && r.message.contains("resume"), qPrintable(r.message));
        const QString incomplete = repo(cache) + "/blobs/" + sha256(weights_) + ".incomplete";
        QCOMPARE(QFileInfo(incomplete).size(), cut);
        QVERIFY(!QFileInfo::exists(repo(cache) + "/blobs/" + sha256(weights_)));
        QVERIFY(!QFileInfo::exists(repo(cache) + "/snapshots/" + hub_.commit + "/model.safetensors"));

        r = run(d, "test/tiny", {"model.safetensors"});
        QVERIFY2(r.ok, qPrintable(r.message));
        QVERIFY2(hub_.ranges.contains(QStringLiteral("bytes=%1-").arg(cut)),
                 qPrintable(hub_.ranges.join(';')));
        const QByteArray got = readAll(repo(cache) + "/snapshots/" + hub_.commit + "/model.safetensors");
        QCOMPARE(sha256(got), sha256(weights_));
        QVERIFY(!QFileInfo::exists(incomplete));
    }

    void droppedConnectionIsRetriedAutomatically() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        hub_.cutNextBlobAt = 700000;
        const Result r = run(d, "test/tiny", {"model.safetensors"});
        QVERIFY2(r.ok, qPrintable(r.message));
        QCOMPARE(hub_.ranges, QStringList{QStringLiteral("bytes=700000-")});
        QCOMPARE(sha256(readAll(repo(cache) + "/blobs/" + sha256(weights_))), sha256(weights_));
    }

    void stalledConnectionTimesOutAndResumes() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        d.setTransferTimeout(500);
        hub_.cutNextBlobAt = 500000;
        hub_.stallInsteadOfDrop = true;
        const Result r = run(d, "test/tiny", {"model.safetensors"});
        QVERIFY2(r.ok, qPrintable(r.message));
        QCOMPARE(hub_.ranges, QStringList{QStringLiteral("bytes=500000-")});
        QCOMPARE(sha256(readAll(repo(cache) + "/blobs/" + sha256(weights_))), sha256(weights_));
    }

    void wrongChecksumIsRefusedAndDeleted() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        hub_.corrupt = true;
        const Result r = run(d, "test/tiny", {"model.safetensors"});
        QVERIFY(!r.ok);
        QVERIFY2(r.message.contains("Checksum mismatch") && r.message.contains("deleted") &&
                     r.message.contains(sha256(weights_)),
                 qPrintable(r.message));
        const QStringList blobs = QDir(repo(cache) + "/blobs").entryList(QDir::Files);
        QVERIFY2(blobs.isEmpty(), qPrintable(blobs.join(',')));
        QVERIFY(!QFileInfo::exists(repo(cache) + "/snapshots/" + hub_.commit + "/model.safetensors"));
        QVERIFY(!QFileInfo::exists(repo(cache) + "/refs/main"));
    }

    void fullDiskIsReportedAndNothingLooksComplete() {
        QTemporaryDir cache;
        if (!QFileInfo::exists("/dev/full")) QSKIP("no /dev/full on this system");
        // The partial file is /dev/full: every write fails with ENOSPC, as on a full disk.
        QVERIFY(QDir().mkpath(repo(cache) + "/blobs"));
        const QString incomplete = repo(cache) + "/blobs/" + sha256(weights_) + ".incomplete";
        QVERIFY(QFile::link("/dev/full", incomplete));
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        const Result r = run(d, "test/tiny", {"model.safetensors"});
        QVERIFY(!r.ok);
        QVERIFY2(r.message.contains("disk is probably full") && r.message.contains(".incomplete"),
                 qPrintable(r.message));
        QVERIFY(!QFileInfo::exists(repo(cache) + "/blobs/" + sha256(weights_)));
        QVERIFY(!QFileInfo::exists(repo(cache) + "/snapshots/" + hub_.commit + "/model.safetensors"));
        QVERIFY(!d.isRunning());
    }

    void missingModelSays404() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        const Result r = run(d, "test/missing");
        QVERIFY(!r.ok);
        QVERIFY2(r.message.contains("404") && r.message.contains("test/missing") &&
                     r.message.contains("model id"),
                 qPrintable(r.message));
        QVERIFY(!QFileInfo::exists(cache.path() + "/models--test--missing"));
        const Result f = run(d, "test/tiny", {"nope.bin"});
        QVERIFY(!f.ok);
        QVERIFY2(f.message.contains("nope.bin"), qPrintable(f.message));
        const Result bad = run(d, "not a model id");
        QVERIFY(!bad.ok);
        QVERIFY2(bad.message.contains("organisation/name"), qPrintable(bad.message));
    }

    void gatedModelAsksForToken() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        const Result r = run(d, "test/gated");
        QVERIFY(!r.ok);
        QVERIFY2(r.message.contains("gated") && r.message.contains("licence") && r.message.contains("token"),
                 qPrintable(r.message));
        QVERIFY(r.message.contains("401"));
        d.setToken("good-token");
        QSignalSpy list(&d, &HfDownload::fileListReady);
        d.fetchFileList("test/gated", "main");
        QVERIFY(list.wait(10000));
        QCOMPARE(list[0][0].toString(), hub_.commit);
        QCOMPARE(list[0][1].value<QList<HfFileInfo>>().size(), 3);
        QVERIFY(hub_.authHeaders.contains("Bearer good-token"));
    }

    void cancelKeepsThePartialFileForResume() {
        QTemporaryDir cache;
        HfDownload d;
        d.setEndpoint(hub_.url());
        d.setCacheDir(cache.path());
        QSignalSpy failed(&d, &HfDownload::failed);
        QSignalSpy done(&d, &HfDownload::finished);
        connect(&d, &HfDownload::fileDone, &d, [&d](const QString&) { d.cancel(); });
        d.start("test/tiny", "main", {"config.json", "model.safetensors"});
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() + done.count() > 0, 10000);
        QCOMPARE(done.count(), 0);
        QVERIFY(failed[0][0].toString().contains("cancelled"));
        QVERIFY(!d.isRunning());
        QVERIFY(!QFileInfo::exists(repo(cache) + "/snapshots/" + hub_.commit + "/model.safetensors"));
        QCOMPARE(readAll(repo(cache) + "/snapshots/" + hub_.commit + "/config.json"), config_);
    }

    void endpointAndCacheFollowTheEnvironment() {
        qputenv("HF_ENDPOINT", "http://127.0.0.1:9");
        QCOMPARE(HfDownload::defaultEndpoint(), QStringLiteral("http://127.0.0.1:9"));
        qunsetenv("HF_ENDPOINT");
        QCOMPARE(HfDownload::defaultEndpoint(), QStringLiteral("https://huggingface.co"));
        qputenv("HF_HOME", "/tmp/hfhome");
        qunsetenv("HF_HUB_CACHE");
        QCOMPARE(HfDownload::defaultCacheDir(), QStringLiteral("/tmp/hfhome/hub"));
        qputenv("HF_HUB_CACHE", "/tmp/hubcache");
        QCOMPARE(HfDownload::defaultCacheDir(), QStringLiteral("/tmp/hubcache"));
        qunsetenv("HF_HUB_CACHE");
        qunsetenv("HF_HOME");
        QCOMPARE(HfDownload::repoFolder("/c", "org/name"), QStringLiteral("/c/models--org--name"));
    }
};

QTEST_GUILESS_MAIN(TestHfDownload)
#include "tst_hf_download.moc"
