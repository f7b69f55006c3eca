// Implementation of the export rows on Qt Sql.
#include "store/export_store.h"

#include "common/error.h"
#include "common/json.h"
#include "store/store.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace hone {

namespace {

QVariant textOrNull(const std::string& s) {
    return s.empty() ? QVariant() : QVariant(QString::fromStdString(s));
}

std::string textOf(const QVariant& v) {
    return v.isNull() ? std::string() : v.toString().toStdString();
}

[[noreturn]] void sqlFailed(Store& store, const QSqlQuery& q) {
    throw Error("database " + store.path().toStdString() + ": " + q.lastError().text().toStdString() +
                " (check that the file is writable and not used by an older Hone)");
}

} // namespace

std::int64_t addExport(Store& store, const ExportRecord& r) {
    if (r.format.empty() || r.path.empty()) throw Error("an export row needs its format and its path");
    if (!r.checkJson.empty() && !Json::accept(r.checkJson))
        throw Error("the export check of " + r.path + " is not valid JSON");
    QSqlQuery q(store.connection());
    if (!q.prepare(QStringLiteral("INSERT INTO exports (run_id, adapter_path, format, path, dtype, quant, "
                                  "check_json) VALUES (?, ?, ?, ?, ?, ?, ?)")))
        sqlFailed(store, q);
    q.addBindValue(r.runId ? QVariant(static_cast<qlonglong>(*r.runId)) : QVariant());
    q.addBindValue(textOrNull(r.adapterPath));
    q.addBindValue(QString::fromStdString(r.format));
    q.addBindValue(QString::fromStdString(r.path));
    q.addBindValue(textOrNull(r.dtype));
    q.addBindValue(textOrNull(r.quant));
    q.addBindValue(textOrNull(r.checkJson));
    if (!q.exec()) sqlFailed(store, q);
    return q.lastInsertId().toLongLong();
}

std::vector<ExportRecord> listExports(Store& store, std::optional<std::int64_t> runId) {
    QString sql = QStringLiteral("SELECT id, run_id, adapter_path, format, path, dtype, quant, created_at, "
                                 "check_json FROM exports");
    if (runId) sql += QStringLiteral(" WHERE run_id = ?");
    sql += QStringLiteral(" ORDER BY id DESC");
    QSqlQuery q(store.connection());
    if (!q.prepare(sql)) sqlFailed(store, q);
    if (runId) q.addBindValue(static_cast<qlonglong>(*runId));
    if (!q.exec()) sqlFailed(store, q);
    std::vector<ExportRecord> out;
    while (q.next()) {
        ExportRecord r;
        r.id = q.value(0).toLongLong();
        if (!q.value(1).isNull()) r.runId = q.value(1).toLongLong();
        r.adapterPath = textOf(q.value(2));
        r.format = textOf(q.value(3));
        r.path = textOf(q.value(4));
        r.dtype = textOf(q.value(5));
        r.quant = textOf(q.value(6));
        r.createdAt = textOf(q.value(7));
        r.checkJson = textOf(q.value(8));
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace hone
