// Downloads a model from the Hugging Face hub (or any server with its API and resolve routes) into the
// standard hub cache layout (models--org--name/{blobs,snapshots/<commit>,refs}) so other tools share it:
// resumable with HTTP Range from the .incomplete file, checksum-verified, with progress, speed and ETA.
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace hone {

struct HfFileInfo {
    QString path;     // "config.json", "sub/file.txt"
    qint64 size = -1; // -1 = unknown
    QString blobId;   // git blob sha1 (non-LFS files)
    QString sha256;   // LFS files
    bool lfs() const { return !sha256.isEmpty(); }
    // The name of the file under blobs/ (the hub's etag: the sha256 for LFS files, the git sha1 otherwise).
    QString blobName() const { return lfs() ? sha256 : blobId; }
};

class HfDownload : public QObject {
    Q_OBJECT
public:
    explicit HfDownload(QObject* parent = nullptr);
    ~HfDownload() override;

    // $HF_ENDPOINT or https://huggingface.co.
    static QString defaultEndpoint();
    // Where huggingface_hub writes: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
    static QString defaultCacheDir();
    // "org/name" -> "<cache>/models--org--name".
    static QString repoFolder(const QString& cacheDir, const QString& modelId);

    void setEndpoint(const QString& endpoint) { endpoint_ = endpoint; }
    void setCacheDir(const QString& dir) { cacheDir_ = dir; }
    void setToken(const QString& token) { token_ = token; }
    // Automatic resumes after a dropped connection before giving up (default 3).
    void setMaxRetries(int n) { maxRetries_ = n; }
    // A transfer that receives nothing for this long counts as dropped (default 60 s).
    void setTransferTimeout(int ms) { transferTimeoutMs_ = ms; }

    // Asks the hub for the revision's commit and files; answers with fileListReady or failed.
    void fetchFileList(const QString& modelId, const QString& revision = QStringLiteral("main"));
    // Downloads `files` (empty = all) of the revision; answers with finished or failed. Files already in the
    // cache are skipped; an .incomplete file from an earlier try is resumed.
    void start(const QString& modelId, const QString& revision = QStringLiteral("main"),
               const QStringList& files = {});
    // Stops; the .incomplete file stays so that a later start resumes it.
    void cancel();
    bool isRunning() const { return running_; }
    QString commit() const { return commit_; }
    QList<HfFileInfo> files() const { return list_; }

Q_SIGNALS:
    void fileListReady(const QString& commit, const QList<hone::HfFileInfo>& files);
    // Bytes done of total over the whole download (total -1 when unknown), bytes per second, seconds left
    // (-1 when unknown), and the file being fetched.
    void progress(qint64 done, qint64 total, double bytesPerSecond, double etaSeconds, const QString& file);
    void fileDone(const QString& file);
    void finished(const QString& snapshotDir);
    void failed(const QString& message);

private:
    void requestList(bool thenDownload);
    void onListReply(QNetworkReply* reply, bool thenDownload);
    void nextFile();
    void requestFile(const QUrl& url, bool followed);
    void onReadyRead();
    void onFileReply();
    void verifyAndPlace();
    void placeSnapshotLink(const HfFileInfo& f, const QString& blob);
    void fail(const QString& message);
    QString httpError(int status, const QString& what) const;
    void emitProgress();

    QNetworkAccessManager* nam_;
    QString endpoint_;
    QString cacheDir_;
    QString token_;
    int maxRetries_ = 3;
    int transferTimeoutMs_ = 60000;

    QString modelId_;
    QString revision_;
    QStringList wanted_;
    QString commit_;
    QList<HfFileInfo> list_;
    QList<HfFileInfo> queue_;
    HfFileInfo current_;
    QString incompletePath_;
    QFile out_;
    QPointer<QNetworkReply> reply_;
    bool running_ = false;
    bool cancelled_ = false;
    int retries_ = 0;
    int redirects_ = 0;
    bool bodyChecked_ = false;
    QString headerEtag_;
    qint64 totalBytes_ = -1;
    qint64 doneBytes_ = 0; // finished files plus the current file's bytes on disk
    qint64 doneBeforeFile_ = 0;
    qint64 sessionBytes_ = 0; // received in this session (speed)
    QElapsedTimer clock_;
    qint64 lastEmitMs_ = -1;
};

} // namespace hone
