// The Runs table model and its sort/filter proxy (see runs_model.h).
#include "ui/runs_model.h"

#include "store/store.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <algorithm>
#include <unordered_set>

namespace hone::ui {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QDateTime parseTime(const std::string& iso) {
    if (iso.empty()) return {};
    QDateTime t = QDateTime::fromString(qs(iso), Qt::ISODateWithMs);
    if (!t.isValid()) t = QDateTime::fromString(qs(iso), Qt::ISODate);
    return t;
}

// Seconds from started_at to finished_at (or now while the run goes on); -1 when it never started.
qint64 durationSeconds(const RunRecord& r) {
    const QDateTime start = parseTime(r.startedAt);
    if (!start.isValid()) return -1;
    QDateTime end = parseTime(r.finishedAt);
    if (!end.isValid()) {
        if (isTerminal(r.status)) end = parseTime(r.updatedAt);
        if (!end.isValid()) end = QDateTime::currentDateTimeUtc();
    }
    return std::max<qint64>(0, start.secsTo(end));
}

// The last path component of a folder or file, ignoring trailing separators.
QString baseName(const std::string& path) {
    if (path.empty()) return {};
    return QFileInfo(QDir::cleanPath(qs(path))).fileName();
}

QString statusLabelOf(RunStatus s) {
    switch (s) {
    case RunStatus::Queued:
        return RunsModel::tr("queued");
    case RunStatus::Running:
        return RunsModel::tr("running");
    case RunStatus::Paused:
        return RunsModel::tr("paused");
    case RunStatus::Finished:
        return RunsModel::tr("finished");
    case RunStatus::Failed:
        return RunsModel::tr("failed");
    case RunStatus::Stopped:
        return RunsModel::tr("stopped");
    }
    return {};
}

QVariant loss(const std::optional<double>& v) {
    return v ? QVariant(*v) : QVariant();
}

} // namespace

QString RunsModel::statusLabel(RunStatus status) {
    return statusLabelOf(status);
}

QString formatDuration(qint64 s) {
    if (s < 0) return {};
    if (s >= 3600)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60) return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1s").arg(s);
}

RunsModel::RunsModel(Store* store, QObject* parent)
    : QAbstractTableModel(parent)
    , store_(store) {}

int RunsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RunsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

RunsModel::Row RunsModel::makeRow(RunRecord run) {
    Row r;
    const QJsonObject cfg = QJsonDocument::fromJson(QByteArray::fromStdString(run.configJson)).object();
    auto num = [&](const char* key) -> QVariant {
        const QJsonValue v = cfg.value(QLatin1String(key));
        return v.isDouble() ? QVariant(v.toDouble()) : QVariant();
    };
    r.lr = num("lr");
    r.rank = num("lora-rank");
    r.batch = num("batch-size");
    r.gradAccum = num("grad-accum");
    r.seqLen = num("max-seq-len");
    r.run = std::move(run);
    return r;
}

QVariant RunsModel::display(const Row& r, int column) const {
    const RunRecord& run = r.run;
    switch (column) {
    case IdColumn:
        return QString::number(run.id);
    case NameColumn:
        return qs(run.name);
    case StatusColumn:
        return statusLabelOf(run.status);
    case ModelColumn:
        return baseName(run.modelPath);
    case DatasetColumn:
        return baseName(run.datasetPath);
    case LrColumn:
        return r.lr.isValid() ? QString::number(r.lr.toDouble(), 'g', 3) : QString();
    case RankColumn:
        return r.rank.isValid() ? QString::number(r.rank.toLongLong()) : QString();
    case BatchColumn: {
        if (!r.batch.isValid()) return QString();
        const qint64 accum = r.gradAccum.isValid() ? r.gradAccum.toLongLong() : 1;
        return accum > 1 ? QStringLiteral("%1 × %2").arg(r.batch.toLongLong()).arg(accum)
                         : QString::number(r.batch.toLongLong());
    }
    case SeqLenColumn:
        return r.seqLen.isValid() ? QString::number(r.seqLen.toLongLong()) : QString();
    case StepsColumn:
        if (!run.lastStep && !run.totalSteps) return QString();
        return QStringLiteral("%1/%2").arg(
            run.lastStep ? QString::number(*run.lastStep) : QStringLiteral("0"),
            run.totalSteps ? QString::number(*run.totalSteps) : QStringLiteral("?"));
    case TrainLossColumn:
        return run.finalTrainLoss ? QString::number(*run.finalTrainLoss, 'f', 4) : QString();
    case EvalLossColumn:
        return run.finalEvalLoss ? QString::number(*run.finalEvalLoss, 'f', 4) : QString();
    case DurationColumn:
        return formatDuration(durationSeconds(run));
    case CreatedColumn: {
        const QDateTime t = parseTime(run.createdAt);
        return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : qs(run.createdAt);
    }
    default:
        return {};
    }
}

QVariant RunsModel::sortValue(const Row& r, int column) {
    const RunRecord& run = r.run;
    switch (column) {
    case IdColumn:
        return QVariant::fromValue<qint64>(run.id);
    case NameColumn:
        return qs(run.name);
    case StatusColumn:
        return qs(runStatusName(run.status));
    case ModelColumn:
        return baseName(run.modelPath);
    case DatasetColumn:
        return baseName(run.datasetPath);
    case LrColumn:
        return r.lr;
    case RankColumn:
        return r.rank;
    case BatchColumn:
        return r.batch.isValid()
                   ? QVariant(r.batch.toDouble() * (r.gradAccum.isValid() ? r.gradAccum.toDouble() : 1.0))
                   : QVariant();
    case SeqLenColumn:
        return r.seqLen;
    case StepsColumn:
        return run.lastStep ? QVariant::fromValue<qint64>(*run.lastStep) : QVariant();
    case TrainLossColumn:
        return loss(run.finalTrainLoss);
    case EvalLossColumn:
        return loss(run.finalEvalLoss);
    case DurationColumn: {
        const qint64 d = durationSeconds(run);
        return d >= 0 ? QVariant::fromValue<qint64>(d) : QVariant();
    }
    case CreatedColumn:
        return run.createdAt.empty() ? QVariant() : QVariant(qs(run.createdAt));
    default:
        return {};
    }
}

QVariant RunsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& r = rows_[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(r, column);
    case RunIdRole:
        return QVariant::fromValue<qint64>(r.run.id);
    case StatusRole:
        return qs(runStatusName(r.run.status));
    case SortRole:
        return sortValue(r, column);
    case Qt::ToolTipRole:
        if (column == ModelColumn) return qs(r.run.modelPath);
        if (column == DatasetColumn) return qs(r.run.datasetPath);
        if (column == StatusColumn && !r.run.error.empty()) return qs(r.run.error);
        if (column == CreatedColumn) return qs(r.run.createdAt);
        return {};
    case Qt::TextAlignmentRole:
        if (column == NameColumn || column == ModelColumn || column == DatasetColumn ||
            column == StatusColumn)
            return QVariant::fromValue<int>(Qt::AlignLeft | Qt::AlignVCenter);
        return QVariant::fromValue<int>(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (column != StatusColumn) return {};
        switch (r.run.status) {
        case RunStatus::Failed:
            return QBrush(QColor(0xc6, 0x28, 0x28));
        case RunStatus::Running:
            return QBrush(QColor(0x15, 0x65, 0xc0));
        case RunStatus::Finished:
            return QBrush(QColor(0x2e, 0x7d, 0x32));
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case IdColumn:
        return tr("ID");
    case NameColumn:
        return tr("Name");
    case StatusColumn:
        return tr("Status");
    case ModelColumn:
        return tr("Model");
    case DatasetColumn:
        return tr("Dataset");
    case LrColumn:
        return tr("LR");
    case RankColumn:
        return tr("Rank");
    case BatchColumn:
        return tr("Batch");
    case SeqLenColumn:
        return tr("Seq len");
    case StepsColumn:
        return tr("Steps");
    case TrainLossColumn:
        return tr("Train loss");
    case EvalLossColumn:
        return tr("Eval loss");
    case DurationColumn:
        return tr("Duration");
    case CreatedColumn:
        return tr("Created");
    default:
        return {};
    }
}

int RunsModel::rowOfRun(qint64 id) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].run.id == id) return static_cast<int>(i);
    return -1;
}

void RunsModel::refresh() {
    RunStore runs(*store_);
    std::vector<RunRecord> fresh = runs.listRuns();

    std::unordered_set<std::int64_t> freshIds;
    for (const auto& r : fresh) freshIds.insert(r.id);
    // 1. Rows of runs that are gone.
    for (int i = static_cast<int>(rows_.size()) - 1; i >= 0; --i) {
        if (freshIds.count(rows_[static_cast<std::size_t>(i)].run.id)) continue;
        int first = i;
        while (first > 0 && !freshIds.count(rows_[static_cast<std::size_t>(first - 1)].run.id)) --first;
        beginRemoveRows({}, first, i);
        rows_.erase(rows_.begin() + first, rows_.begin() + i + 1);
        endRemoveRows();
        i = first;
    }
    // 2. The survivors keep their order in the store's listing (newest first), so new runs are inserted
    // between them and the others are updated in place. Anything else (an order that changed) resets.
    std::size_t pos = 0;
    for (const auto& rec : fresh) {
        if (pos < rows_.size() && rows_[pos].run.id == rec.id) {
            Row& row = rows_[pos];
            const bool changed = row.run.updatedAt != rec.updatedAt || row.run.status != rec.status ||
                                 row.run.lastStep != rec.lastStep || row.run.name != rec.name ||
                                 rec.status == RunStatus::Running;
            row = makeRow(rec);
            if (changed)
                Q_EMIT dataChanged(index(static_cast<int>(pos), 0),
                                   index(static_cast<int>(pos), ColumnCount - 1));
            ++pos;
            continue;
        }
        const bool known = std::any_of(rows_.begin() + static_cast<std::ptrdiff_t>(pos), rows_.end(),
                                       [&](const Row& r) { return r.run.id == rec.id; });
        if (known) { // the order changed: start over
            beginResetModel();
            rows_.clear();
            for (const auto& f : fresh) rows_.push_back(makeRow(f));
            endResetModel();
            return;
        }
        beginInsertRows({}, static_cast<int>(pos), static_cast<int>(pos));
        rows_.insert(rows_.begin() + static_cast<std::ptrdiff_t>(pos), makeRow(rec));
        endInsertRows();
        ++pos;
    }
}

RunsFilterModel::RunsFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent) {
    setSortRole(RunsModel::SortRole);
}

void RunsFilterModel::setTextFilter(const QString& text) {
    if (text == text_) return;
    text_ = text;
    invalidateFilter();
}

void RunsFilterModel::setStatusFilter(const QString& statusName) {
    if (statusName == status_) return;
    status_ = statusName;
    invalidateFilter();
}

bool RunsFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    auto* runs = qobject_cast<const RunsModel*>(sourceModel());
    if (!runs || sourceParent.isValid()) return true;
    const RunRecord& r = runs->runAt(sourceRow);
    if (!status_.isEmpty() && QString::fromStdString(runStatusName(r.status)) != status_) return false;
    const QString t = text_.trimmed();
    if (t.isEmpty()) return true;
    for (const std::string* s : {&r.name, &r.modelPath, &r.datasetPath})
        if (QString::fromStdString(*s).contains(t, Qt::CaseInsensitive)) return true;
    return QString::number(r.id) == t;
}

bool RunsFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const QVariant a = left.data(sortRole());
    const QVariant b = right.data(sortRole());
    // Missing values go last whatever the order (the view reverses lessThan for descending).
    const bool descending = sortOrder() == Qt::DescendingOrder;
    if (!a.isValid() || !b.isValid()) {
        if (a.isValid() == b.isValid()) return left.row() < right.row();
        return descending ? !a.isValid() : a.isValid();
    }
    if (a.typeId() == QMetaType::QString || b.typeId() == QMetaType::QString)
        return QString::localeAwareCompare(a.toString(), b.toString()) < 0;
    return a.toDouble() < b.toDouble();
}

} // namespace hone::ui
