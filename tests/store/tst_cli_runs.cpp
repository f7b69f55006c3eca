// `hone runs list|show|compare` run as the built binary against a hone.db written here through RunStore:
// JSON shapes and values, aligned text tables, stale-run marking, migration of an old database, errors.
#include "common/test_support.h"
#include "store/migrations.h"
#include "store/run_store.h"
#include "store/store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

using namespace hone;

namespace {

struct Result {
    int code = -1;
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    QStringList lines() const { return QString::fromUtf8(out).split('\n', Qt::SkipEmptyParts); }
};

Result runHone(const QStringList& args) {
    QProcess p;
    p.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone", args);
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

pid_t deadPid() {
    pid_t pid = 0;
    char name[] = "true";
    char* argv[] = {name, nullptr};
    if (::posix_spawnp(&pid, "true", nullptr, nullptr, argv, environ) != 0) return 0;
    ::waitpid(pid, nullptr, 0);
    return pid;
}

MetricRow row(std::int64_t step, MetricKind kind, double loss) {
    MetricRow m;
    m.step = step;
    m.kind = kind;
    m.loss = loss;
    m.lr = 1e-4;
    m.peakMemBytes = 123456789;
    return m;
}

// Three runs: a finished one with metrics and checkpoints, a second finished one with other settings, and a
// "running" one whose process is gone.
struct Fixture {
    QTemporaryDir home;
    std::int64_t first = 0, second = 0, crashed = 0;
    double minTrainFirst = 0;

    Fixture() {
        Store store(home.path() + "/hone.db");
        store.open();
        RunStore runs(store);
        RunRecord r;
        r.name = "alpaca-r16";
        r.modelPath = "/models/tiny-llama";
        r.datasetPath = "/data/alpaca.jsonl";
        r.device = "cpu";
        r.configJson = R"({"lr":0.0002,"lora-rank":16,"lora-alpha":32,"targets":"q_proj,v_proj",)"
                       R"("batch-size":4,"grad-accum":2,"max-seq-len":512,"epochs":1,"max-steps":0})";
        first = runs.createRun(r);
        std::vector<MetricRow> rows;
        const double losses[] = {2.5, 1.75, 1.125, 1.5};
        minTrainFirst = 1.125;
        for (int i = 0; i < 4; ++i) rows.push_back(row(i + 1, MetricKind::Train, losses[i]));
        rows.push_back(row(4, MetricKind::Eval, 1.625));
        runs.appendMetrics(first, rows);
        runs.addCheckpoint(first, 2, "/runs/1/checkpoint-2");
        runs.addCheckpoint(first, 4, "/runs/1/checkpoint-4");
        runs.setProgress(first, 4, 4);
        runs.setFinal(first, 1.5, 1.625, "/runs/1/adapter");
        runs.setStatus(first, RunStatus::Finished);

        r.name = "wider";
        r.configJson = R"({"lr":0.0001,"lora":{"rank":16,"alpha":64},"targets":"q_proj,v_proj",)"
                       R"("batch-size":4,"grad-accum":2,"max-seq-len":512,"epochs":1,"max-steps":0})";
        second = runs.createRun(r);
        runs.appendMetrics(second, {row(1, MetricKind::Train, 3.0), row(2, MetricKind::Train, 2.0)});
        runs.setStatus(second, RunStatus::Finished);

        r.name = "crashed";
        r.configJson = "{}";
        crashed = runs.createRun(r);
        runs.setPid(crashed, deadPid());
        runs.setStatus(crashed, RunStatus::Running);
    }
};

} // namespace

class TestCliRuns : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void listJson() {
        Fixture f;
        Result r = runHone({"runs", "list", "--json", "--home", f.home.path()});
        QCOMPARE(r.code, 0);
        QJsonParseError err;
        QJsonDocument::fromJson(r.out, &err);
        QCOMPARE(err.error, QJsonParseError::NoError);
        const QJsonArray runs = r.json().value("runs").toArray();
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[0].toObject().value("id").toInteger(), f.crashed); // newest first
        QCOMPARE(runs[2].toObject().value("id").toInteger(), f.first);
        const QJsonObject first = runs[2].toObject();
        const QStringList keys = {
            "id",          "name",      "status",      "model_path",       "dataset_path",    "created_at",
            "finished_at", "last_step", "total_steps", "final_train_loss", "final_eval_loss", "device"};
        QCOMPARE(first.keys().size(), keys.size());
        for (const auto& k : keys) QVERIFY2(first.contains(k), qPrintable(k));
        QCOMPARE(first.value("name").toString(), QStringLiteral("alpaca-r16"));
        QCOMPARE(first.value("status").toString(), QStringLiteral("finished"));
        QCOMPARE(first.value("model_path").toString(), QStringLiteral("/models/tiny-llama"));
        QCOMPARE(first.value("last_step").toInt(), 4);
        QCOMPARE(first.value("final_train_loss").toDouble(), 1.5);
        QCOMPARE(first.value("final_eval_loss").toDouble(), 1.625);
        QCOMPARE(first.value("device").toString(), QStringLiteral("cpu"));
        QVERIFY(!first.value("finished_at").toString().isEmpty());
        QVERIFY(runs[1].toObject().value("final_eval_loss").isNull());
        // The run whose trainer is gone was marked failed before listing.
        QCOMPARE(runs[0].toObject().value("status").toString(), QStringLiteral("failed"));

        r = runHone({"runs", "list", "--json", "--status", "failed", "--home", f.home.path()});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().value("runs").toArray().size(), 1);
        r = runHone({"runs", "list", "--json", "--search", "WIDER", "--home", f.home.path()});
        QCOMPARE(r.json().value("runs").toArray().size(), 1);
        QCOMPARE(r.json().value("runs").toArray()[0].toObject().value("id").toInteger(), f.second);
        r = runHone({"runs", "list", "--status", "done", "--home", f.home.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith("error: unknown run status 'done'"), r.err.constData());
    }

    void listText() {
        Fixture f;
        Result r = runHone({"runs", "list", "--home", f.home.path()});
        QCOMPARE(r.code, 0);
        const QStringList lines = r.lines();
        QCOMPARE(lines.size(), 4);
        const QString header = lines[0];
        QVERIFY2(header.startsWith("ID  NAME"), qPrintable(header));
        // Aligned: each column starts at the header's column in every row.
        const int statusCol = header.indexOf("STATUS"), modelCol = header.indexOf("MODEL");
        QVERIFY(statusCol > 0 && modelCol > statusCol);
        const QRegularExpression status("(finished|failed)");
        for (int i = 1; i < lines.size(); ++i) {
            QCOMPARE(lines[i].indexOf(status), statusCol);
            QCOMPARE(lines[i].indexOf("/models/tiny-llama"), modelCol);
        }
        QVERIFY(lines[3].startsWith(QString::number(f.first) + " "));
        QVERIFY(lines[3].contains("4/4"));
        QVERIFY(lines[3].contains("1.5000"));

        QTemporaryDir empty;
        r = runHone({"runs", "list", "--home", empty.path()});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QByteArray("no runs yet\n"));
        QVERIFY(!QFile::exists(empty.path() + "/hone.db")); // listing does not create a database
    }

    void showJson() {
        Fixture f;
        Result r = runHone({"runs", "show", QString::number(f.first), "--json", "--home", f.home.path()});
        QCOMPARE(r.code, 0);
        const QJsonObject j = r.json();
        const QJsonObject run = j.value("run").toObject();
        QCOMPARE(run.value("id").toInteger(), f.first);
        QCOMPARE(run.value("status").toString(), QStringLiteral("finished"));
        QCOMPARE(run.value("adapter_path").toString(), QStringLiteral("/runs/1/adapter"));
        for (const char* k : {"model_identity", "dataset_hash", "template_name", "run_dir", "pid",
                              "started_at", "updated_at", "error", "versions"})
            QVERIFY2(run.contains(k), k);
        QVERIFY(run.value("config").isObject());
        QCOMPARE(run.value("config").toObject().value("lora-rank").toInt(), 16);
        const QJsonArray metrics = j.value("metrics").toArray();
        QCOMPARE(metrics.size(), 5);
        const QJsonObject m0 = metrics[0].toObject();
        for (const char* k :
             {"step", "kind", "loss", "lr", "grad_norm", "tokens_per_s", "peak_mem_bytes", "epoch"})
            QVERIFY2(m0.contains(k), k);
        QCOMPARE(m0.value("step").toInt(), 1);
        QCOMPARE(m0.value("kind").toString(), QStringLiteral("train"));
        QCOMPARE(m0.value("loss").toDouble(), 2.5);
        QCOMPARE(m0.value("peak_mem_bytes").toInteger(), 123456789);
        QVERIFY(m0.value("grad_norm").isNull());
        QCOMPARE(metrics[4].toObject().value("kind").toString(), QStringLiteral("eval"));
        const QJsonArray cps = j.value("checkpoints").toArray();
        QCOMPARE(cps.size(), 2);
        QCOMPARE(cps[1].toObject().value("step").toInt(), 4);
        QCOMPARE(cps[1].toObject().value("path").toString(), QStringLiteral("/runs/1/checkpoint-4"));

        r = runHone({"runs", "show", QString::number(f.crashed), "--json", "--home", f.home.path()});
        QCOMPARE(r.json().value("run").toObject().value("status").toString(), QStringLiteral("failed"));
        QVERIFY(r.json().value("run").toObject().value("error").toString().contains(
            "resume from the last checkpoint"));
    }

    void showText() {
        Fixture f;
        Result r = runHone({"runs", "show", QString::number(f.first), "--home", f.home.path()});
        QCOMPARE(r.code, 0);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.startsWith(QStringLiteral("run %1 alpaca-r16: finished\n").arg(f.first)),
                 qPrintable(out));
        for (const char* s :
             {"/models/tiny-llama", "config:", "\"lora-rank\": 16", "train metrics (4 rows)",
              "eval metrics (1 row)", "checkpoints:", "/runs/1/checkpoint-4", "/runs/1/adapter"})
            QVERIFY2(out.contains(s), s);
    }

    void compareJsonAndText() {
        Fixture f;
        const QString a = QString::number(f.first), b = QString::number(f.second);
        Result r = runHone({"runs", "compare", a, b, "--json", "--home", f.home.path()});
        QCOMPARE(r.code, 0);
        const QJsonObject j = r.json();
        const QJsonArray runs = j.value("runs").toArray();
        QCOMPARE(runs.size(), 2);
        const QJsonObject p0 = runs[0].toObject().value("params").toObject();
        const QJsonObject p1 = runs[1].toObject().value("params").toObject();
        QCOMPARE(p0.value("lr").toDouble(), 0.0002);
        QCOMPARE(p1.value("lr").toDouble(), 0.0001);
        QCOMPARE(p0.value("rank").toInt(), 16); // "lora-rank" at the top level
        QCOMPARE(p1.value("rank").toInt(), 16); // "rank" inside "lora"
        QCOMPARE(p1.value("alpha").toInt(), 64);
        QCOMPARE(p0.value("batch").toInt(), 4);
        QCOMPARE(p0.value("grad_accum").toInt(), 2);
        QCOMPARE(p0.value("max_seq_len").toInt(), 512);
        QCOMPARE(p0.value("targets").toString(), QStringLiteral("q_proj,v_proj"));
        QCOMPARE(runs[0].toObject().value("min_train_loss").toDouble(), f.minTrainFirst);
        QCOMPARE(runs[0].toObject().value("final_train_loss").toDouble(), 1.5);
        QCOMPARE(runs[0].toObject().value("min_eval_loss").toDouble(), 1.625);
        QCOMPARE(runs[1].toObject().value("min_train_loss").toDouble(), 2.0);
        QVERIFY(runs[1].toObject().value("min_eval_loss").isNull());
        QStringList differs;
        for (const auto& d : j.value("differs").toArray()) differs << d.toString();
        QCOMPARE(differs, (QStringList{"lr", "alpha"}));

        r = runHone({"runs", "compare", a, b, "--home", f.home.path()});
        QCOMPARE(r.code, 0);
        const QStringList lines = r.lines();
        QVERIFY(lines.size() > 10);
        const int col = lines[0].indexOf("run " + b);
        QVERIFY(col > 0);
        bool sawLr = false, sawRank = false;
        for (const QString& l : lines) {
            if (l.startsWith("*  lr ")) {
                sawLr = true;
                QVERIFY2(l.contains("0.0002") && l.indexOf("0.0001") == col, qPrintable(l));
            }
            if (l.startsWith("   rank ")) sawRank = true;
        }
        QVERIFY2(sawLr && sawRank, r.out.constData());
        QVERIFY(lines.last().contains("differs"));
    }

    void errorsAreOneLine() {
        Fixture f;
        for (const QStringList& args :
             {QStringList{"runs", "show", "999"}, QStringList{"runs", "compare", "1", "999"}}) {
            Result r = runHone(args + QStringList{"--home", f.home.path()});
            QCOMPARE(r.code, 1);
            QCOMPARE(r.err, QByteArray("error: no run with id 999; `hone runs list` shows the runs\n"));
            QVERIFY(r.out.isEmpty());
        }
        Result r = runHone({"runs", "show", "abc", "--home", f.home.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith("error: 'abc' is not a run id"), r.err.constData());
        r = runHone({"runs", "compare", "1", "--home", f.home.path()});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("at least two"));
        QTemporaryDir empty;
        r = runHone({"runs", "show", "1", "--home", empty.path()});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.startsWith("error: no run with id 1"));
    }

    void migratesAnOldDatabase() {
        QTemporaryDir home;
        {
            Store old(home.path() + "/hone.db");
            old.openAtVersion(2);
            old.audit("user", "kept");
        }
        Result r = runHone({"runs", "list", "--json", "--home", home.path()});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().value("runs").toArray().size(), 0);
        Store store(home.path() + "/hone.db");
        store.open();
        QCOMPARE(store.schemaVersion(), latestSchemaVersion());
        QSqlQuery q(store.connection());
        QVERIFY(q.exec("SELECT count(*) FROM audit WHERE action = 'kept'") && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestCliRuns)
#include "tst_cli_runs.moc"
