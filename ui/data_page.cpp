// Implementation of the Data page and its rows model.
#include "ui/data_page.h"

#include "services/settings.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QValueAxis>

namespace hone::ui {

namespace {

const QString kLastFile = QStringLiteral("data/lastFile");
const QString kFormat = QStringLiteral("data/format");
const QString kTemplate = QStringLiteral("data/template");
const QString kMaxLen = QStringLiteral("data/maxSeqLen");

QColor blend(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

// Trained tokens: green over the base colour, strong enough to read in light and dark palettes; neighbouring
// tokens alternate shades so token boundaries show.
QColor trainedColour(const QPalette& pal, bool odd) {
    return blend(pal.color(QPalette::Base), QColor(46, 160, 67), odd ? 0.50 : 0.36);
}
QColor contextColour(const QPalette& pal, bool odd) {
    return odd ? blend(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.12)
               : pal.color(QPalette::Base);
}

QString swatch(const QColor& c) {
    return QStringLiteral("<span style=\"background-color:%1\">&nbsp;&nbsp;&nbsp;&nbsp;</span>")
        .arg(c.name());
}

} // namespace

// ---- DatasetRowsModel ----

DatasetRowsModel::DatasetRowsModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void DatasetRowsModel::setRows(std::vector<PreviewRow> rows, int maxSeqLen) {
    beginResetModel();
    rows_ = std::move(rows);
    maxSeqLen_ = maxSeqLen;
    endResetModel();
}

void DatasetRowsModel::setMaxSeqLen(int maxSeqLen) {
    if (maxSeqLen == maxSeqLen_) return;
    maxSeqLen_ = maxSeqLen;
    if (!rows_.empty()) Q_EMIT dataChanged(index(0, TokensColumn), index(rowCount() - 1, TokensColumn));
}

int DatasetRowsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(rows_.size());
}

int DatasetRowsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DatasetRowsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const PreviewRow& r = rows_[std::size_t(index.row())];
    const bool skipped = r.example < 0;
    const bool tooLong = r.tokens > maxSeqLen_;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case LineColumn:
            return qulonglong(r.line);
        case KindColumn:
            return skipped ? tr("skipped") : r.kind;
        case TokensColumn:
            return r.tokens >= 0 ? QVariant(r.tokens) : QVariant(QString());
        case PreviewColumn:
            return r.preview;
        }
    } else if (role == Qt::ToolTipRole) {
        if (skipped) return tr("This row is not used for training; see the problems list.");
        if (tooLong && index.column() == TokensColumn)
            return tr("Longer than the max length %1: training drops this row.").arg(maxSeqLen_);
        if (index.column() == PreviewColumn) return r.preview;
    } else if (role == Qt::ForegroundRole) {
        if (skipped || (tooLong && index.column() == TokensColumn)) return QColor(200, 60, 50);
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == LineColumn || index.column() == TokensColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant DatasetRowsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LineColumn:
        return tr("Line");
    case KindColumn:
        return tr("Kind");
    case TokensColumn:
        return tr("Tokens");
    case PreviewColumn:
        return tr("Fields");
    }
    return {};
}

// ---- DataPage ----

DataPage::DataPage(Settings* settings, QWidget* parent)
    : QWidget(parent)
    , settings_(settings)
    , service_(new DatasetPreviewService(this)) {
    setAcceptDrops(true);
    auto* layout = new QVBoxLayout(this);

    // The file and how to read it.
    auto* top = new QHBoxLayout;
    openButton_ = new QPushButton(tr("&Open dataset…"));
    openButton_->setObjectName(QStringLiteral("openDataset"));
    pathLabel_ = new QLabel(tr("No file open: open a JSONL, JSON or CSV file, or drop one here."));
    pathLabel_->setObjectName(QStringLiteral("datasetPath"));
    pathLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pathLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    top->addWidget(openButton_);
    top->addWidget(pathLabel_, 1);
    layout->addLayout(top);

    auto* options = new QHBoxLayout;
    format_ = new QComboBox;
    format_->setObjectName(QStringLiteral("formatCombo"));
    format_->addItem(tr("Auto (detect)"), QString());
    for (const char* f : {"alpaca", "sharegpt", "messages", "text", "prompt-completion"})
        format_->addItem(QString::fromLatin1(f), QString::fromLatin1(f));
    template_ = new QComboBox;
    template_->setObjectName(QStringLiteral("templateCombo"));
    template_->addItem(tr("Model's own"), QString());
    template_->addItem(QStringLiteral("alpaca"), QStringLiteral("alpaca"));
    template_->addItem(QStringLiteral("chatml"), QStringLiteral("chatml"));
    maxLen_ = new QSpinBox;
    maxLen_->setObjectName(QStringLiteral("maxLength"));
    maxLen_->setRange(8, 1 << 20);
    maxLen_->setSingleStep(256);
    maxLen_->setValue(2048);
    auto* formatLabel = new QLabel(tr("&Format:"));
    formatLabel->setBuddy(format_);
    auto* templateLabel = new QLabel(tr("&Template:"));
    templateLabel->setBuddy(template_);
    auto* maxLenLabel = new QLabel(tr("&Max length:"));
    maxLenLabel->setBuddy(maxLen_);
    options->addWidget(formatLabel);
    options->addWidget(format_);
    options->addWidget(templateLabel);
    options->addWidget(template_);
    options->addWidget(maxLenLabel);
    options->addWidget(maxLen_);
    modelLabel_ = new QLabel(tr("No model chosen"));
    modelLabel_->setObjectName(QStringLiteral("dataModelLabel"));
    options->addWidget(modelLabel_, 1);
    layout->addLayout(options);

    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("dataStatus"));
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);

    // Rows | rendered row; below: histogram | problems.
    auto* vsplit = new QSplitter(Qt::Vertical);
    auto* hsplit = new QSplitter(Qt::Horizontal);
    rows_ = new DatasetRowsModel(this);
    table_ = new QTableView;
    table_->setObjectName(QStringLiteral("rowsTable"));
    table_->setModel(rows_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setWordWrap(false);
    auto* rowsBox = new QGroupBox(tr("Rows"));
    (new QVBoxLayout(rowsBox))->addWidget(table_);
    hsplit->addWidget(rowsBox);

    auto* renderBox = new QGroupBox(tr("Selected row as the model sees it"));
    auto* renderLayout = new QVBoxLayout(renderBox);
    renderMessage_ = new QLabel;
    renderMessage_->setObjectName(QStringLiteral("renderMessage"));
    renderMessage_->setWordWrap(true);
    renderedView_ = new QTextBrowser;
    renderedView_->setObjectName(QStringLiteral("renderedRow"));
    legend_ = new QLabel;
    legend_->setObjectName(QStringLiteral("renderLegend"));
    legend_->setWordWrap(true);
    renderLayout->addWidget(renderMessage_);
    renderLayout->addWidget(renderedView_, 1);
    renderLayout->addWidget(legend_);
    hsplit->addWidget(renderBox);
    hsplit->setStretchFactor(0, 1);
    hsplit->setStretchFactor(1, 1);
    vsplit->addWidget(hsplit);

    auto* bottom = new QSplitter(Qt::Horizontal);
    auto* lengthBox = new QGroupBox(tr("Token lengths"));
    auto* lengthLayout = new QVBoxLayout(lengthBox);
    chart_ = new QChartView;
    chart_->setObjectName(QStringLiteral("lengthChart"));
    chart_->setRenderHint(QPainter::Antialiasing);
    chart_->setMinimumHeight(180);
    lengthSummary_ = new QLabel;
    lengthSummary_->setObjectName(QStringLiteral("lengthSummary"));
    lengthSummary_->setWordWrap(true);
    lengthLayout->addWidget(chart_, 1);
    lengthLayout->addWidget(lengthSummary_);
    bottom->addWidget(lengthBox);
    auto* problemBox = new QGroupBox(tr("Problems (double-click to show the row)"));
    problems_ = new QListWidget;
    problems_->setObjectName(QStringLiteral("problemsList"));
    problems_->setWordWrap(true);
    (new QVBoxLayout(problemBox))->addWidget(problems_);
    bottom->addWidget(problemBox);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    vsplit->addWidget(bottom);
    layout->addWidget(vsplit, 1);

    // Remembered choices.
    if (settings_) {
        const int f = format_->findData(settings_->value(kFormat).toString());
        if (f >= 0) format_->setCurrentIndex(f);
        const int t = template_->findData(settings_->value(kTemplate).toString());
        if (t >= 0) template_->setCurrentIndex(t);
        maxLen_->setValue(settings_->value(kMaxLen, 2048).toInt());
    }
    legend_->setText(
        tr("%1 trained on (the loss covers these tokens)   %2 context only   <b>bold</b>: special "
           "tokens")
            .arg(swatch(trainedColour(palette(), false)), swatch(contextColour(palette(), true))));

    connect(openButton_, &QPushButton::clicked, this, &DataPage::chooseFile);
    connect(format_, &QComboBox::currentIndexChanged, this, [this] {
        if (settings_) settings_->setValue(kFormat, formatChoice());
        reload();
    });
    connect(template_, &QComboBox::currentIndexChanged, this, [this] {
        if (settings_) settings_->setValue(kTemplate, templateChoice());
        reload();
    });
    connect(maxLen_, &QSpinBox::valueChanged, this, [this](int v) {
        if (settings_) settings_->setValue(kMaxLen, v);
        rows_->setMaxSeqLen(v);
        updateLengthViews();
    });
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &DataPage::rowSelected);
    connect(problems_, &QListWidget::itemDoubleClicked, this, &DataPage::problemActivated);
    connect(service_, &DatasetPreviewService::loaded, this, &DataPage::showPreview);
    connect(service_, &DatasetPreviewService::rendered, this, &DataPage::showRendered);

    updateLengthViews();
    if (settings_) {
        const QString last = settings_->value(kLastFile).toString();
        if (!last.isEmpty() && QFileInfo::exists(last)) openDataset(last);
    }
}

QString DataPage::formatChoice() const {
    return format_->currentData().toString();
}
QString DataPage::templateChoice() const {
    return template_->currentData().toString();
}
int DataPage::maxSeqLen() const {
    return maxLen_->value();
}
QString DataPage::statusText() const {
    return status_->text();
}

QStringList DataPage::problemTexts() const {
    QStringList out;
    for (int i = 0; i < problems_->count(); ++i) out << problems_->item(i)->text();
    return out;
}

void DataPage::setModel(const QString& modelDir) {
    if (modelDir == modelDir_) return;
    modelDir_ = modelDir;
    modelLabel_->setText(modelDir.isEmpty() ? tr("No model chosen")
                                            : tr("Model: %1").arg(QFileInfo(modelDir).fileName()));
    modelLabel_->setToolTip(modelDir);
    reload();
}

void DataPage::openDataset(const QString& path) {
    path_ = path;
    pathLabel_->setText(path);
    pathLabel_->setToolTip(path);
    if (settings_) settings_->setValue(kLastFile, path);
    reload();
}

void DataPage::chooseFile() {
    const QString start = path_.isEmpty() ? QString() : QFileInfo(path_).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a dataset"), start, tr("Datasets (*.jsonl *.ndjson *.json *.csv);;All files (*)"));
    if (!path.isEmpty()) openDataset(path);
}

void DataPage::reload() {
    if (path_.isEmpty()) return;
    DatasetPreviewRequest req;
    req.path = path_;
    req.format = formatChoice();
    req.modelDir = modelDir_;
    req.templateName = templateChoice();
    status_->setText(tr("Reading %1…").arg(QFileInfo(path_).fileName()));
    status_->setStyleSheet(QString());
    service_->load(req);
}

void DataPage::showPreview(const DatasetPreview& p) {
    rows_->setRows(p.rows, maxSeqLen());
    table_->resizeColumnsToContents();
    table_->horizontalHeader()->setStretchLastSection(true);
    rendered_ = {};
    renderedView_->clear();
    if (!p.error.isEmpty()) {
        status_->setText(p.error);
        status_->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold"));
    } else {
        QString s = p.formatOverridden
                        ? tr("%1 rows as %2 (chosen; detection says %3).")
                              .arg(p.examples)
                              .arg(p.format, p.detectionExplanation)
                        : tr("%1 rows, detected as %2.").arg(p.examples).arg(p.detectionExplanation);
        const std::size_t skipped = p.rows.size() - p.examples;
        if (skipped > 0)
            s += QLatin1Char(' ') + tr("%n row(s) skipped (see Problems).", nullptr, int(skipped));
        status_->setText(s);
        status_->setStyleSheet(QString());
        Q_EMIT datasetChosen(p.path, formatChoice(), templateChoice());
    }
    renderMessage_->setText(!p.tokenError.isEmpty() ? p.tokenError
                            : p.examples == 0       ? tr("Nothing to render: no row is usable.")
                                                    : tr("Select a row to see it rendered."));
    renderMessage_->setStyleSheet(
        p.tokenError.isEmpty() ? QString() : QStringLiteral("color: #c0392b; font-weight: bold"));
    updateLengthViews();
    Q_EMIT previewUpdated();
    // Show the first usable row right away.
    for (int r = 0; r < rows_->rowCount(); ++r)
        if (rows_->row(r).example >= 0) {
            table_->selectRow(r);
            break;
        }
}

void DataPage::rowSelected() {
    const auto sel = table_->selectionModel()->selectedRows();
    if (sel.isEmpty()) return;
    const PreviewRow& row = rows_->row(sel.first().row());
    if (row.example < 0 || !preview().tokenError.isEmpty()) service_->cancelRender();
    if (row.example < 0) {
        rendered_ = {};
        rendered_.line = row.line;
        QString why;
        for (const auto& pr : preview().problems)
            if (pr.line == row.line) {
                why = pr.reason;
                break;
            }
        rendered_.error = tr("Line %1 is not used for training: %2").arg(row.line).arg(why);
        showRendered(rendered_);
        return;
    }
    if (!preview().tokenError.isEmpty()) return; // the message above the view says what is missing
    service_->render(row.example);
}

void DataPage::showRendered(const RenderedExample& r) {
    rendered_ = r;
    if (!r.error.isEmpty()) {
        renderMessage_->setText(r.error);
        renderMessage_->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold"));
    } else {
        QString text = tr("Line %1: %n token(s)", nullptr, int(r.pieces.size())).arg(r.line) +
                       QStringLiteral(", ") + tr("%n trained on", nullptr, int(r.trainedTokens));
        const bool tooLong = r.pieces.size() > std::size_t(maxSeqLen());
        if (tooLong)
            text +=
                QStringLiteral(". ") + tr("Longer than the max length %1: training drops this row; raise the "
                                          "max length or shorten the row.")
                                           .arg(maxSeqLen());
        renderMessage_->setText(text);
        renderMessage_->setStyleSheet(tooLong ? QStringLiteral("color: #c0392b; font-weight: bold")
                                              : QString());
    }
    paintRendered();
    Q_EMIT rowRendered();
}

void DataPage::paintRendered() {
    const QPalette pal = palette();
    QString html = QStringLiteral("<div style=\"white-space:pre-wrap; font-family:monospace; color:%1\">")
                       .arg(pal.color(QPalette::Text).name());
    int k = 0;
    for (const auto& piece : rendered_.pieces) {
        const bool odd = (k++ % 2) == 1;
        const QColor bg = piece.trained ? trainedColour(pal, odd) : contextColour(pal, odd);
        QString text = piece.text.toHtmlEscaped();
        if (piece.special) text = QStringLiteral("<b>") + text + QStringLiteral("</b>");
        html += QStringLiteral("<span style=\"background-color:%1\" title=\"%2\">%3</span>")
                    .arg(bg.name())
                    .arg(piece.id)
                    .arg(text);
    }
    html += QStringLiteral("</div>");
    renderedView_->setHtml(rendered_.pieces.empty() ? QString() : html);
    legend_->setText(
        tr("%1 trained on (the loss covers these tokens)   %2 context only   <b>bold</b>: special "
           "tokens")
            .arg(swatch(trainedColour(pal, false)), swatch(contextColour(pal, true))));
}

void DataPage::updateLengthViews() {
    const DatasetPreview& p = preview();
    const int maxLen = maxSeqLen();
    // Problems, with the rows the max length drops.
    problems_->clear();
    for (const auto& pr : p.problemsFor(maxLen)) {
        auto* item = new QListWidgetItem(pr.line > 0 ? tr("line %1: %2").arg(pr.line).arg(pr.reason)
                                                     : tr("file: %1").arg(pr.reason));
        item->setData(Qt::UserRole, qulonglong(pr.line));
        item->setToolTip(item->text());
        problems_->addItem(item);
    }

    // Histogram: bins up to the max length (its right edge) and, if rows are longer, bins beyond it in red.
    std::vector<std::size_t> lengths = p.lengths();
    const auto stats = p.lengthStats(maxLen);
    const std::size_t longest = stats.max;
    const std::size_t limit = std::size_t(maxLen);
    std::size_t hi = std::max<std::size_t>(std::min(longest, limit), 1);
    constexpr std::size_t kBins = 16;
    const std::size_t width = std::max<std::size_t>(1, (hi + kBins - 1) / kBins);
    std::size_t binsBelow = (std::min(hi, limit) + width - 1) / width;
    std::size_t binsAbove =
        longest > limit ? std::min<std::size_t>(8, (longest - limit + width - 1) / width) : 0;
    const std::size_t nBins = std::max<std::size_t>(1, binsBelow + binsAbove);
    std::vector<double> within(nBins, 0), over(nBins, 0);
    for (std::size_t len : lengths) {
        if (len <= limit) {
            std::size_t b = len == 0 ? 0 : (len - 1) / width;
            within[std::min(b, binsBelow > 0 ? binsBelow - 1 : 0)] += 1;
        } else {
            std::size_t b = binsBelow + (len - limit - 1) / width;
            over[std::min(b, nBins - 1)] += 1;
        }
    }
    histogramTotal_ = 0;
    histogramOver_ = 0;
    for (std::size_t b = 0; b < nBins; ++b) {
        histogramTotal_ += std::size_t(within[b] + over[b]);
        histogramOver_ += std::size_t(over[b]);
    }
    QStringList categories;
    for (std::size_t b = 0; b < nBins; ++b) {
        const std::size_t lo = b < binsBelow ? b * width + 1 : limit + (b - binsBelow) * width + 1;
        std::size_t up =
            b < binsBelow ? std::min((b + 1) * width, limit) : limit + (b - binsBelow + 1) * width;
        if (b + 1 == nBins && binsAbove > 0) up = longest;
        categories << (lo == up ? QString::number(lo) : QStringLiteral("≤%1").arg(up));
    }
    auto* chart = new QChart;
    auto* series = new QStackedBarSeries;
    auto* setWithin = new QBarSet(tr("fit the max length"));
    auto* setOver = new QBarSet(tr("over the max length (dropped)"));
    setWithin->setColor(QColor(52, 120, 200));
    setOver->setColor(QColor(200, 60, 50));
    for (std::size_t b = 0; b < nBins; ++b) {
        setWithin->append(within[b]);
        setOver->append(over[b]);
    }
    series->append(setWithin);
    series->append(setOver);
    series->setBarWidth(0.95);
    chart->addSeries(series);
    auto* xAxis = new QBarCategoryAxis;
    xAxis->append(categories);
    xAxis->setTitleText(tr("tokens per row (max length %1)").arg(maxLen));
    xAxis->setLabelsAngle(-45);
    auto* yAxis = new QValueAxis;
    double top = 1;
    for (std::size_t b = 0; b < nBins; ++b) top = std::max(top, within[b] + over[b]);
    yAxis->setRange(0, top);
    yAxis->setLabelFormat(QStringLiteral("%d"));
    yAxis->setTickCount(int(std::min<double>(top, 5)) + 1);
    yAxis->setTitleText(tr("rows"));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    series->attachAxis(xAxis);
    series->attachAxis(yAxis);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setBackgroundBrush(palette().color(QPalette::Base));
    chart->setTitleBrush(palette().color(QPalette::Text));
    chart->legend()->setLabelColor(palette().color(QPalette::Text));
    xAxis->setLabelsColor(palette().color(QPalette::Text));
    yAxis->setLabelsColor(palette().color(QPalette::Text));
    xAxis->setTitleBrush(palette().color(QPalette::Text));
    yAxis->setTitleBrush(palette().color(QPalette::Text));
    chart->setMargins(QMargins(4, 4, 4, 4));
    QChart* old = chart_->chart();
    chart_->setChart(chart);
    delete old;

    if (stats.count == 0) {
        if (p.path.isEmpty())
            lengthSummary_->setText(tr("No dataset open."));
        else if (!p.error.isEmpty())
            lengthSummary_->setText(tr("No token lengths: no row of the file is usable (see above)."));
        else if (!p.tokenError.isEmpty())
            lengthSummary_->setText(tr("No token lengths: %1").arg(p.tokenError));
        else
            lengthSummary_->setText(tr("No row could be tokenized (see Problems)."));
    } else {
        QString s = tr("%1 rows: min %2, median %3, p95 %4, max %5 tokens.")
                        .arg(stats.count)
                        .arg(stats.min)
                        .arg(stats.median)
                        .arg(stats.p95)
                        .arg(stats.max);
        if (stats.overMax > 0)
            s += QLatin1Char(' ') +
                 tr("%1 over the max length %2: training drops them; raise the max length or "
                    "truncate.")
                     .arg(stats.overMax)
                     .arg(maxLen);
        else
            s += QLatin1Char(' ') + tr("All fit the max length %1.").arg(maxLen);
        lengthSummary_->setText(s);
    }
}

bool DataPage::selectLine(std::size_t line) {
    const int r = preview().rowOfLine(line);
    if (r < 0) return false;
    table_->selectRow(r);
    table_->scrollTo(rows_->index(r, 0));
    return true;
}

void DataPage::problemActivated(QListWidgetItem* item) {
    const std::size_t line = std::size_t(item->data(Qt::UserRole).toULongLong());
    if (line == 0 || !selectLine(line)) {
        service_->cancelRender();
        table_->clearSelection();
        rendered_ = {};
        renderedView_->clear();
        renderMessage_->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold"));
        renderMessage_->setText(
            tr("Line %1 could not be read as a row, so it is not in the table: fix it in the file "
               "(%2).")
                .arg(line)
                .arg(item->text()));
    }
}

void DataPage::dragEnterEvent(QDragEnterEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile()) event->acceptProposedAction();
}

void DataPage::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.first().isLocalFile()) return;
    event->acceptProposedAction();
    openDataset(urls.first().toLocalFile());
}

void DataPage::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        paintRendered();
        updateLengthViews();
    }
}

} // namespace hone::ui
