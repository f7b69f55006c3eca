// query_runs against a real hone.db built with the RunStore: lowest eval/train loss, status and model
// filters, newest first, limits, bad arguments, a missing store, and that the file is never written.
#include "common/test_support.h"
#include "services/runs_query_tool.h"
#include "store/run_store.h"
#include "store/store.h"
#include "tools/tool_executor.h"

#include <QCryptographicHash>
#include <QFile>

using namespace hone;
using namespace hone::tools;

namespace {

QByteArray fileHash(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace

class TstRunsQueryTool : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString db_;
    struct Made {
        std::int64_t id;
        std::string model;
        RunStatus status;
        std::optional<double> train, eval;
    };
    std::vector<Made> made_;

    Json query(const Json& args) {
        RunsQueryTool tool(db_);
        const ToolResult r = tool.call(args, Clock::now() + std::chrono::seconds(10));
        if (r.isError) {
            qWarning("%s", r.content.c_str());
            return Json();
        }
        return Json::parse(r.content);
    }

    static std::vector<std::int64_t> ids(const Json& result) {
        std::vector<std::int64_t> out;
        for (const Json& r : result["runs"]) out.push_back(r["id"].get<std::int64_t>());
        return out;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        db_ = tmp_.filePath("hone.db");
        Store store(db_);
        store.open();
        RunStore runs(store);
        const std::vector<Made> plan = {
            {0, "/models/Qwen2.5-0.5B", RunStatus::Finished, 1.20, 1.45},
            {0, "/models/TinyLlama-1.1B", RunStatus::Finished, 0.95, 1.31},
            {0, "/models/qwen2.5-1.5b", RunStatus::Finished, 0.80, 1.38},
            {0, "/models/TinyLlama-1.1B", RunStatus::Failed, 2.50, std::nullopt},
            {0, "/models/Qwen2.5-0.5B", RunStatus::Running, std::nullopt, std::nullopt},
        };
        for (std::size_t i = 0; i < plan.size(); ++i) {
            RunRecord r;
            r.name = "run-" + std::to_string(i);
            r.modelPath = plan[i].model;
            r.datasetPath = "/data/alpaca.jsonl";
            Made m = plan[i];
            m.id = runs.createRun(r);
            runs.setStatus(m.id, RunStatus::Running);
            if (m.status != RunStatus::Running)
                runs.setStatus(m.id, m.status, m.status == RunStatus::Failed ? "out of memory" : "");
            if (m.train || m.eval) runs.setFinal(m.id, m.train, m.eval, "");
            made_.push_back(m);
        }
    }

    void lowestEvalLoss() {
        const Json j = query({{"order_by", "eval_loss"}, {"limit", 1}});
        QCOMPARE(j["count"].get<int>(), 1);
        const Made* best = nullptr;
        for (const Made& m : made_)
            if (m.eval && (!best || *m.eval < *best->eval)) best = &m;
        QCOMPARE(j["runs"][0]["id"].get<std::int64_t>(), best->id);
        QCOMPARE(j["runs"][0]["final_eval_loss"].get<double>(), *best->eval);
        QCOMPARE(j["runs"][0]["model"].get<std::string>(), best->model);
        QCOMPARE(j["runs"][0]["status"].get<std::string>(), std::string("finished"));
    }

    void orderedByTrainLossWithoutMissing() {
        const Json j = query({{"order_by", "train_loss"}});
        std::vector<const Made*> expected;
        for (const Made& m : made_)
            if (m.train) expected.push_back(&m);
        std::sort(expected.begin(), expected.end(), [](auto a, auto b) { return *a->train < *b->train; });
        const auto got = ids(j);
        QCOMPARE(got.size(), expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) QCOMPARE(got[i], expected[i]->id);
    }

    void filters() {
        Json j = query({{"model", "QWEN2.5"}}); // case-insensitive, newest first
        std::vector<std::int64_t> expected;
        for (auto it = made_.rbegin(); it != made_.rend(); ++it)
            if (QString::fromStdString(it->model).contains("qwen2.5", Qt::CaseInsensitive))
                expected.push_back(it->id);
        QCOMPARE(ids(j), expected);
        j = query({{"status", "failed"}});
        QCOMPARE(j["count"].get<int>(), 1);
        QCOMPARE(j["runs"][0]["error"].get<std::string>(), std::string("out of memory"));
        QVERIFY(!j["runs"][0].contains("final_eval_loss"));
        j = query({{"status", "finished"}, {"model", "tinyllama"}, {"order_by", "eval_loss"}});
        QCOMPARE(j["count"].get<int>(), 1);
        QCOMPARE(j["runs"][0]["id"].get<std::int64_t>(), made_[1].id);
        j = query(Json::object());
        QCOMPARE(j["count"].get<std::size_t>(), made_.size());
        QCOMPARE(j["runs"][0]["id"].get<std::int64_t>(), made_.back().id);
        j = query({{"model", "' OR 1=1 --"}}); // bound, not spliced
        QCOMPARE(j["count"].get<int>(), 0);
    }

    void badArguments() {
        RunsQueryTool tool(db_);
        const Deadline far = Clock::now() + std::chrono::seconds(5);
        ToolResult r = tool.call({{"order_by", "accuracy"}}, far);
        QVERIFY(r.isError);
        QVERIFY2(r.content.find("argument 'order_by': must be one of") != std::string::npos,
                 r.content.c_str());
        r = tool.call({{"limit", 0}}, far);
        QVERIFY(r.isError);
        r = tool.call({{"status", "done"}}, far);
        QVERIFY(r.isError);
    }

    void missingStoreIsNotCreated() {
        const QString missing = tmp_.filePath("nowhere/hone.db");
        RunsQueryTool tool(missing);
        const ToolResult r = tool.call(Json::object(), Clock::now() + std::chrono::seconds(5));
        QVERIFY(r.isError);
        QVERIFY2(r.content.find("there is no run store") != std::string::npos, r.content.c_str());
        QVERIFY(!QFileInfo::exists(missing));
    }

    void readOnlyFromOtherThreads() {
        const QByteArray before = fileHash(db_);
        QVERIFY(!before.isEmpty());
        ToolRegistry reg;
        reg.add(std::make_shared<RunsQueryTool>(db_));
        ToolExecutor exec(reg);
        const auto results = exec.runAll({{"1", "query_runs", {{"order_by", "eval_loss"}}},
                                          {"2", "query_runs", {{"status", "running"}}},
                                          {"3", "query_runs", Json::object()}});
        for (const auto& r : results) QVERIFY2(!r.isError, r.content.c_str());
        QCOMPARE(Json::parse(results[1].content)["count"].get<int>(), 1);
        QCOMPARE(fileHash(db_), before);
    }
};

QTEST_GUILESS_MAIN(TstRunsQueryTool)
#include "tst_runs_query_tool.moc"
