// Finds the models already on this machine: the Hugging Face hub cache (HF_HUB_CACHE, HF_HOME/hub,
// ~/.cache/huggingface/hub), folders the user added (remembered in Settings) and GGUF files, and describes
// each (architecture, parameters, dtype, context, size, chat template) or says what is wrong with it.
// Torch-free.
#pragma once

#include "model/model_config.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>

namespace hone {

class Settings;

struct ModelEntry {
    QString path;         // model folder (an HF snapshot folder) or .gguf file
    QString name;         // "org/name" for the HF cache, else the folder or file name
    QString revision;     // HF cache: the snapshot (commit) folder name
    QString source;       // "hf-cache", "folder", "gguf"
    QString architecture; // "LlamaForCausalLM", or GGUF general.architecture
    QString modelType;    // "llama"
    std::int64_t parameters = 0;
    QString dtype;         // "float32", "bfloat16", "Q4_K", ...
    int contextLength = 0; // 0 = unknown
    std::int64_t sizeOnDisk = 0;
    bool hasChatTemplate = false;
    QString problem; // empty when usable; else what is wrong and what to do
    QString issue;   // a few words for a table cell: "weights missing", "unsupported architecture", ...
    std::optional<ModelConfig> config;
    bool ok() const { return problem.isEmpty(); }
};

// Bytes for chatting with a model: the weights at `bytesPerWeight` plus the KV cache for `contextTokens`.
struct ChatMemoryEstimate {
    std::uint64_t weights = 0;
    std::uint64_t kvCache = 0;
    std::uint64_t total() const { return weights + kvCache; }
};
ChatMemoryEstimate estimateChatMemory(const ModelConfig& c, std::int64_t parameters, int bytesPerWeight,
                                      int contextTokens, int bytesPerCacheElement);
// Parameter count from the config's dimensions (when no weights header says it).
std::int64_t parametersFromConfig(const ModelConfig& c);

class ModelCatalog {
public:
    // `settings` (may be null) remembers the user's folders under "models/folders".
    explicit ModelCatalog(Settings* settings = nullptr);

    // The hub cache folders this machine's tools use, in the order huggingface_hub resolves them (existing or
    // not): $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub.
    static QStringList defaultHfCacheRoots();
    // Overrides the cache roots (tests); an empty list restores the defaults.
    void setHfCacheRoots(const QStringList& roots) { roots_ = roots; }
    QStringList hfCacheRoots() const;

    QStringList userFolders() const;
    void addUserFolder(const QString& folder);
    void removeUserFolder(const QString& folder);

    // Everything found, sorted by name. Blocking (reads headers): call it off the GUI thread.
    QList<ModelEntry> scan() const;
    // The same over explicit roots and folders (thread-safe: touches no settings).
    static QList<ModelEntry> scan(const QStringList& hfCacheRoots, const QStringList& userFolders);

    static QList<ModelEntry> scanHfCache(const QString& root);
    // A folder that is a model (config.json), holds models (one level down) or holds .gguf files.
    static QList<ModelEntry> scanUserFolder(const QString& folder);
    static ModelEntry inspectFolder(const QString& dir);
    static ModelEntry inspectGguf(const QString& file);

private:
    Settings* settings_;
    QStringList roots_;
    QStringList memoryFolders_; // without settings
};

} // namespace hone
