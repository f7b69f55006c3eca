// query_runs over a read-only SQLite connection; see runs_query_tool.h.
#include "services/runs_query_tool.h"

#include "common/error.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace hone {

namespace {

Json nullable(const QVariant& v) {
    if (v.isNull()) return nullptr;
    switch (v.typeId()) {
    case QMetaType::Double:
        return v.toDouble();
    case QMetaType::LongLong:
    case QMetaType::Int:
        return v.toLongLong();
    default:
        return v.toString().toStdString();
    }
}

} // namespace

RunsQueryTool::RunsQueryTool(QString databasePath)
    : path_(std::move(databasePath)) {}

std::string RunsQueryTool::description() const {
    return "Looks up Hone's training runs: filter by status and model, order by lowest eval_loss or "
           "train_loss "
           "or by newest (created), and get each run's id, name, model, dataset, status, losses and steps.";
}

Json RunsQueryTool::parameters() const {
    return Json::parse(R"json({"type": "object", "properties": {
        "order_by": {"type": "string", "enum": ["eval_loss", "train_loss", "created"],
                     "description": "eval_loss/train_loss: lowest final loss first (runs without one left out); created: newest first (default)"},
        "status": {"type": "string", "enum": ["queued", "running", "paused", "finished", "failed", "stopped"]},
        "model": {"type": "string", "description": "only runs whose model path contains this (case-insensitive)"},
        "limit": {
    "type" : "integer", "minimum" : 1, "maximum" : 50, "description" : "at most this many runs (default 10)"
}
}
})json");
}

tools::ToolResult RunsQueryTool::run(const Json& args, tools::Deadline) {
    if (!QFileInfo(path_).isFile())
        throw Error("there is no run store at " + path_.toStdString() + " yet; train a model first");
    const std::string order = args.value("order_by", std::string("created"));
    QString sql = QStringLiteral(
        "SELECT id, name, status, model_path, dataset_path, created_at, finished_at, final_train_loss, "
        "final_eval_loss, last_step, total_steps, error FROM runs WHERE 1=1");
    QVariantList bind;
    if (args.contains("status")) {
        sql += QStringLiteral(" AND status = ?");
        bind << QString::fromStdString(args["status"].get<std::string>());
    }
    if (args.contains("model")) {
        sql += QStringLiteral(" AND instr(lower(model_path), lower(?)) > 0");
        bind << QString::fromStdString(args["model"].get<std::string>());
    }
    if (order == "eval_loss")
        sql += QStringLiteral(" AND final_eval_loss IS NOT NULL ORDER BY final_eval_loss, id");
    else if (order == "train_loss")
        sql += QStringLiteral(" AND final_train_loss IS NOT NULL ORDER BY final_train_loss, id");
    else
        sql += QStringLiteral(" ORDER BY created_at DESC, id DESC");
    sql += QStringLiteral(" LIMIT ?");
    bind << args.value("limit", 10);

    const QString connection = QStringLiteral("hone-runs-tool-") + QUuid::createUuid().toString(QUuid::Id128);
    Json runs = Json::array();
    std::string failure;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path_);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=3000"));
        if (!db.open()) {
            failure = "cannot open the run store " + path_.toStdString() +
                      " read-only: " + db.lastError().text().toStdString();
        } else {
            QSqlQuery q(db);
            q.prepare(sql);
            for (const QVariant& v : bind) q.addBindValue(v);
            if (!q.exec()) {
                failure = "the run store " + path_.toStdString() + " could not be read (" +
                          q.lastError().text().toStdString() + "); `hone doctor` checks it";
            } else {
                static const char* const names[] = {
                    "id",          "name",        "status",           "model",           "dataset",
                    "created_at",  "finished_at", "final_train_loss", "final_eval_loss", "last_step",
                    "total_steps", "error"};
                while (q.next()) {
                    Json r = Json::object();
                    for (int i = 0; i < 12; ++i) {
                        const Json v = nullable(q.value(i));
                        if (!v.is_null() && !(v.is_string() && v.get_ref<const std::string&>().empty()))
                            r[names[i]] = v;
                    }
                    runs.push_back(std::move(r));
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    if (!failure.empty()) throw Error(failure);
    return tools::ToolResult::ok(Json{{"count", runs.size()}, {"order_by", order}, {"runs", runs}}.dump(1));
}

} // namespace hone
