// Implementation of the Export page.
#include "ui/export_page.h"

#include "common/error.h"
#include "services/settings.h"
#include "store/run_store.h"
#include "store/store.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>
#include <optional>

namespace hone::ui {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QString scalarText(const QJsonValue& v) {
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (d == std::floor(d) && std::abs(d) < 1e15) return QString::number(qint64(d));
        return QString::number(d, 'g', 4);
    }
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Null:
        return QStringLiteral("—");
    default:
        return QString::fromUtf8(
            QJsonDocument(v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject()))
                .toJson(QJsonDocument::Compact));
    }
}

// A check passes when its entry says so (ok/passed/match/agree fields); unknown otherwise.
std::optional<bool> verdictOf(const QJsonObject& entry) {
    for (const char* key : {"ok", "passed", "pass"})
        if (entry.value(QLatin1String(key)).isBool()) return entry.value(QLatin1String(key)).toBool();
    return std::nullopt;
}

} // namespace

ExportPage::ExportPage(Settings* settings, Store* store, QWidget* parent)
    : QWidget(parent)
    , settings_(settings)
    , store_(store) {
    auto* what = new QGroupBox(tr("What to export"));
    run_ = new QComboBox;
    run_->setObjectName(QStringLiteral("exportRunCombo"));
    run_->setToolTip(tr("Runs that saved an adapter or a checkpoint"));
    checkpoint_ = new QComboBox;
    checkpoint_->setObjectName(QStringLiteral("exportCheckpointCombo"));
    model_ = new QLineEdit;
    model_->setObjectName(QStringLiteral("exportModelEdit"));
    model_->setPlaceholderText(tr("the run's base model"));
    model_->setToolTip(tr("The base model the adapter was trained on (a Hugging Face folder)"));
    auto* whatForm = new QFormLayout(what);
    whatForm->addRow(tr("&Run:"), run_);
    whatForm->addRow(tr("&Checkpoint:"), checkpoint_);
    whatForm->addRow(tr("Base &model:"), model_);

    auto* formats = new QGroupBox(tr("Formats"));
    peft_ = new QCheckBox(tr("PEFT adapter (for transformers/PEFT, vLLM)"));
    peft_->setObjectName(QStringLiteral("formatPeft"));
    merged_ = new QCheckBox(tr("Merged Hugging Face model (safetensors)"));
    merged_->setObjectName(QStringLiteral("formatMerged"));
    gguf_ = new QCheckBox(tr("GGUF (llama.cpp, LM Studio)"));
    gguf_->setObjectName(QStringLiteral("formatGguf"));
    ggufLora_ = new QCheckBox(tr("GGUF LoRA adapter (llama.cpp --lora)"));
    ggufLora_->setObjectName(QStringLiteral("formatGgufLora"));
    ggufLora_->setToolTip(tr("The adapter alone in llama.cpp's format, applied over a GGUF of the base model "
                             "(F32 when the dtype is f32, else F16). Adapters that added tokens cannot be "
                             "written this way: export the merged GGUF instead."));
    ollama_ = new QCheckBox(tr("Ollama (GGUF + Modelfile)"));
    ollama_->setObjectName(QStringLiteral("formatOllama"));
    peft_->setChecked(true);
    dtype_ = new QComboBox;
    dtype_->setObjectName(QStringLiteral("exportDtypeCombo"));
    dtype_->addItem(tr("as the base model"), QString());
    for (const char* d : {"bf16", "f16", "f32"})
        dtype_->addItem(QString::fromLatin1(d), QString::fromLatin1(d));
    dtype_->setToolTip(tr("Dtype of the merged weights and of the unquantised GGUF"));
    auto* quantRow = new QHBoxLayout;
    for (const char* q : {"q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0"}) {
        auto* box = new QCheckBox(QString::fromLatin1(q).toUpper());
        box->setObjectName(QStringLiteral("quant_%1").arg(QString::fromLatin1(q)));
        box->setProperty("quant", QString::fromLatin1(q));
        box->setToolTip(tr("A GGUF quantised to %1 (llama.cpp's per-tensor rules)").arg(box->text()));
        quants_ << box;
        quantRow->addWidget(box);
    }
    quantRow->addStretch();
    auto* formatsLayout = new QFormLayout(formats);
    formatsLayout->addRow(peft_);
    formatsLayout->addRow(merged_);
    formatsLayout->addRow(gguf_);
    formatsLayout->addRow(ggufLora_);
    formatsLayout->addRow(ollama_);
    formatsLayout->addRow(tr("&Dtype:"), dtype_);
    formatsLayout->addRow(tr("Quantisations:"), quantRow);

    out_ = new QLineEdit;
    out_->setObjectName(QStringLiteral("exportOutEdit"));
    out_->setPlaceholderText(tr("an empty or new folder"));
    browse_ = new QPushButton(tr("Browse…"));
    browse_->setObjectName(QStringLiteral("exportBrowse"));
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(out_, 1);
    outRow->addWidget(browse_);
    auto* outForm = new QFormLayout;
    auto* outLabel = new QLabel(tr("&Output folder:")); // a layout row gets no buddy from QFormLayout
    outLabel->setBuddy(out_);
    outForm->addRow(outLabel, outRow);

    export_ = new QPushButton(tr("&Export"));
    export_->setObjectName(QStringLiteral("exportButton"));
    export_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    export_->setToolTip(tr("Export and check the result (Ctrl+E)"));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setObjectName(QStringLiteral("exportCancel"));
    cancel_->setEnabled(false);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(export_);
    buttons->addWidget(cancel_);
    validation_ = new QLabel;
    validation_->setObjectName(QStringLiteral("exportValidation"));
    validation_->setWordWrap(true);
    validation_->setStyleSheet(QStringLiteral("color: #c02020;"));

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(what);
    leftLayout->addWidget(formats);
    leftLayout->addLayout(outForm);
    leftLayout->addWidget(validation_);
    leftLayout->addLayout(buttons);
    leftLayout->addStretch();

    progress_ = new QProgressBar;
    progress_->setObjectName(QStringLiteral("exportProgress"));
    progress_->setRange(0, 1);
    progress_->setValue(0);
    status_ = new QLabel(tr("Choose a run and the formats, then Export."));
    status_->setObjectName(QStringLiteral("exportStatus"));
    status_->setWordWrap(true);
    log_ = new QPlainTextEdit;
    log_->setObjectName(QStringLiteral("exportLog"));
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(2000);
    checks_ = new QTableWidget(0, 4);
    checks_->setObjectName(QStringLiteral("exportChecks"));
    checks_->setHorizontalHeaderLabels({tr("Artifact"), tr("Check"), tr("Value"), tr("Verdict")});
    checks_->horizontalHeader()->setStretchLastSection(true);
    checks_->verticalHeader()->hide();
    checks_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    files_ = new QListWidget;
    files_->setObjectName(QStringLiteral("exportFiles"));
    openFolder_ = new QPushButton(tr("&Open folder"));
    openFolder_->setObjectName(QStringLiteral("exportOpenFolder"));
    openFolder_->setEnabled(false);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->addWidget(progress_);
    rightLayout->addWidget(status_);
    rightLayout->addWidget(new QLabel(tr("Check after export")));
    rightLayout->addWidget(checks_, 2);
    rightLayout->addWidget(new QLabel(tr("Files")));
    rightLayout->addWidget(files_, 1);
    rightLayout->addWidget(openFolder_, 0, Qt::AlignRight);
    rightLayout->addWidget(new QLabel(tr("Log")));
    rightLayout->addWidget(log_, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(run_, &QComboBox::currentIndexChanged, this, [this](int) { onRunChanged(); });
    for (QCheckBox* b : {peft_, merged_, gguf_, ggufLora_, ollama_})
        connect(b, &QCheckBox::toggled, this, &ExportPage::updateValidity);
    for (QCheckBox* b : quants_) connect(b, &QCheckBox::toggled, this, &ExportPage::updateValidity);
    connect(out_, &QLineEdit::textChanged, this, &ExportPage::updateValidity);
    connect(model_, &QLineEdit::textChanged, this, &ExportPage::updateValidity);
    connect(browse_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export into"), out_->text());
        if (!dir.isEmpty()) out_->setText(dir);
    });
    connect(export_, &QPushButton::clicked, this, &ExportPage::startExport);
    connect(cancel_, &QPushButton::clicked, &service_, &ExportService::cancel);
    connect(openFolder_, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(out_->text())); });
    connect(&service_, &ExportService::progress, this, [this](const QString& line) {
        log_->appendPlainText(line);
        status_->setText(line);
    });
    connect(&service_, &ExportService::finished, this, [this](const QJsonObject& report) {
        progress_->setRange(0, 1);
        progress_->setValue(1);
        export_->setEnabled(true);
        cancel_->setEnabled(false);
        showReport(report);
        Q_EMIT exportFinished(true);
    });
    connect(&service_, &ExportService::failed, this, [this](const QString& message) {
        progress_->setRange(0, 1);
        progress_->setValue(0);
        export_->setEnabled(true);
        cancel_->setEnabled(false);
        log_->appendPlainText(message);
        setStatus(message, true);
        updateValidity();
        Q_EMIT exportFinished(false);
    });

    if (settings_) out_->setText(settings_->value(QStringLiteral("export/lastOut")).toString());
    refreshRuns();
}

void ExportPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!service_.isRunning()) refreshRuns();
}

void ExportPage::refreshRuns() {
    const qint64 keep = run_->currentData().toLongLong();
    QSignalBlocker block(run_);
    run_->clear();
    try {
        RunStore runs(*store_);
        for (const RunRecord& r : runs.listRuns()) {
            const bool hasAdapter = !r.adapterPath.empty() && QFileInfo::exists(qs(r.adapterPath));
            if (!hasAdapter && runs.checkpoints(r.id).empty()) continue;
            run_->addItem(QStringLiteral("#%1 %2 (%3)")
                              .arg(r.id)
                              .arg(qs(r.name), qs(std::string(runStatusName(r.status)))),
                          QVariant::fromValue<qint64>(r.id));
        }
    } catch (const hone::Error& e) {
        setStatus(tr("The runs cannot be read: %1").arg(QString::fromUtf8(e.what())), true);
    }
    const int at = run_->findData(QVariant::fromValue<qint64>(keep));
    run_->setCurrentIndex(at >= 0 ? at : (run_->count() > 0 ? 0 : -1));
    onRunChanged();
}

bool ExportPage::selectRun(qint64 runId) {
    const int at = run_->findData(QVariant::fromValue<qint64>(runId));
    if (at < 0) return false;
    run_->setCurrentIndex(at);
    return true;
}

void ExportPage::onRunChanged() {
    checkpoint_->clear();
    const qint64 id = run_->currentData().toLongLong();
    if (id > 0) {
        try {
            RunStore runs(*store_);
            const RunRecord r = runs.run(id);
            if (!r.adapterPath.empty() && QFileInfo::exists(qs(r.adapterPath)))
                checkpoint_->addItem(tr("final adapter"), QString());
            const auto cps = runs.checkpoints(id);
            for (auto it = cps.rbegin(); it != cps.rend(); ++it)
                if (QFileInfo::exists(qs(it->path)))
                    checkpoint_->addItem(tr("checkpoint at step %1").arg(it->step),
                                         QString::number(it->step));
            model_->setText(qs(r.modelPath));
        } catch (const hone::Error& e) {
            setStatus(QString::fromUtf8(e.what()), true);
        }
    }
    updateValidity();
}

bool ExportPage::buildRequest(ExportRequest* request, QString* why) const {
    ExportRequest r;
    r.runId = run_->currentData().toLongLong();
    r.checkpoint = checkpoint_->currentData().toString();
    r.modelPath = model_->text().trimmed();
    if (peft_->isChecked()) r.formats << QStringLiteral("peft");
    if (merged_->isChecked()) r.formats << QStringLiteral("merged");
    if (gguf_->isChecked()) r.formats << QStringLiteral("gguf");
    if (ggufLora_->isChecked()) r.formats << QStringLiteral("gguf-lora");
    if (ollama_->isChecked()) r.formats << QStringLiteral("ollama");
    r.dtype = dtype_->currentData().toString();
    for (QCheckBox* q : quants_)
        if (q->isChecked()) r.quantTypes << q->property("quant").toString();
    r.outDir = out_->text().trimmed();
    QString problem;
    if (r.runId <= 0)
        problem = tr("No run with an adapter yet: train one on the Train page (or with `hone train`).");
    else if (r.formats.isEmpty())
        problem = tr("Tick at least one format.");
    else if (!r.quantTypes.isEmpty() && !gguf_->isChecked() && !ollama_->isChecked())
        problem =
            tr("Quantisations apply to GGUF and Ollama: tick one of them, or untick the quantisations.");
    else if (r.outDir.isEmpty())
        problem = tr("Choose an output folder.");
    else if (QFileInfo(r.outDir).exists() && !QFileInfo(r.outDir).isDir())
        problem = tr("The output folder is a file: choose a folder.");
    if (why) *why = problem;
    if (!problem.isEmpty()) return false;
    if (request) *request = r;
    return true;
}

void ExportPage::updateValidity() {
    for (QCheckBox* q : quants_) q->setEnabled(gguf_->isChecked() || ollama_->isChecked() || q->isChecked());
    QString why;
    const bool ok = buildRequest(nullptr, &why);
    validation_->setText(why);
    export_->setEnabled(ok && !service_.isRunning());
}

bool ExportPage::startExport() {
    ExportRequest request;
    QString why;
    if (!buildRequest(&request, &why)) {
        setStatus(why, true);
        return false;
    }
    if (settings_) settings_->setValue(QStringLiteral("export/lastOut"), request.outDir);
    checks_->setRowCount(0);
    files_->clear();
    log_->clear();
    report_ = {};
    openFolder_->setEnabled(false);
    log_->appendPlainText(QStringLiteral("hone %1").arg(request.arguments().join(QLatin1Char(' '))));
    setStatus(tr("Exporting…"), false);
    progress_->setRange(0, 0); // busy
    export_->setEnabled(false);
    cancel_->setEnabled(true);
    return service_.start(request);
}

void ExportPage::showReport(const QJsonObject& report) {
    report_ = report;
    for (const auto& f : report.value("files").toArray())
        files_->addItem(f.isString() ? f.toString() : f.toObject().value("path").toString());
    // The check: {artifact: {field: value, ...}, ...} or [{artifact/name/path, field: value}, ...].
    QList<std::pair<QString, QJsonObject>> entries;
    const QJsonValue check = report.value("check");
    if (check.isObject()) {
        const QJsonObject byArtifact = check.toObject();
        for (auto it = byArtifact.begin(); it != byArtifact.end(); ++it)
            if (it.value().isObject()) entries.push_back({it.key(), it.value().toObject()});
    } else if (check.isArray()) {
        for (const auto& v : check.toArray()) {
            const QJsonObject o = v.toObject();
            QString name = o.value("artifact").toString();
            if (name.isEmpty()) name = o.value("name").toString();
            if (name.isEmpty()) name = o.value("path").toString();
            entries.push_back({name, o});
        }
    }
    int failures = 0;
    for (const auto& [artifact, entry] : entries) {
        const std::optional<bool> verdict = verdictOf(entry);
        if (verdict == false) ++failures;
        for (auto it = entry.begin(); it != entry.end(); ++it) {
            if (it.key() == QLatin1String("artifact") || it.key() == QLatin1String("name")) continue;
            const int row = checks_->rowCount();
            checks_->insertRow(row);
            checks_->setItem(row, 0, new QTableWidgetItem(artifact));
            checks_->setItem(row, 1, new QTableWidgetItem(it.key()));
            checks_->setItem(row, 2, new QTableWidgetItem(scalarText(it.value())));
            auto* v = new QTableWidgetItem(!verdict ? QString() : (*verdict ? tr("passed") : tr("FAILED")));
            if (verdict) v->setForeground(*verdict ? QColor(0x20, 0x80, 0x20) : QColor(0xc0, 0x20, 0x20));
            checks_->setItem(row, 3, v);
        }
    }
    checks_->resizeColumnsToContents();
    openFolder_->setEnabled(QFileInfo(out_->text()).isDir());
    setStatus(failures == 0 ? tr("Exported %n file(s); every check passed.", nullptr, files_->count())
                            : tr("Exported, but %n check(s) failed: see the table before using these files.",
                                 nullptr, failures),
              failures > 0);
}

void ExportPage::setStatus(const QString& text, bool error) {
    status_->setStyleSheet(error ? QStringLiteral("color: #c02020;") : QString());
    status_->setText(text);
}

QString ExportPage::statusText() const {
    return status_->text();
}

} // namespace hone::ui
