// TrainForm: the widgets for every TrainOptions field, size-based defaults, live validation and the memory
// estimate of the Train page.
#include "ui/train_form.h"

#include "common/json.h"
#include "services/settings.h"
#include "train/memory_estimate.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>

namespace hone::ui {

namespace {

const char* kSettingsKey = "train/lastOptions";

QString bytes(std::uint64_t b) {
    return QLocale().formattedDataSize(static_cast<qint64>(b), 1, QLocale::DataSizeTraditionalFormat);
}

QString num(double v) {
    return QString::number(v, 'g', 6);
}

QString joinTargets(const std::vector<std::string>& t) {
    QStringList l;
    for (const auto& s : t) l << QString::fromStdString(s);
    return l.join(QLatin1Char(','));
}

void setCombo(QComboBox* c, const QString& value) {
    const int i = c->findData(value);
    if (i >= 0)
        c->setCurrentIndex(i);
    else if (c->isEditable())
        c->setCurrentText(value);
}

QString comboValue(const QComboBox* c) {
    const int i = c->currentIndex();
    if (c->isEditable() && (i < 0 || c->currentText() != c->itemText(i))) return c->currentText().trimmed();
    return i >= 0 ? c->itemData(i).toString() : QString();
}

} // namespace

std::int64_t approxParameterCount(const ModelConfig& c) {
    const std::int64_t h = c.hiddenSize, inter = c.intermediateSize, v = c.vocabSize;
    const std::int64_t hd = c.headDim > 0 ? c.headDim : (c.numHeads > 0 ? h / c.numHeads : 0);
    const std::int64_t q = static_cast<std::int64_t>(c.numHeads) * hd;
    const std::int64_t kv = static_cast<std::int64_t>(c.numKvHeads > 0 ? c.numKvHeads : c.numHeads) * hd;
    const std::int64_t attn = h * q + 2 * h * kv + q * h;
    const std::int64_t mlp = 3 * h * inter;
    const std::int64_t perLayer = attn + mlp + 2 * h;
    return v * h * (c.tieEmbeddings ? 1 : 2) + c.numLayers * perLayer + h;
}

TrainOptions defaultsForModelSize(TrainOptions o, std::int64_t parameters, int contextLength) {
    const double b = static_cast<double>(parameters) / 1e9;
    if (parameters < 50'000'000) { // toy and test models: learn fast, small rank
        o.lora.rank = 8;
        o.lr = 1e-3;
        o.batchSize = 8;
        o.gradAccum = 1;
        o.gradientCheckpointing = false;
    } else if (b < 1.5) {
        o.lora.rank = 16;
        o.lr = 2e-4;
        o.batchSize = 4;
        o.gradAccum = 2;
        o.gradientCheckpointing = false;
    } else if (b < 4) {
        o.lora.rank = 16;
        o.lr = 2e-4;
        o.batchSize = 2;
        o.gradAccum = 4;
        o.gradientCheckpointing = true;
    } else if (b < 10) {
        o.lora.rank = 16;
        o.lr = 1e-4;
        o.batchSize = 1;
        o.gradAccum = 8;
        o.gradientCheckpointing = true;
    } else {
        o.lora.rank = 8;
        o.lr = 1e-4;
        o.batchSize = 1;
        o.gradAccum = 16;
        o.gradientCheckpointing = true;
    }
    o.lora.alpha = 2.0 * o.lora.rank;
    const int cap = b < 4 ? 2048 : 1024;
    if (contextLength > 0) o.maxSeqLen = std::min(cap, contextLength);
    return o;
}

TrainForm::TrainForm(Settings* settings, QWidget* parent)
    : QWidget(parent)
    , settings_(settings) {
    buildUi();
    TrainOptions o;
    if (settings_) {
        o.device = settings_->defaultDevice().toStdString();
        o.dtype = settings_->defaultDtype().toStdString();
        const QString saved = settings_->value(QString::fromLatin1(kSettingsKey)).toString();
        if (!saved.isEmpty()) {
            try {
                o = TrainOptions::fromJson(Json::parse(saved.toStdString()), "settings");
            } catch (const std::exception&) {
                // Settings of an older version: start from the defaults.
            }
        }
    }
    o.outDir.clear(); // a new run gets a new folder
    setOptions(o);
}

TrainForm::~TrainForm() {
    remember();
}

void TrainForm::buildUi() {
    auto lineEdit = [this](const QString& name, const QString& tip) {
        auto* e = new QLineEdit(this);
        e->setObjectName(name);
        e->setToolTip(tip);
        connect(e, &QLineEdit::textChanged, this, &TrainForm::onChanged);
        return e;
    };
    auto spin = [this](const QString& name, int lo, int hi, const QString& tip) {
        auto* s = new QSpinBox(this);
        s->setObjectName(name);
        s->setRange(lo, hi);
        s->setToolTip(tip);
        s->setKeyboardTracking(true);
        connect(s, &QSpinBox::valueChanged, this, &TrainForm::onChanged);
        return s;
    };
    auto dspin = [this](const QString& name, double lo, double hi, int decimals, double step,
                        const QString& tip) {
        auto* s = new QDoubleSpinBox(this);
        s->setObjectName(name);
        s->setRange(lo, hi);
        s->setDecimals(decimals);
        s->setSingleStep(step);
        s->setToolTip(tip);
        connect(s, &QDoubleSpinBox::valueChanged, this, &TrainForm::onChanged);
        return s;
    };
    auto combo = [this](const QString& name, const QList<QPair<QString, QString>>& items, bool editable,
                        const QString& tip) {
        auto* c = new QComboBox(this);
        c->setObjectName(name);
        for (const auto& [label, value] : items) c->addItem(label, value);
        c->setEditable(editable);
        c->setToolTip(tip);
        connect(c, &QComboBox::currentTextChanged, this, &TrainForm::onChanged);
        return c;
    };
    auto check = [this](const QString& name, const QString& text, const QString& tip) {
        auto* c = new QCheckBox(text, this);
        c->setObjectName(name);
        c->setToolTip(tip);
        connect(c, &QCheckBox::toggled, this, &TrainForm::onChanged);
        return c;
    };
    auto withBrowse = [this](QLineEdit* edit, bool folder) {
        auto* row = new QWidget(this);
        auto* l = new QHBoxLayout(row);
        l->setContentsMargins(0, 0, 0, 0);
        l->addWidget(edit, 1);
        auto* b = new QPushButton(tr("Browse…"), row);
        b->setObjectName(edit->objectName() + QStringLiteral("Browse"));
        connect(b, &QPushButton::clicked, this, [this, edit, folder] {
            const QString p =
                folder ? QFileDialog::getExistingDirectory(this, tr("Choose a folder"), edit->text())
                       : QFileDialog::getOpenFileName(this, tr("Choose a file"), edit->text());
            if (!p.isEmpty()) edit->setText(p);
        });
        l->addWidget(b);
        return row;
    };

    // Model & data.
    model_ = lineEdit(QStringLiteral("modelEdit"),
                      tr("Hugging Face model folder: config.json, *.safetensors and tokenizer.json"));
    connect(model_, &QLineEdit::editingFinished, this, [this] {
        loadModelConfig();
        onChanged();
    });
    data_ = lineEdit(QStringLiteral("dataEdit"), tr("Training data: a JSONL, JSON or CSV file"));
    evalData_ =
        lineEdit(QStringLiteral("evalDataEdit"),
                 tr("Optional separate validation file; without it, Eval split holds out a fraction"));
    initAdapter_ =
        lineEdit(QStringLiteral("initAdapterEdit"),
                 tr("Optional: a PEFT adapter folder or a run folder whose adapter the LoRA starts "
                    "from (train further). Its rank, alpha, targets and template replace the ones "
                    "below; the optimizer starts fresh"));
    format_ = combo(QStringLiteral("formatCombo"),
                    {{tr("detect"), QString()},
                     {QStringLiteral("alpaca"), QStringLiteral("alpaca")},
                     {QStringLiteral("sharegpt"), QStringLiteral("sharegpt")},
                     {QStringLiteral("messages"), QStringLiteral("messages")},
                     {QStringLiteral("text"), QStringLiteral("text")},
                     {QStringLiteral("prompt-completion"), QStringLiteral("prompt-completion")}},
                    false, tr("How the dataset's records are laid out; 'detect' looks at the first records"));
    template_ = combo(QStringLiteral("templateCombo"),
                      {{tr("model's chat template"), QString()},
                       {QStringLiteral("alpaca"), QStringLiteral("alpaca")},
                       {QStringLiteral("chatml"), QStringLiteral("chatml")}},
                      true,
                      tr("The prompt format examples are rendered in; models without a chat template need a "
                         "built-in one"));
    trainOn_ = combo(QStringLiteral("trainOnCombo"),
                     {{tr("auto"), QStringLiteral("auto")},
                      {tr("assistant replies"), QStringLiteral("assistant")},
                      {tr("all tokens"), QStringLiteral("all")}},
                     false,
                     tr("Which tokens count in the loss: 'auto' trains on assistant replies of chat data and "
                        "on everything for plain text"));
    truncation_ = combo(QStringLiteral("truncationCombo"),
                        {{tr("drop long examples"), QStringLiteral("drop")},
                         {tr("cut at the right"), QStringLiteral("right")}},
                        false, tr("What happens to examples longer than Max sequence length"));

    // LoRA.
    rank_ = spin(QStringLiteral("rankSpin"), 0, 1024,
                 tr("LoRA rank r: the adapter's capacity. 8–64 is typical; larger needs more memory"));
    alpha_ = dspin(QStringLiteral("alphaSpin"), 0, 4096, 2, 1,
                   tr("LoRA alpha: the update is scaled by alpha / r (alpha / sqrt(r) with rsLoRA); 2·r is a "
                      "common choice"));
    dropout_ = dspin(QStringLiteral("dropoutSpin"), 0, 0.99, 3, 0.05,
                     tr("Dropout on the adapter's input, in [0, 1); 0 to 0.1 is typical"));
    rslora_ = check(QStringLiteral("rsloraCheck"), tr("rank-stabilised scaling (rsLoRA)"),
                    tr("Scale by alpha / sqrt(r): keeps large ranks learning"));
    targets_ = lineEdit(QStringLiteral("targetsEdit"),
                        tr("Comma-separated projections that get LoRA (q_proj, k_proj, v_proj, o_proj, "
                           "gate_proj, up_proj, down_proj) or all-linear"));

    // Optimisation.
    lr_ = lineEdit(QStringLiteral("lrEdit"),
                   tr("Peak learning rate of AdamW, e.g. 2e-4; 1e-4 to 3e-4 is typical for LoRA"));
    schedule_ = combo(QStringLiteral("scheduleCombo"),
                      {{tr("linear decay"), QStringLiteral("linear")},
                       {tr("cosine"), QStringLiteral("cosine")},
                       {tr("constant"), QStringLiteral("constant")}},
                      false, tr("How the learning rate falls after warm-up"));
    warmup_ = spin(QStringLiteral("warmupSpin"), 0, 1'000'000, tr("Warm-up steps; 0 uses Warm-up ratio"));
    warmupRatio_ = dspin(QStringLiteral("warmupRatioSpin"), 0, 0.99, 3, 0.01,
                         tr("Fraction of the steps spent warming up, when Warm-up steps is 0"));
    weightDecay_ = dspin(QStringLiteral("weightDecaySpin"), 0, 10, 4, 0.01, tr("AdamW weight decay"));
    beta1_ = dspin(QStringLiteral("beta1Spin"), 0, 0.9999, 4, 0.01, tr("AdamW beta1, in [0, 1)"));
    beta2_ = dspin(QStringLiteral("beta2Spin"), 0, 0.9999, 4, 0.001, tr("AdamW beta2, in [0, 1)"));
    adamEps_ = lineEdit(QStringLiteral("adamEpsEdit"), tr("AdamW epsilon, e.g. 1e-8"));
    maxGradNorm_ = dspin(QStringLiteral("maxGradNormSpin"), 0, 1000, 3, 0.1,
                         tr("Gradient clipping by global norm; 0 turns clipping off"));
    epochs_ = spin(QStringLiteral("epochsSpin"), 0, 1000, tr("Passes over the training data"));
    maxSteps_ = spin(QStringLiteral("maxStepsSpin"), 0, 100'000'000,
                     tr("Optimizer steps to train; more than 0 overrides Epochs"));
    batch_ = spin(QStringLiteral("batchSpin"), 0, 4096, tr("Examples per micro-batch; memory grows with it"));
    gradAccum_ = spin(QStringLiteral("gradAccumSpin"), 0, 4096,
                      tr("Micro-batches per optimizer step: a larger effective batch without more memory"));
    maxSeqLen_ = spin(QStringLiteral("maxSeqLenSpin"), 0, 1'048'576,
                      tr("Longest example in tokens; memory grows with it"));
    packing_ = check(QStringLiteral("packingCheck"), tr("pack examples"),
                     tr("Concatenate short examples into full-length sequences (faster on short data)"));
    checkpointing_ = check(QStringLiteral("checkpointingCheck"), tr("gradient checkpointing"),
                           tr("Recompute activations in the backward pass: much less memory, about a third "
                              "slower"));
    seed_ = lineEdit(QStringLiteral("seedEdit"), tr("Random seed of shuffling, dropout and initialisation"));

    // Evaluation & checkpoints.
    evalSplit_ = dspin(QStringLiteral("evalSplitSpin"), 0, 0.99, 3, 0.05,
                       tr("Fraction of the data held out for validation when there is no validation file"));
    evalEvery_ = spin(QStringLiteral("evalEverySpin"), 0, 100'000'000,
                      tr("Validate every N steps; 0 only at the end"));
    saveEvery_ = spin(QStringLiteral("saveEverySpin"), 0, 100'000'000,
                      tr("Save a checkpoint every N steps; 0 only on stop and at the end"));
    keepCheckpoints_ =
        spin(QStringLiteral("keepCheckpointsSpin"), 0, 1000, tr("Newest checkpoints kept; 0 keeps all"));

    // Device.
    device_ = combo(QStringLiteral("deviceCombo"),
                    {{tr("auto"), QStringLiteral("auto")},
                     {QStringLiteral("cpu"), QStringLiteral("cpu")},
                     {QStringLiteral("cuda"), QStringLiteral("cuda")}},
                    true, tr("auto uses the first GPU, else the CPU; cuda:N picks a GPU"));
    dtype_ = combo(QStringLiteral("dtypeCombo"),
                   {{tr("auto"), QStringLiteral("auto")},
                    {QStringLiteral("f32"), QStringLiteral("f32")},
                    {QStringLiteral("bf16"), QStringLiteral("bf16")},
                    {QStringLiteral("f16"), QStringLiteral("f16")}},
                   false, tr("Compute type: auto is bf16 on GPUs that have it, else f32"));
    threads_ = spin(QStringLiteral("threadsSpin"), 0, 1024, tr("CPU threads; 0 uses all cores"));
    outDir_ = lineEdit(QStringLiteral("outDirEdit"),
                       tr("The run folder; empty makes a new one under the data folder's runs/"));
    runName_ = lineEdit(QStringLiteral("runNameEdit"), tr("A name to find the run by"));

    auto group = [this](const QString& title, const QList<QPair<QString, QWidget*>>& rows) {
        auto* g = new QGroupBox(title, this);
        auto* f = new QFormLayout(g);
        f->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
        for (const auto& [label, w] : rows) {
            if (label.isEmpty())
                f->addRow(w);
            else
                f->addRow(label, w);
        }
        return g;
    };

    modelInfo_ = new QLabel(this);
    modelInfo_->setObjectName(QStringLiteral("modelInfoLabel"));
    modelInfo_->setWordWrap(true);
    auto* defaultsButton = new QPushButton(tr("Defaults for this model"), this);
    defaultsButton->setObjectName(QStringLiteral("modelDefaultsButton"));
    defaultsButton->setToolTip(
        tr("Rank, learning rate, batch size and sequence length for the model's size"));
    connect(defaultsButton, &QPushButton::clicked, this, &TrainForm::applyModelDefaults);

    auto* content = new QWidget(this);
    auto* cl = new QVBoxLayout(content);
    cl->addWidget(group(tr("Model && data"), {{tr("Model"), withBrowse(model_, true)},
                                              {QString(), modelInfo_},
                                              {QString(), defaultsButton},
                                              {tr("Dataset"), withBrowse(data_, false)},
                                              {tr("Validation file"), withBrowse(evalData_, false)},
                                              {tr("Format"), format_},
                                              {tr("Template"), template_},
                                              {tr("Train on"), trainOn_},
                                              {tr("Too long"), truncation_}}));
    cl->addWidget(group(tr("LoRA"), {{tr("Start from adapter"), withBrowse(initAdapter_, true)},
                                     {tr("Rank"), rank_},
                                     {tr("Alpha"), alpha_},
                                     {tr("Dropout"), dropout_},
                                     {QString(), rslora_},
                                     {tr("Targets"), targets_}}));
    cl->addWidget(group(tr("Optimisation"), {{tr("Learning rate"), lr_},
                                             {tr("Schedule"), schedule_},
                                             {tr("Warm-up steps"), warmup_},
                                             {tr("Warm-up ratio"), warmupRatio_},
                                             {tr("Weight decay"), weightDecay_},
                                             {tr("Adam beta1"), beta1_},
                                             {tr("Adam beta2"), beta2_},
                                             {tr("Adam epsilon"), adamEps_},
                                             {tr("Max gradient norm"), maxGradNorm_},
                                             {tr("Epochs"), epochs_},
                                             {tr("Max steps"), maxSteps_},
                                             {tr("Batch size"), batch_},
                                             {tr("Gradient accumulation"), gradAccum_},
                                             {tr("Max sequence length"), maxSeqLen_},
                                             {QString(), packing_},
                                             {QString(), checkpointing_},
                                             {tr("Seed"), seed_}}));
    cl->addWidget(group(tr("Evaluation && checkpoints"), {{tr("Eval split"), evalSplit_},
                                                          {tr("Evaluate every"), evalEvery_},
                                                          {tr("Save every"), saveEvery_},
                                                          {tr("Keep checkpoints"), keepCheckpoints_}}));
    cl->addWidget(group(tr("Device"), {{tr("Device"), device_},
                                       {tr("Data type"), dtype_},
                                       {tr("CPU threads"), threads_},
                                       {tr("Run folder"), withBrowse(outDir_, true)},
                                       {tr("Run name"), runName_}}));
    cl->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    validationLabel_ = new QLabel(this);
    validationLabel_->setObjectName(QStringLiteral("validationLabel"));
    validationLabel_->setWordWrap(true);
    validationLabel_->setStyleSheet(QStringLiteral("color: #c62828;"));
    validationLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    memoryLabel_ = new QLabel(this);
    memoryLabel_->setObjectName(QStringLiteral("memoryLabel"));
    memoryLabel_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll, 1);
    layout->addWidget(validationLabel_);
    layout->addWidget(memoryLabel_);
}

QString TrainForm::parseErrors() const {
    bool ok = false;
    lr_->text().trimmed().toDouble(&ok);
    if (!ok) return tr("the learning rate '%1' is not a number; write it like 2e-4").arg(lr_->text());
    adamEps_->text().trimmed().toDouble(&ok);
    if (!ok) return tr("Adam epsilon '%1' is not a number; write it like 1e-8").arg(adamEps_->text());
    seed_->text().trimmed().toULongLong(&ok);
    if (!ok) return tr("the seed '%1' must be a whole number of 0 or more").arg(seed_->text());
    return {};
}

TrainOptions TrainForm::options() const {
    TrainOptions o;
    o.modelPath = model_->text().trimmed().toStdString();
    o.dataPath = data_->text().trimmed().toStdString();
    o.evalDataPath = evalData_->text().trimmed().toStdString();
    o.initAdapter = initAdapter_->text().trimmed().toStdString();
    o.format = comboValue(format_).toStdString();
    o.templateName = comboValue(template_).toStdString();
    o.trainOn = comboValue(trainOn_).toStdString();
    o.truncation = comboValue(truncation_).toStdString();
    o.lora.rank = rank_->value();
    o.lora.alpha = alpha_->value();
    o.lora.dropout = dropout_->value();
    o.lora.rslora = rslora_->isChecked();
    o.lora.targets = parseLoraTargets(targets_->text().remove(QLatin1Char(' ')).toStdString());
    o.lr = lr_->text().trimmed().toDouble();
    o.schedule = comboValue(schedule_).toStdString();
    o.warmupSteps = warmup_->value();
    o.warmupRatio = warmupRatio_->value();
    o.weightDecay = weightDecay_->value();
    o.beta1 = beta1_->value();
    o.beta2 = beta2_->value();
    o.adamEps = adamEps_->text().trimmed().toDouble();
    o.maxGradNorm = maxGradNorm_->value();
    o.epochs = epochs_->value();
    o.maxSteps = maxSteps_->value();
    o.batchSize = batch_->value();
    o.gradAccum = gradAccum_->value();
    o.maxSeqLen = maxSeqLen_->value();
    o.packing = packing_->isChecked();
    o.gradientCheckpointing = checkpointing_->isChecked();
    o.seed = seed_->text().trimmed().toULongLong();
    o.evalSplit = evalSplit_->value();
    o.evalEvery = evalEvery_->value();
    o.saveEvery = saveEvery_->value();
    o.keepCheckpoints = keepCheckpoints_->value();
    o.device = comboValue(device_).toStdString();
    o.dtype = comboValue(dtype_).toStdString();
    o.threads = threads_->value();
    o.outDir = outDir_->text().trimmed().toStdString();
    o.runName = runName_->text().trimmed().toStdString();
    return o;
}

void TrainForm::setOptions(const TrainOptions& o) {
    loading_ = true;
    auto q = [](const std::string& s) { return QString::fromStdString(s); };
    model_->setText(q(o.modelPath));
    data_->setText(q(o.dataPath));
    evalData_->setText(q(o.evalDataPath));
    initAdapter_->setText(q(o.initAdapter));
    setCombo(format_, q(o.format));
    setCombo(template_, q(o.templateName));
    setCombo(trainOn_, q(o.trainOn));
    setCombo(truncation_, q(o.truncation));
    rank_->setValue(o.lora.rank);
    alpha_->setValue(o.lora.alpha);
    dropout_->setValue(o.lora.dropout);
    rslora_->setChecked(o.lora.rslora);
    targets_->setText(joinTargets(o.lora.targets));
    lr_->setText(num(o.lr));
    setCombo(schedule_, q(o.schedule));
    warmup_->setValue(static_cast<int>(std::min<std::int64_t>(o.warmupSteps, warmup_->maximum())));
    warmupRatio_->setValue(o.warmupRatio);
    weightDecay_->setValue(o.weightDecay);
    beta1_->setValue(o.beta1);
    beta2_->setValue(o.beta2);
    adamEps_->setText(num(o.adamEps));
    maxGradNorm_->setValue(o.maxGradNorm);
    epochs_->setValue(o.epochs);
    maxSteps_->setValue(static_cast<int>(std::min<std::int64_t>(o.maxSteps, maxSteps_->maximum())));
    batch_->setValue(o.batchSize);
    gradAccum_->setValue(o.gradAccum);
    maxSeqLen_->setValue(o.maxSeqLen);
    packing_->setChecked(o.packing);
    checkpointing_->setChecked(o.gradientCheckpointing);
    seed_->setText(QString::number(o.seed));
    evalSplit_->setValue(o.evalSplit);
    evalEvery_->setValue(static_cast<int>(std::min<std::int64_t>(o.evalEvery, evalEvery_->maximum())));
    saveEvery_->setValue(static_cast<int>(std::min<std::int64_t>(o.saveEvery, saveEvery_->maximum())));
    keepCheckpoints_->setValue(o.keepCheckpoints);
    setCombo(device_, q(o.device));
    setCombo(dtype_, q(o.dtype));
    threads_->setValue(o.threads);
    outDir_->setText(q(o.outDir));
    runName_->setText(q(o.runName));
    loading_ = false;
    loadModelConfig();
    onChanged();
}

void TrainForm::setModel(const QString& modelDir) {
    loading_ = true;
    model_->setText(modelDir);
    loading_ = false;
    loadModelConfig();
    if (modelConfig_) {
        applyModelDefaults();
    } else {
        onChanged();
    }
}

void TrainForm::setDataset(const QString& path, const QString& format, const QString& templateName) {
    loading_ = true;
    data_->setText(path);
    setCombo(format_, format);
    setCombo(template_, templateName);
    loading_ = false;
    onChanged();
}

void TrainForm::applyModelDefaults() {
    if (!modelConfig_) return;
    const TrainOptions o =
        defaultsForModelSize(options(), approxParameterCount(*modelConfig_), modelConfig_->contextLength());
    setOptions(o);
}

void TrainForm::loadModelConfig() {
    const QString dir = model_->text().trimmed();
    if (dir == modelConfigPath_ && (modelConfig_ || dir.isEmpty())) return;
    modelConfigPath_ = dir;
    modelConfig_.reset();
    if (dir.isEmpty()) {
        modelInfo_->setText(tr("Choose a model folder."));
        return;
    }
    try {
        // config.json is a few kilobytes: read on the GUI thread.
        modelConfig_ = loadHfConfig(dir.toStdString());
        const double params = static_cast<double>(approxParameterCount(*modelConfig_));
        const QString size = params >= 1e9   ? tr("%1 B").arg(params / 1e9, 0, 'f', 1)
                             : params >= 1e6 ? tr("%1 M").arg(params / 1e6, 0, 'f', 1)
                                             : tr("%1 K").arg(params / 1e3, 0, 'f', 0);
        modelInfo_->setText(tr("%1, about %2 parameters, %3 layers, context %4 tokens")
                                .arg(QString::fromStdString(modelConfig_->modelType), size)
                                .arg(modelConfig_->numLayers)
                                .arg(modelConfig_->contextLength()));
    } catch (const std::exception& e) {
        modelInfo_->setText(tr("Cannot read the model's configuration: %1").arg(QString::fromUtf8(e.what())));
    }
}

void TrainForm::onChanged() {
    if (loading_) return;
    const bool wasValid = validation_.isEmpty();
    const TrainOptions o = options();
    QString message = parseErrors();
    if (message.isEmpty()) {
        try {
            o.validate();
        } catch (const std::exception& e) {
            message = QString::fromUtf8(e.what());
        }
    }
    validation_ = message;
    validationLabel_->setText(message);
    validationLabel_->setVisible(!message.isEmpty());
    updateMemory(o);
    if (wasValid != validation_.isEmpty()) Q_EMIT validityChanged(validation_.isEmpty());
    Q_EMIT changed();
}

void TrainForm::updateMemory(const TrainOptions& o) {
    estimatedBytes_ = 0;
    if (!modelConfig_) {
        memoryLabel_->setText(tr("Memory estimate: choose a model to see it."));
        memoryLabel_->setStyleSheet(QString());
        return;
    }
    TrainShape shape;
    shape.batchSize = std::max(1, o.batchSize);
    shape.seqLen = std::max(2, std::min(o.maxSeqLen, modelConfig_->contextLength()));
    shape.loraRank = std::max(1, o.lora.rank);
    try {
        shape.loraTargetsPerLayer = static_cast<int>(o.lora.expandedTargets().size());
    } catch (const std::exception&) {
    }
    shape.bytesPerWeight = shape.bytesPerActivation = (o.dtype == "bf16" || o.dtype == "f16") ? 2 : 4;
    shape.checkpointing = o.gradientCheckpointing;
    const MemoryEstimate est = estimateTrainingMemory(*modelConfig_, shape);
    estimatedBytes_ = est.total();
    QString text = tr("Memory estimate: up to %1 (weights %2, adapter and optimizer %3, activations %4) at "
                      "%5 tokens × batch %6")
                       .arg(bytes(est.total()), bytes(est.weights), bytes(est.trainable),
                            bytes(est.activations + est.transient))
                       .arg(shape.seqLen)
                       .arg(shape.batchSize);
    bool tooBig = false;
    if (o.device == "cpu" || o.device == "auto") {
        const MemoryBudget budget = cpuMemoryBudget();
        if (budget.available > 0) {
            text += tr("; %1 available").arg(bytes(budget.available));
            tooBig = est.total() > budget.available;
            if (tooBig)
                text += tr(" — does not fit in CPU memory: lower the batch size or the sequence length, or "
                           "turn on gradient checkpointing");
        }
    }
    memoryLabel_->setText(text);
    memoryLabel_->setStyleSheet(tooBig ? QStringLiteral("color: #c62828;") : QString());
}

QString TrainForm::memoryText() const {
    return memoryLabel_->text();
}

void TrainForm::remember() {
    if (!settings_) return;
    TrainOptions o = options();
    o.outDir.clear();
    if (!parseErrors().isEmpty()) return;
    settings_->setValue(QString::fromLatin1(kSettingsKey), QString::fromStdString(o.toJson().dump()));
}

} // namespace hone::ui
