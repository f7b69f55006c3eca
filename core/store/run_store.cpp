// Implementation of the run store on Qt Sql: prepared statements, BEGIN IMMEDIATE transactions (so two
// writers wait on the busy timeout instead of failing on a lock upgrade), liveness of trainer processes.
#include "store/run_store.h"

#include "common/error.h"
#include "common/json.h"
#include "store/store.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <type_traits>
#include <utility>

namespace hone {

namespace {

const char* const kStatusNames[] = {"queued", "running", "paused", "finished", "failed", "stopped"};

const QString kNow = QStringLiteral("strftime('%Y-%m-%dT%H:%M:%fZ','now')");

const QString kRunColumns = QStringLiteral(
    "id, name, status, model_path, model_identity, dataset_path, dataset_hash, template_name, template_hash, "
    "config_json, versions_json, device, run_dir, pid, created_at, started_at, updated_at, finished_at, "
    "total_steps, last_step, final_train_loss, final_eval_loss, error, adapter_path");

QVariant text(const std::string& s) {
    return s.empty() ? QVariant() : QVariant(QString::fromStdString(s));
}
template <typename T> QVariant opt(const std::optional<T>& v) {
    if (!v) return QVariant();
    if constexpr (std::is_integral_v<T>)
        return QVariant(static_cast<qlonglong>(*v));
    else
        return QVariant(*v);
}
std::string str(const QVariant& v) {
    return v.isNull() ? std::string() : v.toString().toStdString();
}
std::optional<std::int64_t> optInt(const QVariant& v) {
    if (v.isNull()) return std::nullopt;
    return static_cast<std::int64_t>(v.toLongLong());
}
std::optional<double> optReal(const QVariant& v) {
    if (v.isNull()) return std::nullopt;
    return v.toDouble();
}

std::string noRun(std::int64_t id) {
    return "no run with id " + std::to_string(id) + "; `hone runs list` shows the runs";
}

// A prepared statement that throws hone::Error naming the database on failure.
class Query {
public:
    Query(Store& store, const QString& sql)
        : store_(store)
        , q_(store.connection()) {
        if (!q_.prepare(sql)) fail(sql);
    }
    Query& bind(const QVariant& v) {
        q_.addBindValue(v);
        return *this;
    }
    Query& exec() {
        if (!q_.exec()) fail(q_.lastQuery());
        return *this;
    }
    bool next() { return q_.next(); }
    QVariant value(int i) const { return q_.value(i); }
    int affected() const { return q_.numRowsAffected(); }
    QSqlQuery& raw() { return q_; }

private:
    [[noreturn]] void fail(const QString& sql) {
        throw Error("database " + store_.path().toStdString() + ": " + q_.lastError().text().toStdString() +
                    " (while running: " + sql.simplified().left(120).toStdString() + ")");
    }
    Store& store_;
    QSqlQuery q_;
};

// BEGIN IMMEDIATE ... COMMIT on the calling thread's connection; rolls back when left without commit().
class WriteTransaction {
public:
    explicit WriteTransaction(Store& store)
        : store_(store) {
        Query(store_, QStringLiteral("BEGIN IMMEDIATE")).exec();
    }
    ~WriteTransaction() {
        if (open_) {
            QSqlQuery q(store_.connection());
            q.exec(QStringLiteral("ROLLBACK"));
        }
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    void commit() {
        Query(store_, QStringLiteral("COMMIT")).exec();
        open_ = false;
    }

private:
    Store& store_;
    bool open_ = true;
};

RunRecord readRun(const Query& q) {
    RunRecord r;
    r.id = q.value(0).toLongLong();
    r.name = str(q.value(1));
    r.status = parseRunStatus(str(q.value(2)));
    r.modelPath = str(q.value(3));
    r.modelIdentity = str(q.value(4));
    r.datasetPath = str(q.value(5));
    r.datasetHash = str(q.value(6));
    r.templateName = str(q.value(7));
    r.templateHash = str(q.value(8));
    r.configJson = str(q.value(9));
    r.versionsJson = str(q.value(10));
    r.device = str(q.value(11));
    r.runDir = str(q.value(12));
    r.pid = optInt(q.value(13));
    r.createdAt = str(q.value(14));
    r.startedAt = str(q.value(15));
    r.updatedAt = str(q.value(16));
    r.finishedAt = str(q.value(17));
    r.totalSteps = optInt(q.value(18));
    r.lastStep = optInt(q.value(19));
    r.finalTrainLoss = optReal(q.value(20));
    r.finalEvalLoss = optReal(q.value(21));
    r.error = str(q.value(22));
    r.adapterPath = str(q.value(23));
    return r;
}

QString likePattern(const std::string& text) {
    QString escaped;
    for (QChar c : QString::fromStdString(text)) {
        if (c == QLatin1Char('%') || c == QLatin1Char('_') || c == QLatin1Char('\\'))
            escaped += QLatin1Char('\\');
        escaped += c;
    }
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace

std::string runStatusName(RunStatus s) {
    return kStatusNames[static_cast<int>(s)];
}

RunStatus parseRunStatus(const std::string& name) {
    for (int i = 0; i < 6; ++i)
        if (name == kStatusNames[i]) return static_cast<RunStatus>(i);
    throw Error("unknown run status '" + name +
                "': use one of queued, running, paused, finished, failed, stopped");
}

bool isTerminal(RunStatus s) {
    return s == RunStatus::Finished || s == RunStatus::Failed || s == RunStatus::Stopped;
}

std::string metricKindName(MetricKind k) {
    return k == MetricKind::Train ? "train" : "eval";
}

MetricKind parseMetricKind(const std::string& name) {
    if (name == "train") return MetricKind::Train;
    if (name == "eval") return MetricKind::Eval;
    throw Error("unknown metric kind '" + name + "': use train or eval");
}

RunStore::RunStore(Store& store)
    : store_(store) {}

std::int64_t RunStore::createRun(const RunRecord& run) {
    if (run.modelPath.empty()) throw Error("a run needs a model path");
    Json config;
    try {
        config = Json::parse(run.configJson);
    } catch (const std::exception& e) {
        throw Error(std::string("the run's config is not valid JSON: ") + e.what());
    }
    if (!config.is_object()) throw Error("the run's config must be a JSON object of settings");
    Query q(store_, QStringLiteral("INSERT INTO runs(name, status, model_path, model_identity, dataset_path, "
                                   "dataset_hash, template_name, template_hash, config_json, versions_json, "
                                   "device, run_dir, pid, total_steps, last_step, final_train_loss, "
                                   "final_eval_loss, error, adapter_path, created_at, updated_at) VALUES "
                                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, %1, %1)")
                        .arg(kNow));
    q.bind(text(run.name))
        .bind(QString::fromStdString(runStatusName(run.status)))
        .bind(QString::fromStdString(run.modelPath))
        .bind(text(run.modelIdentity))
        .bind(text(run.datasetPath))
        .bind(text(run.datasetHash))
        .bind(text(run.templateName))
        .bind(text(run.templateHash))
        .bind(QString::fromStdString(run.configJson))
        .bind(text(run.versionsJson))
        .bind(text(run.device))
        .bind(text(run.runDir))
        .bind(opt(run.pid))
        .bind(opt(run.totalSteps))
        .bind(opt(run.lastStep))
        .bind(opt(run.finalTrainLoss))
        .bind(opt(run.finalEvalLoss))
        .bind(text(run.error))
        .bind(text(run.adapterPath))
        .exec();
    return q.raw().lastInsertId().toLongLong();
}

void RunStore::setStatus(std::int64_t id, RunStatus status, const std::string& error) {
    QString extra;
    if (status == RunStatus::Running)
        extra = QStringLiteral(", started_at = COALESCE(started_at, %1), finished_at = NULL").arg(kNow);
    else if (isTerminal(status))
        extra = QStringLiteral(", finished_at = %1").arg(kNow);
    Query q(store_, QStringLiteral("UPDATE runs SET status = ?, error = ?, updated_at = %1%2 WHERE id = ?")
                        .arg(kNow, extra));
    q.bind(QString::fromStdString(runStatusName(status))).bind(text(error)).bind(qlonglong(id)).exec();
    if (q.affected() == 0) throw Error(noRun(id));
}

void RunStore::setPid(std::int64_t id, std::optional<std::int64_t> pid) {
    Query q(store_, QStringLiteral("UPDATE runs SET pid = ?, updated_at = %1 WHERE id = ?").arg(kNow));
    q.bind(opt(pid)).bind(qlonglong(id)).exec();
    if (q.affected() == 0) throw Error(noRun(id));
}

void RunStore::setRunInfo(std::int64_t id, const std::string& device, const std::string& datasetHash,
                          const std::string& templateHash, const std::string& versionsJson) {
    Query q(store_, QStringLiteral("UPDATE runs SET device = ?, dataset_hash = ?, template_hash = ?, "
                                   "versions_json = COALESCE(?, versions_json), updated_at = %1 WHERE id = ?")
                        .arg(kNow));
    q.bind(QString::fromStdString(device))
        .bind(QString::fromStdString(datasetHash))
        .bind(QString::fromStdString(templateHash))
        .bind(versionsJson.empty() ? QVariant() : QVariant(QString::fromStdString(versionsJson)))
        .bind(qlonglong(id))
        .exec();
    if (q.affected() == 0) throw Error(noRun(id));
}

void RunStore::setProgress(std::int64_t id, std::int64_t lastStep, std::int64_t totalSteps) {
    Query q(store_,
            QStringLiteral("UPDATE runs SET last_step = ?, total_steps = ?, updated_at = %1 WHERE id = ?")
                .arg(kNow));
    q.bind(qlonglong(lastStep)).bind(qlonglong(totalSteps)).bind(qlonglong(id)).exec();
    if (q.affected() == 0) throw Error(noRun(id));
}

void RunStore::setFinal(std::int64_t id, std::optional<double> trainLoss, std::optional<double> evalLoss,
                        const std::string& adapterPath) {
    Query q(store_,
            QStringLiteral("UPDATE runs SET final_train_loss = ?, final_eval_loss = ?, adapter_path = ?, "
                           "updated_at = %1 WHERE id = ?")
                .arg(kNow));
    q.bind(opt(trainLoss)).bind(opt(evalLoss)).bind(text(adapterPath)).bind(qlonglong(id)).exec();
    if (q.affected() == 0) throw Error(noRun(id));
}

void RunStore::appendMetrics(std::int64_t id, const std::vector<MetricRow>& rows) {
    if (rows.empty()) return;
    WriteTransaction tx(store_);
    if (!exists(id)) throw Error(noRun(id));
    Query q(store_,
            QStringLiteral("INSERT OR REPLACE INTO run_metrics(run_id, step, kind, loss, lr, grad_norm, "
                           "tokens_per_s, peak_mem_bytes, epoch, at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, %1))")
                .arg(kNow));
    const QVariant runId(static_cast<qlonglong>(id));
    const QVariant train(QStringLiteral("train")), eval(QStringLiteral("eval"));
    for (const MetricRow& m : rows) {
        QSqlQuery& raw = q.raw();
        raw.bindValue(0, runId);
        raw.bindValue(1, qlonglong(m.step));
        raw.bindValue(2, m.kind == MetricKind::Train ? train : eval);
        raw.bindValue(3, opt(m.loss));
        raw.bindValue(4, opt(m.lr));
        raw.bindValue(5, opt(m.gradNorm));
        raw.bindValue(6, opt(m.tokensPerS));
        raw.bindValue(7, opt(m.peakMemBytes));
        raw.bindValue(8, opt(m.epoch));
        raw.bindValue(9, text(m.at));
        q.exec();
    }
    Query(store_, QStringLiteral("UPDATE runs SET updated_at = %1 WHERE id = ?").arg(kNow))
        .bind(qlonglong(id))
        .exec();
    tx.commit();
}

void RunStore::addCheckpoint(std::int64_t id, std::int64_t step, const std::string& path) {
    WriteTransaction tx(store_);
    if (!exists(id)) throw Error(noRun(id));
    Query(store_, QStringLiteral("INSERT OR REPLACE INTO run_checkpoints(run_id, step, path, created_at) "
                                 "VALUES (?, ?, ?, %1)")
                      .arg(kNow))
        .bind(qlonglong(id))
        .bind(qlonglong(step))
        .bind(QString::fromStdString(path))
        .exec();
    tx.commit();
}

int RunStore::deleteCheckpointsAfter(std::int64_t id, std::int64_t step) {
    Query q(store_, QStringLiteral("DELETE FROM run_checkpoints WHERE run_id = ? AND step > ?"));
    q.bind(qlonglong(id)).bind(qlonglong(step)).exec();
    return q.affected();
}

int RunStore::deleteMetricsAfter(std::int64_t id, std::int64_t step) {
    Query q(store_, QStringLiteral("DELETE FROM run_metrics WHERE run_id = ? AND step > ?"));
    q.bind(qlonglong(id)).bind(qlonglong(step)).exec();
    return q.affected();
}

std::vector<RunRecord> RunStore::listRuns(const RunFilter& filter) {
    QString sql = QStringLiteral("SELECT %1 FROM runs WHERE 1").arg(kRunColumns);
    QVariantList binds;
    if (filter.status) {
        sql += QStringLiteral(" AND status = ?");
        binds << QString::fromStdString(runStatusName(*filter.status));
    }
    if (!filter.text.empty()) {
        sql += QStringLiteral(" AND (name LIKE ? ESCAPE '\\' OR model_path LIKE ? ESCAPE '\\' OR "
                              "dataset_path LIKE ? ESCAPE '\\')");
        const QString pattern = likePattern(filter.text);
        binds << pattern << pattern << pattern;
    }
    sql += QStringLiteral(" ORDER BY id DESC");
    Query q(store_, sql);
    for (const QVariant& b : binds) q.bind(b);
    q.exec();
    std::vector<RunRecord> out;
    while (q.next()) out.push_back(readRun(q));
    return out;
}

RunRecord RunStore::run(std::int64_t id) {
    Query q(store_, QStringLiteral("SELECT %1 FROM runs WHERE id = ?").arg(kRunColumns));
    q.bind(qlonglong(id)).exec();
    if (!q.next()) throw Error(noRun(id));
    return readRun(q);
}

bool RunStore::exists(std::int64_t id) {
    Query q(store_, QStringLiteral("SELECT 1 FROM runs WHERE id = ?"));
    q.bind(qlonglong(id)).exec();
    return q.next();
}

std::vector<MetricRow> RunStore::metrics(std::int64_t id, std::optional<MetricKind> kind) {
    QString sql =
        QStringLiteral("SELECT step, kind, loss, lr, grad_norm, tokens_per_s, peak_mem_bytes, epoch, at "
                       "FROM run_metrics WHERE run_id = ?");
    if (kind) sql += QStringLiteral(" AND kind = ?");
    // 'train' sorts after 'eval': order train first explicitly.
    sql += QStringLiteral(" ORDER BY kind = 'eval', step");
    Query q(store_, sql);
    q.bind(qlonglong(id));
    if (kind) q.bind(QString::fromStdString(metricKindName(*kind)));
    q.exec();
    std::vector<MetricRow> out;
    while (q.next()) {
        MetricRow m;
        m.step = q.value(0).toLongLong();
        m.kind = parseMetricKind(str(q.value(1)));
        m.loss = optReal(q.value(2));
        m.lr = optReal(q.value(3));
        m.gradNorm = optReal(q.value(4));
        m.tokensPerS = optReal(q.value(5));
        m.peakMemBytes = optInt(q.value(6));
        m.epoch = optReal(q.value(7));
        m.at = str(q.value(8));
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<CheckpointRow> RunStore::checkpoints(std::int64_t id) {
    Query q(store_, QStringLiteral(
                        "SELECT step, path, created_at FROM run_checkpoints WHERE run_id = ? ORDER BY step"));
    q.bind(qlonglong(id)).exec();
    std::vector<CheckpointRow> out;
    while (q.next()) out.push_back({q.value(0).toLongLong(), str(q.value(1)), str(q.value(2))});
    return out;
}

void RunStore::deleteRun(std::int64_t id) {
    Query q(store_, QStringLiteral("DELETE FROM runs WHERE id = ?"));
    q.bind(qlonglong(id)).exec();
    if (q.affected() == 0) throw Error(noRun(id));
}

bool RunStore::processAlive(std::int64_t pid) {
    if (pid <= 0 || pid > 0x3fffffff) return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false; // ESRCH: no such process
    // A zombie (exited, not yet reaped by its parent) still answers kill(); /proc says what it is.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (stat && std::getline(stat, line)) {
        const auto paren = line.rfind(')');
        if (paren != std::string::npos && paren + 2 < line.size()) {
            const char state = line[paren + 2];
            if (state == 'Z' || state == 'X') return false;
        }
    }
    return true;
}

std::vector<std::int64_t> RunStore::markStaleRunning() {
    std::vector<std::pair<std::int64_t, std::int64_t>> stale; // (id, pid)
    {
        // Read outside a write transaction: most calls find nothing and should not take the write lock.
        Query q(store_, QStringLiteral("SELECT id, pid FROM runs WHERE status IN ('running', 'paused', "
                                       "'queued') AND pid IS NOT NULL"));
        q.exec();
        while (q.next()) {
            const std::int64_t pid = q.value(1).toLongLong();
            if (!processAlive(pid)) stale.emplace_back(q.value(0).toLongLong(), pid);
        }
    }
    std::vector<std::int64_t> marked;
    if (stale.empty()) return marked;
    WriteTransaction tx(store_);
    for (const auto& [id, pid] : stale) {
        // Only if nothing changed meanwhile: another process may have finished it or resumed it (new pid).
        Query q(store_,
                QStringLiteral(
                    "UPDATE runs SET status = 'failed', error = ?, finished_at = %1, "
                    "updated_at = %1 WHERE id = ? AND status IN ('running', 'paused', 'queued') AND pid = ?")
                    .arg(kNow));
        q.bind(QStringLiteral("the training process ended without reporting (killed or crashed); resume from "
                              "the last checkpoint"))
            .bind(qlonglong(id))
            .bind(qlonglong(pid))
            .exec();
        if (q.affected() > 0) marked.push_back(id);
    }
    tx.commit();
    return marked;
}

} // namespace hone
