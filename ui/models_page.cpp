// Implementation of the Models page and its table model.
#include "ui/models_page.h"

#include "services/settings.h"
#include "train/memory_estimate.h"

#include <QBrush>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace hone::ui {

QString ModelsPage::formatBytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(b, 0, 'f', u ? 1 : 0).arg(QLatin1String(units[u]));
}

QString ModelsPage::formatCount(double n) {
    if (n <= 0) return QStringLiteral("—");
    const char* units[] = {"", "K", "M", "B", "T"};
    int u = 0;
    while (n >= 1000 && u < 4) {
        n /= 1000;
        ++u;
    }
    return QStringLiteral("%1%2").arg(n, 0, 'f', u && n < 100 ? 1 : 0).arg(QLatin1String(units[u]));
}

// ---- ModelTableModel

ModelTableModel::ModelTableModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void ModelTableModel::setEntries(const QList<ModelEntry>& entries) {
    beginResetModel();
    entries_ = entries;
    endResetModel();
}

int ModelTableModel::rowOf(const QString& path) const {
    for (int i = 0; i < entries_.size(); ++i)
        if (entries_[i].path == path) return i;
    return -1;
}

int ModelTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(entries_.size());
}

int ModelTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModelTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= entries_.size() || index.column() >= ColumnCount) return {};
    const ModelEntry& e = entries_[index.row()];
    if (role == PathRole) return e.path;
    if (role == Qt::ToolTipRole) return e.problem.isEmpty() ? e.path : e.path + "\n\n" + e.problem;
    if (role == Qt::ForegroundRole && !e.ok() && index.column() == Status)
        return QBrush(QColor(0xc0, 0x20, 0x20));
    if (role == Qt::TextAlignmentRole &&
        (index.column() == Parameters || index.column() == Size || index.column() == Context))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case Name:
        return e.name;
    case Architecture:
        return e.architecture.isEmpty() ? e.modelType : e.architecture;
    case Parameters:
        return ModelsPage::formatCount(double(e.parameters));
    case Dtype:
        return e.dtype;
    case Context:
        return e.contextLength > 0 ? QString::number(e.contextLength) : QStringLiteral("—");
    case Size:
        return ModelsPage::formatBytes(double(e.sizeOnDisk));
    case ChatTemplate:
        return e.hasChatTemplate ? tr("yes") : tr("no");
    case Status:
        return e.ok() ? tr("ready") : QStringLiteral("⚠ ") + e.issue;
    default:
        return {};
    }
}

QVariant ModelTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Name:
        return tr("Model");
    case Architecture:
        return tr("Architecture");
    case Parameters:
        return tr("Parameters");
    case Dtype:
        return tr("Dtype");
    case Context:
        return tr("Context");
    case Size:
        return tr("Size on disk");
    case ChatTemplate:
        return tr("Chat template");
    case Status:
        return tr("Status");
    default:
        return {};
    }
}

// ---- ModelsPage

ModelsPage::ModelsPage(Settings* settings, QWidget* parent)
    : QWidget(parent)
    , settings_(settings)
    , catalog_(settings)
    , model_(new ModelTableModel(this))
    , download_(new HfDownload(this)) {
    auto* layout = new QVBoxLayout(this);

    auto* bar = new QHBoxLayout;
    auto* addButton = new QPushButton(tr("Add folder…"));
    addButton->setObjectName(QStringLiteral("addFolderButton"));
    auto* addFileButton = new QPushButton(tr("Add GGUF file…"));
    addFileButton->setObjectName(QStringLiteral("addGgufButton"));
    auto* refreshButton = new QPushButton(tr("Refresh"));
    refreshButton->setObjectName(QStringLiteral("refreshButton"));
    scanStatus_ = new QLabel;
    scanStatus_->setObjectName(QStringLiteral("scanStatus"));
    bar->addWidget(addButton);
    bar->addWidget(addFileButton);
    bar->addWidget(refreshButton);
    bar->addWidget(scanStatus_, 1);
    layout->addLayout(bar);

    auto* split = new QSplitter(Qt::Horizontal);
    table_ = new QTableView;
    table_->setObjectName(QStringLiteral("modelsTable"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setWordWrap(false);
    split->addWidget(table_);

    auto* details = new QWidget;
    auto* dl = new QVBoxLayout(details);
    dl->setContentsMargins(0, 0, 0, 0);
    title_ = new QLabel(tr("Select a model to see its details."));
    title_->setObjectName(QStringLiteral("detailsTitle"));
    title_->setWordWrap(true);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    problem_ = new QLabel;
    problem_->setObjectName(QStringLiteral("detailsProblem"));
    problem_->setWordWrap(true);
    problem_->setStyleSheet(QStringLiteral("color: #c02020;"));
    problem_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    problem_->hide();
    highlights_ = new QLabel;
    highlights_->setObjectName(QStringLiteral("detailsHighlights"));
    highlights_->setWordWrap(true);
    highlights_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dl->addWidget(title_);
    dl->addWidget(problem_);
    dl->addWidget(highlights_);

    auto* memBox = new QGroupBox(tr("Memory estimate"));
    auto* mf = new QFormLayout(memBox);
    batch_ = new QSpinBox;
    batch_->setObjectName(QStringLiteral("batchSpin"));
    batch_->setRange(1, 1024);
    batch_->setValue(settings_ ? settings_->value("models/batch", 1).toInt() : 1);
    seqLen_ = new QSpinBox;
    seqLen_->setObjectName(QStringLiteral("seqLenSpin"));
    seqLen_->setRange(16, 1 << 20);
    seqLen_->setSingleStep(256);
    seqLen_->setValue(settings_ ? settings_->value("models/seqLen", 1024).toInt() : 1024);
    rank_ = new QSpinBox;
    rank_->setObjectName(QStringLiteral("rankSpin"));
    rank_->setRange(1, 1024);
    rank_->setValue(16);
    dtype_ = new QComboBox;
    dtype_->setObjectName(QStringLiteral("dtypeCombo"));
    dtype_->addItem(tr("as stored"), 0);
    dtype_->addItem(QStringLiteral("f32"), 4);
    dtype_->addItem(QStringLiteral("bf16"), 2);
    dtype_->addItem(QStringLiteral("f16"), 2);
    trainEstimate_ = new QLabel;
    trainEstimate_->setObjectName(QStringLiteral("trainEstimate"));
    trainEstimate_->setWordWrap(true);
    chatEstimate_ = new QLabel;
    chatEstimate_->setObjectName(QStringLiteral("chatEstimate"));
    chatEstimate_->setWordWrap(true);
    fit_ = new QLabel;
    fit_->setObjectName(QStringLiteral("fitLabel"));
    fit_->setWordWrap(true);
    mf->addRow(tr("Batch size:"), batch_);
    mf->addRow(tr("Sequence length (tokens):"), seqLen_);
    mf->addRow(tr("LoRA rank:"), rank_);
    mf->addRow(tr("Weights dtype:"), dtype_);
    mf->addRow(tr("LoRA training:"), trainEstimate_);
    mf->addRow(tr("Chat:"), chatEstimate_);
    mf->addRow(tr("Device:"), fit_);
    dl->addWidget(memBox);
    use_ = new QPushButton(tr("Use this model"));
    use_->setObjectName(QStringLiteral("useModelButton"));
    use_->setEnabled(false);
    dl->addWidget(use_);
    dl->addStretch(1);
    split->addWidget(details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    auto* dlBox = new QGroupBox(tr("Download from Hugging Face"));
    auto* dg = new QVBoxLayout(dlBox);
    auto* row = new QHBoxLayout;
    modelId_ = new QLineEdit;
    modelId_->setObjectName(QStringLiteral("modelIdEdit"));
    modelId_->setPlaceholderText(tr("organisation/name, e.g. Qwen/Qwen2.5-0.5B-Instruct"));
    revision_ = new QLineEdit(QStringLiteral("main"));
    revision_->setObjectName(QStringLiteral("revisionEdit"));
    revision_->setMaximumWidth(140);
    token_ = new QLineEdit;
    token_->setObjectName(QStringLiteral("tokenEdit"));
    token_->setEchoMode(QLineEdit::Password);
    token_->setPlaceholderText(tr("access token (gated models)"));
    listButton_ = new QPushButton(tr("List files"));
    listButton_->setObjectName(QStringLiteral("listFilesButton"));
    row->addWidget(new QLabel(tr("Model id:")));
    row->addWidget(modelId_, 2);
    row->addWidget(new QLabel(tr("Revision:")));
    row->addWidget(revision_);
    row->addWidget(token_, 1);
    row->addWidget(listButton_);
    dg->addLayout(row);
    downloadStatus_ = new QLabel;
    downloadStatus_->setObjectName(QStringLiteral("downloadStatus"));
    downloadStatus_->setWordWrap(true);
    downloadStatus_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dg->addWidget(downloadStatus_);
    files_ = new QListWidget;
    files_->setObjectName(QStringLiteral("filesList"));
    files_->setMaximumHeight(110);
    dg->addWidget(files_);
    auto* prow = new QHBoxLayout;
    progress_ = new QProgressBar;
    progress_->setObjectName(QStringLiteral("downloadProgress"));
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    speed_ = new QLabel;
    speed_->setObjectName(QStringLiteral("speedLabel"));
    downloadButton_ = new QPushButton(tr("Download"));
    downloadButton_->setObjectName(QStringLiteral("downloadButton"));
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setObjectName(QStringLiteral("cancelButton"));
    cancelButton_->setEnabled(false);
    prow->addWidget(progress_, 1);
    prow->addWidget(speed_);
    prow->addWidget(downloadButton_);
    prow->addWidget(cancelButton_);
    dg->addLayout(prow);
    layout->addWidget(dlBox);

    connect(addButton, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a folder with models"));
        if (!dir.isEmpty()) addFolder(dir);
    });
    connect(addFileButton, &QPushButton::clicked, this, [this] {
        const QString file =
            QFileDialog::getOpenFileName(this, tr("Add a GGUF model file"), {}, tr("GGUF models (*.gguf)"));
        if (!file.isEmpty()) addFolder(file);
    });
    connect(refreshButton, &QPushButton::clicked, this, &ModelsPage::refresh);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ModelsPage::showDetails);
    for (QSpinBox* s : {batch_, seqLen_, rank_})
        connect(s, &QSpinBox::valueChanged, this, &ModelsPage::updateEstimate);
    connect(dtype_, &QComboBox::currentIndexChanged, this, &ModelsPage::updateEstimate);
    connect(use_, &QPushButton::clicked, this, [this] {
        if (const ModelEntry* e = current(); e && e->ok()) Q_EMIT modelChosen(e->path);
    });
    connect(table_, &QTableView::doubleClicked, this, [this] {
        if (const ModelEntry* e = current(); e && e->ok()) Q_EMIT modelChosen(e->path);
    });
    connect(listButton_, &QPushButton::clicked, this, &ModelsPage::listFiles);
    connect(modelId_, &QLineEdit::returnPressed, this, &ModelsPage::listFiles);
    connect(downloadButton_, &QPushButton::clicked, this, &ModelsPage::startDownload);
    connect(cancelButton_, &QPushButton::clicked, download_, &HfDownload::cancel);
    connect(download_, &HfDownload::fileListReady, this,
            [this](const QString& commit, const QList<HfFileInfo>& files) {
                // The list comes again when a download starts: keep what the user unticked.
                QSet<QString> unticked;
                for (int i = 0; i < files_->count(); ++i)
                    if (files_->item(i)->checkState() == Qt::Unchecked)
                        unticked.insert(files_->item(i)->data(Qt::UserRole).toString());
                files_->clear();
                for (const HfFileInfo& f : files) {
                    auto* item = new QListWidgetItem(
                        f.size >= 0 ? QStringLiteral("%1  (%2)").arg(f.path, formatBytes(double(f.size)))
                                    : f.path,
                        files_);
                    item->setData(Qt::UserRole, f.path);
                    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
                    item->setCheckState(unticked.contains(f.path) ? Qt::Unchecked : Qt::Checked);
                }
                downloadStatus_->setStyleSheet({});
                downloadStatus_->setText(
                    tr("%n file(s) at commit %1.", nullptr, int(files.size())).arg(commit.left(12)));
            });
    connect(download_, &HfDownload::progress, this,
            [this](qint64 done, qint64 total, double speed, double eta, const QString& file) {
                progress_->setValue(total > 0 ? int(1000.0 * double(done) / double(total)) : 0);
                progress_->setFormat(total > 0 ? QStringLiteral("%1 / %2").arg(formatBytes(double(done)),
                                                                               formatBytes(double(total)))
                                               : formatBytes(double(done)));
                QString text = tr("%1/s").arg(formatBytes(speed));
                if (eta >= 0)
                    text += eta < 90 ? tr(", %1 s left").arg(qRound(eta))
                                     : tr(", %1 min left").arg(qRound(eta / 60.0));
                speed_->setText(text);
                downloadStatus_->setStyleSheet({});
                downloadStatus_->setText(tr("Downloading %1…").arg(file));
            });
    connect(download_, &HfDownload::finished, this, [this](const QString& snapshot) {
        downloadButton_->setEnabled(true);
        cancelButton_->setEnabled(false);
        progress_->setValue(progress_->maximum());
        downloadStatus_->setStyleSheet({});
        downloadStatus_->setText(tr("Downloaded into %1.").arg(snapshot));
        pendingSelect_ = QDir::cleanPath(snapshot);
        refresh();
    });
    connect(download_, &HfDownload::failed, this, &ModelsPage::showDownloadError);
    connect(this, &ModelsPage::scanned, this, [this] {
        table_->resizeColumnsToContents();
        if (!pendingSelect_.isEmpty() && selectModel(pendingSelect_)) pendingSelect_.clear();
        if (model_->rowCount() > 0 && !table_->currentIndex().isValid()) table_->selectRow(0);
    });
    refresh();
}

void ModelsPage::refresh() {
    if (scanning_) {
        rescan_ = true;
        return;
    }
    scanning_ = true;
    scanStatus_->setText(tr("Looking for models…"));
    const QStringList roots = catalog_.hfCacheRoots();
    const QStringList folders = catalog_.userFolders();
    auto* watcher = new QFutureWatcher<QList<ModelEntry>>(this);
    connect(watcher, &QFutureWatcher<QList<ModelEntry>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QString keep = selectedPath();
        model_->setEntries(watcher->result());
        scanning_ = false;
        int problems = 0;
        for (const ModelEntry& e : model_->entries()) problems += e.ok() ? 0 : 1;
        scanStatus_->setText(
            problems ? tr("%n model(s), %1 with a problem (see Status).", nullptr, model_->rowCount())
                           .arg(problems)
                     : tr("%n model(s).", nullptr, model_->rowCount()));
        if (!keep.isEmpty()) selectModel(keep);
        if (rescan_) {
            rescan_ = false;
            refresh();
            return;
        }
        Q_EMIT scanned();
    });
    watcher->setFuture(QtConcurrent::run([roots, folders] { return ModelCatalog::scan(roots, folders); }));
}

void ModelsPage::addFolder(const QString& folder) {
    catalog_.addUserFolder(folder);
    refresh();
}

bool ModelsPage::selectModel(const QString& path) {
    const int row = model_->rowOf(path);
    if (row < 0) return false;
    table_->selectRow(row);
    table_->setCurrentIndex(model_->index(row, 0));
    showDetails();
    return true;
}

QString ModelsPage::selectedPath() const {
    const ModelEntry* e = current();
    return e ? e->path : QString();
}

const ModelEntry* ModelsPage::current() const {
    const QModelIndex i = table_->currentIndex();
    if (!i.isValid() || i.row() >= model_->entries().size()) return nullptr;
    return &model_->entries()[i.row()];
}

void ModelsPage::showDetails() {
    const ModelEntry* e = current();
    use_->setEnabled(e && e->ok());
    if (!e) {
        title_->setText(tr("Select a model to see its details."));
        problem_->hide();
        highlights_->clear();
        updateEstimate();
        return;
    }
    title_->setText(QStringLiteral("<b>%1</b><br>%2").arg(e->name.toHtmlEscaped(), e->path.toHtmlEscaped()));
    problem_->setVisible(!e->ok());
    problem_->setText(e->problem);
    QStringList lines;
    if (!e->revision.isEmpty()) lines << tr("Revision: %1").arg(e->revision);
    if (!e->architecture.isEmpty()) lines << tr("Architecture: %1 (%2)").arg(e->architecture, e->modelType);
    if (e->parameters > 0)
        lines << tr("Parameters: %1 (%2)").arg(formatCount(double(e->parameters))).arg(e->parameters);
    if (!e->dtype.isEmpty()) lines << tr("Dtype: %1").arg(e->dtype);
    if (e->config) {
        const ModelConfig& c = *e->config;
        lines << tr("Layers: %1, hidden size: %2, intermediate: %3")
                     .arg(c.numLayers)
                     .arg(c.hiddenSize)
                     .arg(c.intermediateSize);
        lines << tr("Attention heads: %1, KV heads: %2, head dim: %3")
                     .arg(c.numHeads)
                     .arg(c.numKvHeads)
                     .arg(c.headDim);
        lines << tr("Vocabulary: %1, context: %2 tokens, RoPE theta: %3")
                     .arg(c.vocabSize)
                     .arg(c.contextLength())
                     .arg(c.ropeTheta);
        if (c.slidingWindow > 0) lines << tr("Sliding window: %1").arg(c.slidingWindow);
        lines << (c.tieEmbeddings ? tr("Tied input/output embeddings") : tr("Separate output embeddings"));
    }
    lines << tr("Size on disk: %1").arg(formatBytes(double(e->sizeOnDisk)));
    lines << (e->hasChatTemplate ? tr("Chat template: yes")
                                 : tr("Chat template: none (pick one, e.g. alpaca, when training)"));
    highlights_->setText(lines.join('\n'));
    updateEstimate();
}

void ModelsPage::updateEstimate() {
    if (settings_) {
        settings_->setValue("models/batch", batch_->value());
        settings_->setValue("models/seqLen", seqLen_->value());
    }
    const ModelEntry* e = current();
    if (!e || !e->config) {
        const QString none = e ? tr("— (the model's configuration could not be read)") : QStringLiteral("—");
        trainEstimate_->setText(none);
        chatEstimate_->setText(none);
        fit_->clear();
        return;
    }
    int bytes = dtype_->currentData().toInt();
    const bool asStored = bytes == 0;
    if (asStored) {
        bytes = e->dtype.contains("16") ? 2 : 4;
        if (e->source == "gguf") bytes = 4; // training dequantises GGUF weights
    }
    TrainShape shape;
    shape.batchSize = batch_->value();
    shape.seqLen = seqLen_->value();
    shape.loraRank = rank_->value();
    shape.bytesPerWeight = bytes;
    shape.bytesPerActivation = bytes;
    const MemoryEstimate m = estimateTrainingMemory(*e->config, shape);
    trainEstimate_->setText(
        tr("%1 total = weights %2 + adapter and optimizer %3 + activations %4 + working set "
           "%5 + runtime %6")
            .arg(formatBytes(double(m.total())), formatBytes(double(m.weights)),
                 formatBytes(double(m.trainable)), formatBytes(double(m.activations)),
                 formatBytes(double(m.transient)), formatBytes(double(m.runtime))));
    const int ctx = e->contextLength > 0 ? std::min(seqLen_->value(), e->contextLength) : seqLen_->value();
    ChatMemoryEstimate c = estimateChatMemory(*e->config, e->parameters, bytes, ctx, bytes);
    if (asStored && e->source == "gguf") c.weights = std::uint64_t(e->sizeOnDisk);
    chatEstimate_->setText(tr("%1 total = weights %2 + KV cache %3 (%4 tokens)")
                               .arg(formatBytes(double(c.total())), formatBytes(double(c.weights)),
                                    formatBytes(double(c.kvCache)))
                               .arg(ctx));
    const QString device = settings_ ? settings_->defaultDevice() : QStringLiteral("auto");
    QStringList verdicts;
    bool allFit = true;
    const QJsonObject gpu = chosenGpu(device);
    if (!gpu.isEmpty()) {
        // On a GPU the weights, adapter, optimizer state and activations live in device memory; the CPU-side
        // runtime does not, but the CUDA/HIP context and the allocator's workspace do (~0.5 GiB).
        constexpr std::uint64_t kDeviceContext = std::uint64_t(512) << 20;
        const auto gpuMemory = std::uint64_t(gpu.value("memory_bytes").toDouble());
        const std::uint64_t trainNeed = m.total() - m.runtime + kDeviceContext;
        const std::uint64_t chatNeed = c.total() + kDeviceContext;
        const QString name = QStringLiteral("%1 (%2, %3)")
                                 .arg(gpu.value("torch_device").toString(device),
                                      gpu.value("name").toString(), formatBytes(double(gpuMemory)));
        const bool trainFits = gpuMemory > 0 && trainNeed <= gpuMemory;
        const bool chatFits = gpuMemory > 0 && chatNeed <= gpuMemory;
        allFit = trainFits && chatFits;
        verdicts << (trainFits
                         ? tr("%1: training fits (needs %2).").arg(name, formatBytes(double(trainNeed)))
                         : tr("%1: training needs %2, more than the GPU has: lower the batch size or the "
                              "sequence length, use bf16, or turn on gradient checkpointing.")
                               .arg(name, formatBytes(double(trainNeed))));
        verdicts << (chatFits ? tr("Chat fits on it (needs %1).").arg(formatBytes(double(chatNeed)))
                              : tr("Chat needs %1, more than the GPU has: use a quantised GGUF or a shorter "
                                   "context.")
                                    .arg(formatBytes(double(chatNeed))));
    } else if (device.startsWith(QStringLiteral("cuda"))) {
        allFit = false;
        verdicts
            << tr("%1 is not on this machine (the System page lists the GPUs found): choose another device "
                  "in Settings.")
                   .arg(device);
    } else {
        const MemoryBudget budget = cpuMemoryBudget();
        allFit = m.total() <= budget.available;
        verdicts << (allFit
                         ? tr("CPU: fits (%1 available).").arg(formatBytes(double(budget.available)))
                         : tr("CPU: training needs more than the %1 available (%2): lower the batch size or "
                              "the sequence length, or use bf16.")
                               .arg(formatBytes(double(budget.available)),
                                    QString::fromStdString(budget.limitedBy)));
    }
    fit_->setStyleSheet(allFit ? QString() : QStringLiteral("color: #c02020;"));
    fit_->setText(verdicts.join(QLatin1Char(' ')));
}

void ModelsPage::setDevices(const QJsonArray& devices) {
    devices_ = devices;
    updateEstimate();
}

QJsonObject ModelsPage::chosenGpu(const QString& device) const {
    if (device != QStringLiteral("auto") && !device.startsWith(QStringLiteral("cuda"))) return {};
    for (const auto& v : devices_) {
        const QJsonObject d = v.toObject();
        if (d.value("type").toString() != QStringLiteral("cuda") || !d.value("usable").toBool()) continue;
        if (device == QStringLiteral("auto") || d.value("torch_device").toString() == device) return d;
    }
    return {};
}

void ModelsPage::listFiles() {
    download_->setToken(token_->text().trimmed());
    downloadStatus_->setStyleSheet({});
    downloadStatus_->setText(tr("Asking the hub for the file list…"));
    download_->fetchFileList(modelId_->text(), revision_->text());
}

void ModelsPage::startDownload() {
    QStringList wanted;
    bool any = files_->count() > 0;
    for (int i = 0; i < files_->count(); ++i)
        if (files_->item(i)->checkState() == Qt::Checked)
            wanted << files_->item(i)->data(Qt::UserRole).toString();
    if (any && wanted.isEmpty()) {
        showDownloadError(tr("No file is ticked: tick the files to download."));
        return;
    }
    download_->setToken(token_->text().trimmed());
    downloadButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    progress_->setValue(0);
    speed_->clear();
    downloadStatus_->setStyleSheet({});
    downloadStatus_->setText(tr("Starting…"));
    download_->start(modelId_->text(), revision_->text(), wanted);
}

void ModelsPage::showDownloadError(const QString& message) {
    downloadButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    speed_->clear();
    downloadStatus_->setStyleSheet(QStringLiteral("color: #c02020;"));
    downloadStatus_->setText(message);
}

} // namespace hone::ui
