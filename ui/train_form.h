// The form behind the Train page: every setting of `hone train` (TrainOptions) in groups (model and data,
// LoRA, optimisation, evaluation and checkpoints, device) with tooltips, defaults that follow the model's
// size, validation on every change (TrainOptions::validate's message in red) and a live memory estimate.
// The last values are remembered in Settings.
#pragma once

#include "model/model_config.h"
#include "train/train_options.h"

#include <QString>
#include <QWidget>

#include <cstdint>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace hone {
class Settings;
}

namespace hone::ui {

// Parameters of a model from its shape (embeddings, attention, MLP, norms; tied embeddings counted once).
std::int64_t approxParameterCount(const ModelConfig& c);
// `base` with LoRA rank/alpha, learning rate, batch size, accumulation, checkpointing and sequence length
// chosen for a model of `parameters` parameters and a context of `contextLength` tokens.
TrainOptions defaultsForModelSize(TrainOptions base, std::int64_t parameters, int contextLength);

class TrainForm : public QWidget {
    Q_OBJECT
public:
    // `settings` (may be null) supplies the last used values and the default device and dtype.
    explicit TrainForm(Settings* settings, QWidget* parent = nullptr);
    ~TrainForm() override;

    TrainOptions options() const;
    void setOptions(const TrainOptions& options);
    // Sets the model folder, reads its config.json and applies the defaults for its size.
    void setModel(const QString& modelDir);
    void setDataset(const QString& path, const QString& format, const QString& templateName);

    // "" when the options are valid, else what is wrong and what to do.
    QString validationMessage() const { return validation_; }
    bool isValid() const { return validation_.isEmpty(); }
    // The memory estimate as shown, and its total in bytes (0 while the model is unknown).
    QString memoryText() const;
    std::uint64_t estimatedBytes() const { return estimatedBytes_; }
    // Writes the current values to Settings (the page does it when a run starts; also on destruction).
    void remember();
    // Puts the defaults for the current model's size into the form.
    void applyModelDefaults();

Q_SIGNALS:
    // Any value changed (after validation and the memory estimate were updated).
    void changed();
    void validityChanged(bool valid);

private:
    void buildUi();
    void onChanged();
    void loadModelConfig();
    void updateMemory(const TrainOptions& o);
    QString parseErrors() const;

    Settings* settings_ = nullptr;
    bool loading_ = false;
    QString validation_;
    std::uint64_t estimatedBytes_ = 0;
    std::optional<ModelConfig> modelConfig_;
    QString modelConfigPath_;

    // Model & data.
    QLineEdit* model_ = nullptr;
    QLineEdit* data_ = nullptr;
    QLineEdit* evalData_ = nullptr;
    QLineEdit* initAdapter_ = nullptr;
    QComboBox* format_ = nullptr;
    QComboBox* template_ = nullptr;
    QComboBox* trainOn_ = nullptr;
    QComboBox* truncation_ = nullptr;
    // LoRA.
    QSpinBox* rank_ = nullptr;
    QDoubleSpinBox* alpha_ = nullptr;
    QDoubleSpinBox* dropout_ = nullptr;
    QCheckBox* rslora_ = nullptr;
    QLineEdit* targets_ = nullptr;
    // Optimisation.
    QLineEdit* lr_ = nullptr;
    QComboBox* schedule_ = nullptr;
    QSpinBox* warmup_ = nullptr;
    QDoubleSpinBox* warmupRatio_ = nullptr;
    QDoubleSpinBox* weightDecay_ = nullptr;
    QDoubleSpinBox* beta1_ = nullptr;
    QDoubleSpinBox* beta2_ = nullptr;
    QLineEdit* adamEps_ = nullptr;
    QDoubleSpinBox* maxGradNorm_ = nullptr;
    QSpinBox* epochs_ = nullptr;
    QSpinBox* maxSteps_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QSpinBox* gradAccum_ = nullptr;
    QSpinBox* maxSeqLen_ = nullptr;
    QCheckBox* packing_ = nullptr;
    QCheckBox* checkpointing_ = nullptr;
    QLineEdit* seed_ = nullptr;
    // Evaluation & checkpoints.
    QDoubleSpinBox* evalSplit_ = nullptr;
    QSpinBox* evalEvery_ = nullptr;
    QSpinBox* saveEvery_ = nullptr;
    QSpinBox* keepCheckpoints_ = nullptr;
    // Device.
    QComboBox* device_ = nullptr;
    QComboBox* dtype_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QLineEdit* outDir_ = nullptr;
    QLineEdit* runName_ = nullptr;

    QLabel* modelInfo_ = nullptr;
    QLabel* validationLabel_ = nullptr;
    QLabel* memoryLabel_ = nullptr;
};

} // namespace hone::ui
