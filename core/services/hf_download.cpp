// Implementation of the hub downloader: revision API, resolve with manual redirects (the hub's 302 carries
// the X-Linked-Etag), Range resume from blobs/<hash>.incomplete, hash check off the GUI thread, then the
// snapshot symlink and refs/<revision>.
#include "services/hf_download.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace hone {

namespace {
QString cleanEtag(QByteArray v) {
    v = v.trimmed();
    if (v.startsWith("W/")) v = v.mid(2);
    if (v.size() >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.mid(1, v.size() - 2);
    return QString::fromLatin1(v).toLower();
}
bool isHex(const QString& s, int len) {
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]+$"));
    return s.size() == len && re.match(s).hasMatch();
}
QString humanBytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(b, 0, 'f', u ? 1 : 0).arg(QLatin1String(units[u]));
}
// sha256 of the file, or the git blob sha1 ("blob <size>\0" + content) when `gitSha1`. Empty on read error.
QString hashFile(const QString& path, bool gitSha1) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QCryptographicHash h(gitSha1 ? QCryptographicHash::Sha1 : QCryptographicHash::Sha256);
    if (gitSha1) h.addData(QByteArray("blob ") + QByteArray::number(f.size()) + QByteArray(1, '\0'));
    if (!h.addData(&f)) return {};
    return QString::fromLatin1(h.result().toHex());
}
} // namespace

HfDownload::HfDownload(QObject* parent)
    : QObject(parent)
    , nam_(new QNetworkAccessManager(this))
    , endpoint_(defaultEndpoint())
    , cacheDir_(defaultCacheDir()) {}

HfDownload::~HfDownload() {
    if (reply_) {
        reply_->disconnect(this);
        reply_->abort();
    }
}

QString HfDownload::defaultEndpoint() {
    const QString e = qEnvironmentVariable("HF_ENDPOINT");
    return e.isEmpty() ? QStringLiteral("https://huggingface.co") : e;
}

QString HfDownload::defaultCacheDir() {
    const QString hub = qEnvironmentVariable("HF_HUB_CACHE");
    if (!hub.isEmpty()) return QDir::cleanPath(hub);
    const QString home = qEnvironmentVariable("HF_HOME");
    if (!home.isEmpty()) return QDir::cleanPath(home + "/hub");
    return QDir::cleanPath(QDir::homePath() + "/.cache/huggingface/hub");
}

QString HfDownload::repoFolder(const QString& cacheDir, const QString& modelId) {
    return QDir(cacheDir).filePath("models--" + QString(modelId).replace('/', "--"));
}

void HfDownload::fetchFileList(const QString& modelId, const QString& revision) {
    if (running_) return;
    modelId_ = modelId.trimmed();
    revision_ = revision.trimmed().isEmpty() ? QStringLiteral("main") : revision.trimmed();
    requestList(false);
}

void HfDownload::start(const QString& modelId, const QString& revision, const QStringList& files) {
    if (running_) return;
    modelId_ = modelId.trimmed();
    revision_ = revision.trimmed().isEmpty() ? QStringLiteral("main") : revision.trimmed();
    wanted_ = files;
    running_ = true;
    cancelled_ = false;
    requestList(true);
}

void HfDownload::cancel() {
    if (!running_) return;
    cancelled_ = true;
    if (reply_) {
        reply_->disconnect(this);
        reply_->abort();
        reply_->deleteLater();
    }
    out_.close();
    running_ = false;
    Q_EMIT failed(tr("Download cancelled. The partial file is kept: start again to resume."));
}

void HfDownload::fail(const QString& message) {
    if (reply_) {
        reply_->disconnect(this);
        reply_->deleteLater();
    }
    out_.close();
    running_ = false;
    Q_EMIT failed(message);
}

QString HfDownload::httpError(int status, const QString& what) const {
    if (status == 401 || status == 403)
        return tr("%1: this model is gated or private (HTTP %2): accept its licence on huggingface.co and "
                  "give "
                  "an access token.")
            .arg(what)
            .arg(status);
    if (status == 404)
        return tr("%1 was not found (HTTP 404) at %2: check the model id, the revision and the file name.")
            .arg(what, endpoint_);
    return tr("%1: the server answered HTTP %2: try again later.").arg(what).arg(status);
}

void HfDownload::requestList(bool thenDownload) {
    static const QRegularExpression idRe(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)?$"));
    if (!idRe.match(modelId_).hasMatch()) {
        const QString msg =
            tr("'%1' is not a model id: write it as organisation/name, e.g. Qwen/Qwen2.5-0.5B.")
                .arg(modelId_);
        if (thenDownload)
            fail(msg);
        else
            Q_EMIT failed(msg);
        return;
    }
    QUrl url(endpoint_ + "/api/models/" + modelId_ + "/revision/" +
             QString::fromLatin1(QUrl::toPercentEncoding(revision_)));
    url.setQuery(QStringLiteral("blobs=true"));
    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    if (!token_.isEmpty()) req.setRawHeader("Authorization", "Bearer " + token_.toUtf8());
    QNetworkReply* reply = nam_->get(req);
    reply_ = reply;
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, thenDownload] { onListReply(reply, thenDownload); });
}

void HfDownload::onListReply(QNetworkReply* reply, bool thenDownload) {
    reply->deleteLater();
    reply_ = nullptr;
    auto bad = [&](const QString& msg) {
        if (thenDownload)
            fail(msg);
        else
            Q_EMIT failed(msg);
    };
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString what = tr("Model %1 (revision %2)").arg(modelId_, revision_);
    if (status == 0)
        return bad(tr("Cannot reach %1: %2. Check the network connection or the endpoint (HF_ENDPOINT).")
                       .arg(endpoint_, reply->errorString()));
    if (status != 200) return bad(httpError(status, what));
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    const QString sha = o.value("sha").toString();
    if (!isHex(sha, 40))
        return bad(
            tr("%1: the server's answer has no commit id: is %2 a Hugging Face hub?").arg(what, endpoint_));
    commit_ = sha;
    list_.clear();
    for (const QJsonValue v : o.value("siblings").toArray()) {
        const QJsonObject s = v.toObject();
        HfFileInfo f;
        f.path = s.value("rfilename").toString();
        if (f.path.isEmpty() || f.path.contains("..") || f.path.startsWith('/')) continue;
        f.size = s.value("size").toInteger(-1);
        f.blobId = s.value("blobId").toString().toLower();
        const QJsonObject lfs = s.value("lfs").toObject();
        if (!lfs.isEmpty()) {
            f.sha256 = lfs.value("sha256").toString(lfs.value("oid").toString()).toLower();
            if (f.size < 0) f.size = lfs.value("size").toInteger(-1);
        }
        list_ << f;
    }
    Q_EMIT fileListReady(commit_, list_);
    if (!thenDownload) return;

    queue_.clear();
    for (const HfFileInfo& f : list_)
        if (wanted_.isEmpty() || wanted_.contains(f.path)) queue_ << f;
    for (const QString& w : wanted_) {
        bool found = false;
        for (const HfFileInfo& f : list_) found = found || f.path == w;
        if (!found) return fail(tr("%1 has no file %2: pick files from the list.").arg(what, w));
    }
    totalBytes_ = 0;
    for (const HfFileInfo& f : queue_)
        totalBytes_ = f.size < 0 || totalBytes_ < 0 ? -1 : totalBytes_ + f.size;
    const QString repo = repoFolder(cacheDir_, modelId_);
    if (!QDir().mkpath(repo + "/blobs"))
        return fail(tr("Cannot create %1: check that the cache folder is writable (or set HF_HUB_CACHE).")
                        .arg(repo + "/blobs"));
    if (totalBytes_ > 0) {
        qint64 needed = 0;
        for (const HfFileInfo& f : queue_) {
            const QString blob = repo + "/blobs/" + f.blobName();
            if (!f.blobName().isEmpty() && QFileInfo(blob).size() == f.size) continue;
            needed += f.size - QFileInfo(blob + ".incomplete").size();
        }
        const QStorageInfo disk(repo);
        if (disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < needed)
            return fail(
                tr("Not enough free disk space in %1: the download needs %2 more, %3 is free. Free some "
                   "space or point HF_HUB_CACHE at a larger disk.")
                    .arg(disk.rootPath(), humanBytes(double(needed)),
                         humanBytes(double(disk.bytesAvailable()))));
    }
    doneBytes_ = 0;
    sessionBytes_ = 0;
    clock_.start();
    lastEmitMs_ = -1;
    nextFile();
}

void HfDownload::nextFile() {
    if (cancelled_) return;
    const QString repo = repoFolder(cacheDir_, modelId_);
    if (queue_.isEmpty()) {
        if (revision_ != commit_) {
            QDir().mkpath(repo + "/refs");
            QFile ref(repo + "/refs/" + revision_);
            if (!QDir().mkpath(QFileInfo(ref).path()) ||
                !ref.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
                ref.write(commit_.toLatin1()) != commit_.size())
                return fail(
                    tr("Cannot write %1: %2 (is the disk full?)").arg(ref.fileName(), ref.errorString()));
        }
        running_ = false;
        emitProgress();
        Q_EMIT finished(repo + "/snapshots/" + commit_);
        return;
    }
    current_ = queue_.takeFirst();
    retries_ = 0;
    doneBeforeFile_ = doneBytes_;
    const QString blobName = current_.blobName();
    const QString blob = repo + "/blobs/" + blobName;
    if (!blobName.isEmpty() && QFileInfo::exists(blob) &&
        (current_.size < 0 || QFileInfo(blob).size() == current_.size)) {
        placeSnapshotLink(current_, blob);
        if (!running_) return;
        doneBytes_ += QFileInfo(blob).size();
        Q_EMIT fileDone(current_.path);
        nextFile();
        return;
    }
    const QString stem =
        blobName.isEmpty() ? QString::fromLatin1(QCryptographicHash::hash((commit_ + current_.path).toUtf8(),
                                                                          QCryptographicHash::Sha1)
                                                     .toHex())
                           : blobName;
    incompletePath_ = repo + "/blobs/" + stem + ".incomplete";
    out_.setFileName(incompletePath_);
    if (!out_.open(QIODevice::ReadWrite | QIODevice::Append))
        return fail(tr("Cannot write %1: %2. Check that the cache folder is writable.")
                        .arg(incompletePath_, out_.errorString()));
    if (current_.size >= 0 && out_.size() > current_.size) out_.resize(0);
    doneBytes_ = doneBeforeFile_ + out_.size();
    if (current_.size >= 0 && out_.size() == current_.size && !blobName.isEmpty()) {
        out_.close();
        verifyAndPlace();
        return;
    }
    requestFile(QUrl(endpoint_ + "/" + modelId_ + "/resolve/" + commit_ + "/" + current_.path), false);
}

void HfDownload::requestFile(const QUrl& url, bool followed) {
    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setTransferTimeout(transferTimeoutMs_); // no byte for this long: treated as a dropped connection
    // The token goes to the hub only, never to the storage host a redirect points at.
    if (!token_.isEmpty() && url.host() == QUrl(endpoint_).host() && url.port() == QUrl(endpoint_).port())
        req.setRawHeader("Authorization", "Bearer " + token_.toUtf8());
    const qint64 offset = out_.size();
    if (offset > 0) req.setRawHeader("Range", "bytes=" + QByteArray::number(offset) + "-");
    if (!followed) headerEtag_.clear();
    bodyChecked_ = false;
    QNetworkReply* reply = nam_->get(req);
    reply_ = reply;
    connect(reply, &QNetworkReply::readyRead, this, &HfDownload::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &HfDownload::onFileReply);
}

void HfDownload::onReadyRead() {
    if (!reply_) return;
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200 && status != 206) return; // redirects and errors: the body is not the file
    if (!bodyChecked_) {
        bodyChecked_ = true;
        // A 200 to a Range request is the whole file again: start over.
        if (status == 200 && out_.size() > 0) {
            out_.resize(0);
            doneBytes_ = doneBeforeFile_;
        }
        const QString etag = cleanEtag(reply_->rawHeader("X-Linked-Etag"));
        if (!etag.isEmpty())
            headerEtag_ = etag;
        else if (headerEtag_.isEmpty())
            headerEtag_ = cleanEtag(reply_->rawHeader("ETag"));
    }
    const QByteArray data = reply_->readAll();
    if (data.isEmpty()) return;
    if (out_.write(data) != data.size() || !out_.flush()) {
        const QString err = out_.errorString();
        reply_->disconnect(this);
        reply_->abort();
        return fail(tr("Writing %1 failed: %2. The disk is probably full: free some space and start again to "
                       "resume.")
                        .arg(incompletePath_, err));
    }
    doneBytes_ += data.size();
    sessionBytes_ += data.size();
    emitProgress();
}

void HfDownload::onFileReply() {
    QNetworkReply* reply = reply_;
    if (!reply || cancelled_) return;
    reply->deleteLater();
    reply_ = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString what = tr("File %1 of %2").arg(current_.path, modelId_);
    if (status >= 300 && status < 400) {
        const QString linked = cleanEtag(reply->rawHeader("X-Linked-Etag"));
        headerEtag_ = linked.isEmpty() ? cleanEtag(reply->rawHeader("ETag")) : linked;
        const QUrl target = reply->url().resolved(QUrl::fromEncoded(reply->rawHeader("Location")));
        if (!target.isValid() || target.isEmpty() || ++redirects_ > 10)
            return fail(tr("%1: the server sent a bad redirect.").arg(what));
        requestFile(target, true);
        return;
    }
    redirects_ = 0;
    if (status == 416 && out_.size() > 0) { // the resume offset is past the end: start over
        out_.resize(0);
        doneBytes_ = doneBeforeFile_;
        requestFile(QUrl(endpoint_ + "/" + modelId_ + "/resolve/" + commit_ + "/" + current_.path), false);
        return;
    }
    if (status != 0 && status != 200 && status != 206) return fail(httpError(status, what));
    onReadyRead(); // whatever is left in the buffer
    if (!running_) return;
    const bool complete =
        reply->error() == QNetworkReply::NoError && (current_.size < 0 || out_.size() == current_.size);
    if (!complete) {
        if (current_.size >= 0 && out_.size() > current_.size) out_.resize(0);
        // A dropped or stalled connection: resume from what is on disk (with a short pause between tries).
        if (retries_ < maxRetries_) {
            ++retries_;
            QTimer::singleShot(200 * retries_, this, [this] {
                if (running_ && !cancelled_)
                    requestFile(
                        QUrl(endpoint_ + "/" + modelId_ + "/resolve/" + commit_ + "/" + current_.path),
                        false);
            });
            return;
        }
        return fail(
            tr("%1: the download was interrupted (%2) after %3. The partial file is kept: start again "
               "to resume.")
                .arg(what, reply->errorString(), humanBytes(double(out_.size()))));
    }
    out_.close();
    verifyAndPlace();
}

void HfDownload::verifyAndPlace() {
    QString expected = current_.blobName();
    if (expected.isEmpty()) expected = headerEtag_;
    const bool sha256 = isHex(expected, 64);
    const bool gitSha1 = isHex(expected, 40);
    const QString path = incompletePath_;
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(
        watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, expected, sha256, gitSha1, path] {
            watcher->deleteLater();
            if (cancelled_ || !running_) return;
            const QString actual = watcher->result();
            const QString repo = repoFolder(cacheDir_, modelId_);
            if (actual.isEmpty()) return fail(tr("Cannot read back %1 to verify it.").arg(path));
            if ((sha256 || gitSha1) && actual != expected) {
                QFile::remove(path);
                return fail(
                    tr("Checksum mismatch for %1: expected %2 %3, got %4. The downloaded file was deleted; "
                       "start again (if it happens again, a proxy or the server corrupts the file).")
                        .arg(current_.path, sha256 ? QStringLiteral("sha256") : QStringLiteral("git sha1"),
                             expected, actual));
            }
            const QString blob = repo + "/blobs/" + (sha256 || gitSha1 ? expected : actual);
            QFile::remove(blob);
            if (!QFile::rename(path, blob)) return fail(tr("Cannot move %1 to %2.").arg(path, blob));
            placeSnapshotLink(current_, blob);
            if (!running_) return;
            doneBytes_ = doneBeforeFile_ + QFileInfo(blob).size();
            Q_EMIT fileDone(current_.path);
            nextFile();
        });
    // sha256 also names blobs whose etag is not a hash (then nothing is compared).
    watcher->setFuture(QtConcurrent::run([path, gitSha1] { return hashFile(path, gitSha1); }));
}

void HfDownload::placeSnapshotLink(const HfFileInfo& f, const QString& blob) {
    const QString link = repoFolder(cacheDir_, modelId_) + "/snapshots/" + commit_ + "/" + f.path;
    const QString dir = QFileInfo(link).path();
    if (!QDir().mkpath(dir)) return fail(tr("Cannot create %1: check permissions and free space.").arg(dir));
    QFile::remove(link);
    if (!QFile::link(QDir(dir).relativeFilePath(blob), link)) {
        // Filesystems without symlinks get a copy, as huggingface_hub does.
        if (!QFile::copy(blob, link)) return fail(tr("Cannot create %1 (is the disk full?).").arg(link));
    }
}

void HfDownload::emitProgress() {
    const qint64 now = clock_.isValid() ? clock_.elapsed() : 0;
    const bool last = !running_;
    if (!last && lastEmitMs_ >= 0 && now - lastEmitMs_ < 100) return;
    lastEmitMs_ = now;
    const double speed = now > 0 ? double(sessionBytes_) * 1000.0 / double(now) : 0.0;
    const double eta =
        totalBytes_ >= 0 && speed > 0 ? double(std::max<qint64>(0, totalBytes_ - doneBytes_)) / speed : -1.0;
    Q_EMIT progress(doneBytes_, totalBytes_, speed, eta, current_.path);
}

} // namespace hone
