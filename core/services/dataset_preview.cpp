// Implementation of the dataset preview: the same read/detect/convert/tokenize steps as training's data
// preparation (core/train/trainer.cpp), but keeping every row and every problem for the Data page.
#include "services/dataset_preview.h"

#include "chat/template.h"
#include "common/error.h"
#include "data/builtin_templates.h"
#include "data/dataset_file.h"
#include "data/dataset_format.h"
#include "tokenizer/tokenizer.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <unordered_map>

namespace hone {

struct DatasetPreviewService::State {
    std::optional<tok::Tokenizer> tokenizer;
    std::unique_ptr<jinja::Template> chatTemplate;
    std::vector<data::Example> examples;
    std::vector<QString> exampleProblems; // per example: why it did not tokenize, or empty
    data::TokenizeOptions options;
};

struct DatasetPreviewService::LoadResult {
    quint64 generation = 0;
    DatasetPreview preview;
    std::shared_ptr<const State> state;
};

namespace {

// Effectively unlimited: lengths are measured whole, the max length is applied by the page (problemsFor).
constexpr int kMeasureAll = 1 << 30;

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QString kindName(data::Example::Kind k) {
    switch (k) {
    case data::Example::Kind::Conversation:
        return QStringLiteral("conversation");
    case data::Example::Kind::Text:
        return QStringLiteral("text");
    case data::Example::Kind::Completion:
        return QStringLiteral("completion");
    }
    return {};
}

QString shortValue(const Json& v) {
    QString s = v.is_string() ? q(v.get<std::string>()) : q(v.dump());
    s.replace(QLatin1Char('\n'), QStringLiteral(" ⏎ "));
    if (s.size() > 60) s = s.left(59) + QStringLiteral("…");
    return s;
}

// The record's fields as "key: value | ...", the fields formats are recognised by first.
QString recordPreview(const Json& v) {
    if (!v.is_object()) return shortValue(v);
    static const char* preferred[] = {"system",     "instruction", "input",         "output", "prompt",
                                      "completion", "messages",    "conversations", "text"};
    std::vector<std::string> keys;
    for (const char* k : preferred)
        if (v.contains(k)) keys.emplace_back(k);
    for (auto it = v.begin(); it != v.end(); ++it)
        if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
    QStringList parts;
    for (const auto& k : keys) parts << q(k) + QStringLiteral(": ") + shortValue(v.at(k));
    QString s = parts.join(QStringLiteral(" | "));
    if (s.size() > 200) s = s.left(199) + QStringLiteral("…");
    return s;
}

void sortByLine(std::vector<PreviewProblem>& p) {
    std::stable_sort(p.begin(), p.end(),
                     [](const PreviewProblem& a, const PreviewProblem& b) { return a.line < b.line; });
}

} // namespace

std::vector<std::size_t> DatasetPreview::lengths() const {
    std::vector<std::size_t> out;
    for (const auto& r : rows)
        if (r.tokens >= 0) out.push_back(std::size_t(r.tokens));
    return out;
}

std::vector<PreviewProblem> DatasetPreview::problemsFor(int maxSeqLen) const {
    std::vector<PreviewProblem> out = problems;
    for (const auto& r : rows)
        if (r.tokens > maxSeqLen)
            out.push_back(
                {r.line, QStringLiteral("%1 tokens, longer than the maximum sequence length %2 (raise "
                                        "it, or truncate instead of dropping)")
                             .arg(r.tokens)
                             .arg(maxSeqLen)});
    sortByLine(out);
    return out;
}

data::LengthStats DatasetPreview::lengthStats(int maxSeqLen) const {
    return data::computeLengthStats(lengths(), std::size_t(std::max(0, maxSeqLen)));
}

int DatasetPreview::rowOfLine(std::size_t line) const {
    const auto it = std::lower_bound(rows.begin(), rows.end(), line,
                                     [](const PreviewRow& r, std::size_t l) { return r.line < l; });
    return it != rows.end() && it->line == line ? int(it - rows.begin()) : -1;
}

DatasetPreview DatasetPreviewService::buildPreview(const DatasetPreviewRequest& request,
                                                   std::shared_ptr<const State>* stateOut) {
    DatasetPreview p;
    p.path = request.path;
    auto state = std::make_shared<State>();
    data::RawDataset raw;
    try {
        raw = data::readDatasetFile(request.path.toStdString());
    } catch (const std::exception& e) {
        p.error = QObject::tr("Cannot read this file: %1").arg(q(e.what()));
        return p;
    }
    p.fileKind = q(data::fileKindName(raw.kind));
    const auto det = data::detectFormat(raw);
    p.detectedFormat = det.format ? q(data::formatName(*det.format)) : QString();
    p.detectionExplanation = q(det.explanation);
    p.detectionShare = det.share;

    std::optional<data::DatasetFormat> format = det.format;
    if (!request.format.isEmpty()) {
        try {
            format = data::parseFormatName(request.format.toStdString());
            p.formatOverridden = true;
        } catch (const std::exception& e) {
            p.error = q(e.what());
            return p;
        }
    }
    auto listRecordsAsSkipped = [&] {
        for (const auto& r : raw.records)
            p.rows.push_back({r.line, QStringLiteral("skipped"), recordPreview(r.value)});
        for (const auto& pr : raw.problems) p.problems.push_back({pr.line, q(pr.reason)});
    };
    if (!format) {
        listRecordsAsSkipped();
        sortByLine(p.problems);
        p.error =
            QObject::tr("Cannot tell the format of this file (%1). Choose its format in the Format box.")
                .arg(p.detectionExplanation);
        return p;
    }
    p.format = q(data::formatName(*format));

    data::Conversion conv = data::convert(raw, *format);
    for (const auto& pr : conv.problems) p.problems.push_back({pr.line, q(pr.reason)});
    std::unordered_map<std::size_t, int> exampleOfLine;
    for (std::size_t i = 0; i < conv.examples.size(); ++i) exampleOfLine[conv.examples[i].line] = int(i);
    for (const auto& r : raw.records) {
        PreviewRow row{r.line, QStringLiteral("skipped"), recordPreview(r.value)};
        if (auto it = exampleOfLine.find(r.line); it != exampleOfLine.end()) {
            row.example = it->second;
            row.kind = kindName(conv.examples[std::size_t(it->second)].kind);
        }
        p.rows.push_back(std::move(row));
    }
    std::sort(p.rows.begin(), p.rows.end(),
              [](const PreviewRow& a, const PreviewRow& b) { return a.line < b.line; });
    p.examples = conv.examples.size();
    if (conv.examples.empty()) {
        sortByLine(p.problems);
        QString why;
        for (const auto& pr : p.problems)
            if (pr.line > 0) {
                why = QObject::tr("line %1: %2").arg(pr.line).arg(pr.reason);
                break;
            }
        QString hint = p.detectedFormat.isEmpty() || p.detectedFormat == p.format
                           ? QObject::tr("Check the file.")
                           : QObject::tr("It looks like %1: choose that (or Auto) in the Format box.")
                                 .arg(p.detectedFormat);
        p.error = QObject::tr("No row of this file is usable as %1 (%2). %3")
                      .arg(p.format, why.isEmpty() ? QObject::tr("no rows") : why, hint);
        return p;
    }

    // Tokenizer and template, chosen as training chooses them.
    const bool conversations =
        std::any_of(conv.examples.begin(), conv.examples.end(),
                    [](const data::Example& e) { return e.kind == data::Example::Kind::Conversation; });
    state->examples = std::move(conv.examples);
    state->options.trainOn = request.trainOnAll ? data::TrainOn::All : data::TrainOn::AssistantOnly;
    state->options.truncation = data::Truncation::Drop;
    state->options.maxSeqLen = kMeasureAll;
    if (request.modelDir.isEmpty()) {
        p.tokenError = QObject::tr("Choose a model to see tokens, lengths and what is trained on.");
    } else {
        try {
            auto tokenizer = tok::Tokenizer::load(request.modelDir.toStdString());
            if (conversations) {
                std::string source;
                if (!request.templateName.isEmpty() && request.templateName != QLatin1String("model")) {
                    const auto& b = data::builtinTemplate(request.templateName.toStdString());
                    p.templateName = q(b.name);
                    source = b.jinja;
                    if (!b.newSpecialTokens.empty())
                        tokenizer = tokenizer.withAddedTokens(b.newSpecialTokens, true);
                } else {
                    p.templateName = QStringLiteral("model");
                    source = tokenizer.chatTemplate();
                    if (source.empty())
                        throw Error(
                            QObject::tr("%1 has no chat template; choose one in the Template box: alpaca "
                                        "(plain text, works with any model's tokens) or chatml (adds "
                                        "<|im_start|>/<|im_end|> tokens)")
                                .arg(QFileInfo(request.modelDir).fileName())
                                .toStdString());
                }
                state->chatTemplate = std::make_unique<jinja::Template>(source);
            }
            state->tokenizer = std::move(tokenizer);
        } catch (const std::exception& e) {
            p.tokenError = q(e.what());
        }
    }
    if (state->tokenizer) {
        try {
            auto td = data::tokenizeExamples(state->examples, *state->tokenizer, state->chatTemplate.get(),
                                             state->options);
            std::unordered_map<std::size_t, std::size_t> lengthOfLine;
            for (const auto& ex : td.examples) lengthOfLine[ex.line] = ex.ids.size();
            state->exampleProblems.resize(state->examples.size());
            std::unordered_map<std::size_t, QString> problemOfLine;
            for (const auto& pr : td.problems) {
                p.problems.push_back({pr.line, q(pr.reason)});
                problemOfLine[pr.line] = q(pr.reason);
            }
            for (const auto& n : td.notes)
                p.problems.push_back({n.line, QObject::tr("note: %1").arg(q(n.reason))});
            for (std::size_t i = 0; i < state->examples.size(); ++i)
                if (auto it = problemOfLine.find(state->examples[i].line); it != problemOfLine.end())
                    state->exampleProblems[i] = it->second;
            for (auto& r : p.rows)
                if (auto it = lengthOfLine.find(r.line); r.example >= 0 && it != lengthOfLine.end())
                    r.tokens = int(it->second);
            p.tokenized = true;
        } catch (const std::exception& e) {
            p.tokenError = q(e.what());
            state->tokenizer.reset();
        }
    }
    sortByLine(p.problems);
    if (stateOut) *stateOut = std::move(state);
    return p;
}

RenderedExample DatasetPreviewService::renderExample(const State& state, int example) {
    RenderedExample r;
    r.example = example;
    if (example < 0 || std::size_t(example) >= state.examples.size()) {
        r.error = QObject::tr("This row was not converted, so there is nothing to render.");
        return r;
    }
    const auto& ex = state.examples[std::size_t(example)];
    r.line = ex.line;
    if (!state.tokenizer) {
        r.error = QObject::tr("No tokenizer: choose a model (and a template) to see the rendered row.");
        return r;
    }
    if (!state.exampleProblems.empty() && !state.exampleProblems[std::size_t(example)].isEmpty()) {
        r.error = state.exampleProblems[std::size_t(example)];
        return r;
    }
    try {
        auto td = data::tokenizeExamples({ex}, *state.tokenizer, state.chatTemplate.get(), state.options);
        if (td.examples.empty()) {
            r.error = td.problems.empty() ? QObject::tr("This row could not be tokenized.")
                                          : q(td.problems[0].reason);
            return r;
        }
        const auto& te = td.examples[0];
        tok::StreamDecoder dec(*state.tokenizer, false);
        r.pieces.reserve(te.ids.size());
        for (std::size_t i = 0; i < te.ids.size(); ++i) {
            TokenPiece piece;
            piece.id = te.ids[i];
            piece.text = q(dec.step(te.ids[i]));
            if (i + 1 == te.ids.size()) piece.text += q(dec.flush());
            piece.trained = te.train[i] != 0;
            piece.special = state.tokenizer->isSpecial(te.ids[i]);
            r.trainedTokens += piece.trained ? 1 : 0;
            r.pieces.push_back(std::move(piece));
        }
    } catch (const std::exception& e) {
        r.error = q(e.what());
    }
    return r;
}

DatasetPreviewService::DatasetPreviewService(QObject* parent)
    : QObject(parent) {}

DatasetPreviewService::~DatasetPreviewService() = default;

bool DatasetPreviewService::isLoading() const {
    return pendingLoads_ > 0;
}

void DatasetPreviewService::load(const DatasetPreviewRequest& request) {
    const quint64 gen = ++generation_;
    ++pendingLoads_;
    auto* watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher] {
        watcher->deleteLater();
        --pendingLoads_;
        LoadResult res = watcher->result();
        if (res.generation != generation_) return; // superseded
        current_ = std::move(res.preview);
        state_ = std::move(res.state);
        Q_EMIT loaded(current_);
    });
    watcher->setFuture(QtConcurrent::run([request, gen] {
        LoadResult res;
        res.generation = gen;
        try {
            res.preview = buildPreview(request, &res.state);
        } catch (const std::exception& e) {
            res.preview.path = request.path;
            res.preview.error = QString::fromStdString(e.what());
        }
        return res;
    }));
}

void DatasetPreviewService::render(int example) {
    const quint64 gen = generation_;
    const quint64 serial = ++renderSerial_;
    auto state = state_;
    if (!state) {
        RenderedExample r;
        r.example = example;
        r.error = tr("Open a dataset first.");
        Q_EMIT rendered(r);
        return;
    }
    auto* watcher = new QFutureWatcher<RenderedExample>(this);
    connect(watcher, &QFutureWatcher<RenderedExample>::finished, this, [this, watcher, gen, serial] {
        watcher->deleteLater();
        if (gen != generation_ || serial != renderSerial_) return; // another row was chosen since
        Q_EMIT rendered(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([state, example] {
        try {
            return renderExample(*state, example);
        } catch (const std::exception& e) {
            RenderedExample r;
            r.example = example;
            r.error = QString::fromStdString(e.what());
            return r;
        }
    }));
}

} // namespace hone
