// What the Data page shows about a dataset file before training: the detected (or chosen) format, the rows
// as converted examples, every per-line problem (file, conversion, tokenization), token lengths for the
// histogram, and one example rendered with its chat template as token pieces marked trained or not. The
// work runs on a worker thread (QtConcurrent); results come back as signals on the owner's thread.
// Torch-free; Qt Core only.
#pragma once

#include "data/token_dataset.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

namespace hone {

struct DatasetPreviewRequest {
    QString path;
    QString format;       // "" = detect; else alpaca|sharegpt|messages|text|prompt-completion
    QString modelDir;     // tokenizer (+ chat template); "" = rows and problems only, no tokens
    QString templateName; // "" = the model's own, or a built-in: "alpaca", "chatml"
    bool trainOnAll = false;
};

struct PreviewProblem {
    std::size_t line = 0; // 1-based; 0 for the whole file
    QString reason;
};

struct PreviewRow {
    std::size_t line = 0;
    QString kind;     // "conversation", "text", "completion"; "skipped" when the row did not convert
    QString preview;  // its first fields, shortened
    int example = -1; // index into the examples, -1 when skipped
    int tokens = -1;  // token length (special tokens included), -1 when not tokenized
};

struct DatasetPreview {
    QString path;
    // Set when nothing can be shown (missing/unreadable file, no format fits, no row converts): what is
    // wrong and what to do. Rows may still be listed (as skipped) when the format is at fault.
    QString error;
    // Set when rows are fine but tokens cannot be shown (no model chosen, no chat template, bad template).
    QString tokenError;
    QString fileKind;             // "jsonl", "json", "csv"
    QString detectedFormat;       // "" when nothing fits
    QString detectionExplanation; // what detection saw
    double detectionShare = 0;
    QString format; // the format used (the override, else the detected one); "" when none
    bool formatOverridden = false;
    QString templateName; // "model", "alpaca", "chatml"; "" when no conversation needs one
    std::vector<PreviewRow> rows;
    std::vector<PreviewProblem> problems; // file + conversion + tokenization problems and notes, by line
    std::size_t examples = 0;             // converted rows
    bool tokenized = false;

    // Token lengths of the rows that tokenized.
    std::vector<std::size_t> lengths() const;
    // `problems` plus one for every row longer than maxSeqLen (dropped by training), sorted by line.
    std::vector<PreviewProblem> problemsFor(int maxSeqLen) const;
    data::LengthStats lengthStats(int maxSeqLen) const;
    // The row of `line`, or -1.
    int rowOfLine(std::size_t line) const;
};

struct TokenPiece {
    QString text; // the text this token completes when decoding (may be empty for partial characters)
    int id = 0;
    bool trained = false; // a target of the loss
    bool special = false; // a special token (BOS, EOS, <|im_start|>...)
};

struct RenderedExample {
    int example = -1;
    std::size_t line = 0;
    QString error; // why there is nothing to show (the row's problem), or empty
    std::vector<TokenPiece> pieces;
    std::size_t trainedTokens = 0;
};

class DatasetPreviewService : public QObject {
    Q_OBJECT
public:
    explicit DatasetPreviewService(QObject* parent = nullptr);
    ~DatasetPreviewService() override;

    // Starts reading `request` on a worker thread; ends in loaded(). A load or render still running is
    // superseded: its result is dropped.
    void load(const DatasetPreviewRequest& request);
    // Renders example `index` of the last loaded preview on a worker thread; ends in rendered().
    void render(int example);
    // Drops the result of a render still running (the page shows something else now).
    void cancelRender() { ++renderSerial_; }
    bool isLoading() const;
    const DatasetPreview& current() const { return current_; }

    struct State; // the tokenizer, template and examples of a preview (opaque)
    // The synchronous work, callable from any thread (the service runs these on its workers).
    static DatasetPreview buildPreview(const DatasetPreviewRequest& request,
                                       std::shared_ptr<const State>* state = nullptr);
    static RenderedExample renderExample(const State& state, int example);

Q_SIGNALS:
    void loaded(const hone::DatasetPreview& preview);
    void rendered(const hone::RenderedExample& example);

private:
    struct LoadResult;
    DatasetPreview current_;
    std::shared_ptr<const State> state_;
    quint64 generation_ = 0;
    quint64 renderSerial_ = 0;
    int pendingLoads_ = 0;
};

} // namespace hone
