// Implementation of the model catalog: HF cache layout walking, config/safetensors/GGUF header reading.
#include "services/model_catalog.h"

#include "common/error.h"
#include "model/gguf_file.h"
#include "model/safetensors_file.h"
#include "services/settings.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QSet>
#include <algorithm>
#include <map>

namespace hone {

namespace {
const QString kFoldersKey = QStringLiteral("models/folders");

QString tr(const char* s) {
    return QCoreApplication::translate("hone::ModelCatalog", s);
}

std::int64_t folderSize(const QString& dir) {
    std::int64_t total = 0;
    QDirIterator it(dir, QDir::Files | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        total += it.fileInfo().size(); // follows the snapshot -> blob symlinks
    }
    return total;
}

QString friendlyDtype(const QString& st) {
    if (st == "F32") return QStringLiteral("float32");
    if (st == "F16") return QStringLiteral("float16");
    if (st == "BF16") return QStringLiteral("bfloat16");
    if (st == "F64") return QStringLiteral("float64");
    return st.toLower();
}

QJsonObject readJsonObject(const QString& path) {
    QFile f(path);
    if (f.size() > (64 << 20) || !f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void addProblem(ModelEntry& e, const QString& issue, const QString& problem) {
    if (e.issue.isEmpty()) e.issue = issue;
    e.problem += (e.problem.isEmpty() ? QString() : QStringLiteral("\n")) + problem;
}

bool folderHasChatTemplate(const QDir& d) {
    if (d.exists("chat_template.jinja") || d.exists("chat_template.json")) return true;
    const QJsonValue t = readJsonObject(d.filePath("tokenizer_config.json")).value("chat_template");
    return (t.isString() && !t.toString().isEmpty()) || t.isArray();
}
} // namespace

std::int64_t parametersFromConfig(const ModelConfig& c) {
    const std::int64_t h = c.hiddenSize, hd = c.headDim > 0 ? c.headDim : (c.numHeads ? h / c.numHeads : 0);
    const std::int64_t q = std::int64_t(c.numHeads) * hd, kv = std::int64_t(c.numKvHeads) * hd;
    std::int64_t layer = h * q + 2 * h * kv + q * h + 3 * h * c.intermediateSize + 2 * h;
    if (c.qkvBias) layer += q + 2 * kv;
    if (c.qkNorm) layer += 2 * hd;
    if (c.sandwichNorms) layer += 2 * h;
    const std::int64_t embed = std::int64_t(c.vocabSize) * h;
    return layer * c.numLayers + embed * (c.tieEmbeddings ? 1 : 2) + h;
}

ChatMemoryEstimate estimateChatMemory(const ModelConfig& c, std::int64_t parameters, int bytesPerWeight,
                                      int contextTokens, int bytesPerCacheElement) {
    ChatMemoryEstimate e;
    const std::int64_t params = parameters > 0 ? parameters : parametersFromConfig(c);
    e.weights = std::uint64_t(params) * std::uint64_t(std::max(bytesPerWeight, 1));
    const std::int64_t hd = c.headDim > 0 ? c.headDim : (c.numHeads ? c.hiddenSize / c.numHeads : 0);
    std::uint64_t perToken = 2ull * std::uint64_t(c.numLayers) * std::uint64_t(c.numKvHeads) *
                             std::uint64_t(hd) * std::uint64_t(std::max(bytesPerCacheElement, 1));
    e.kvCache = perToken * std::uint64_t(std::max(contextTokens, 0));
    return e;
}

ModelCatalog::ModelCatalog(Settings* settings)
    : settings_(settings) {}

QStringList ModelCatalog::defaultHfCacheRoots() {
    QStringList roots;
    const QString hub = qEnvironmentVariable("HF_HUB_CACHE");
    if (!hub.isEmpty()) roots << QDir::cleanPath(hub);
    const QString home = qEnvironmentVariable("HF_HOME");
    if (!home.isEmpty()) roots << QDir::cleanPath(home + "/hub");
    roots << QDir::cleanPath(QDir::homePath() + "/.cache/huggingface/hub");
    roots.removeDuplicates();
    return roots;
}

QStringList ModelCatalog::hfCacheRoots() const {
    return roots_.isEmpty() ? defaultHfCacheRoots() : roots_;
}

QStringList ModelCatalog::userFolders() const {
    return settings_ ? settings_->value(kFoldersKey).toStringList() : memoryFolders_;
}

void ModelCatalog::addUserFolder(const QString& folder) {
    QStringList list = userFolders();
    const QString clean = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    if (list.contains(clean)) return;
    list << clean;
    if (settings_)
        settings_->setValue(kFoldersKey, list);
    else
        memoryFolders_ = list;
}

void ModelCatalog::removeUserFolder(const QString& folder) {
    QStringList list = userFolders();
    list.removeAll(QDir::cleanPath(folder));
    if (settings_)
        settings_->setValue(kFoldersKey, list);
    else
        memoryFolders_ = list;
}

QList<ModelEntry> ModelCatalog::scan() const {
    return scan(hfCacheRoots(), userFolders());
}

QList<ModelEntry> ModelCatalog::scan(const QStringList& roots, const QStringList& folders) {
    QList<ModelEntry> all;
    QSet<QString> seen;
    auto add = [&](const QList<ModelEntry>& found) {
        for (const ModelEntry& e : found) {
            const QString key = QFileInfo(e.path).canonicalFilePath();
            if (seen.contains(key.isEmpty() ? e.path : key)) continue;
            seen.insert(key.isEmpty() ? e.path : key);
            all << e;
        }
    };
    for (const QString& root : roots) add(scanHfCache(root));
    for (const QString& folder : folders) add(scanUserFolder(folder));
    std::stable_sort(all.begin(), all.end(), [](const ModelEntry& a, const ModelEntry& b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    return all;
}

QList<ModelEntry> ModelCatalog::scanHfCache(const QString& root) {
    QList<ModelEntry> out;
    const QDir dir(root);
    if (!dir.exists()) return out;
    for (const QString& repo : dir.entryList({"models--*"}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString flat = repo.mid(int(qstrlen("models--")));
        const int sep = flat.indexOf("--");
        const QString name = sep < 0 ? flat : flat.left(sep) + "/" + flat.mid(sep + 2);
        const QDir snaps(dir.filePath(repo + "/snapshots"));
        const QStringList revs = snaps.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        if (revs.isEmpty()) {
            ModelEntry e;
            e.path = dir.filePath(repo);
            e.name = name;
            e.source = QStringLiteral("hf-cache");
            e.sizeOnDisk = folderSize(e.path);
            addProblem(
                e, tr("no snapshot"),
                tr("No downloaded snapshot in %1 (an interrupted download?): download the model again.")
                    .arg(e.path));
            out << e;
            continue;
        }
        for (const QString& rev : revs) {
            const QDir snap(snaps.filePath(rev));
            const QStringList ggufs = snap.entryList({"*.gguf"}, QDir::Files, QDir::Name);
            if (!snap.exists("config.json") && !ggufs.isEmpty()) {
                for (const QString& g : ggufs) {
                    ModelEntry e = inspectGguf(snap.filePath(g));
                    e.name = name + "/" + g;
                    e.revision = rev;
                    e.source = QStringLiteral("hf-cache");
                    out << e;
                }
                continue;
            }
            ModelEntry e = inspectFolder(snap.path());
            e.name = name;
            e.revision = rev;
            e.source = QStringLiteral("hf-cache");
            out << e;
        }
    }
    return out;
}

QList<ModelEntry> ModelCatalog::scanUserFolder(const QString& folder) {
    QList<ModelEntry> out;
    const QFileInfo info(folder);
    if (info.isFile() && folder.endsWith(".gguf", Qt::CaseInsensitive)) return {inspectGguf(folder)};
    const QDir dir(folder);
    if (!dir.exists()) {
        ModelEntry e;
        e.path = folder;
        e.name = info.fileName();
        e.source = QStringLiteral("folder");
        addProblem(e, tr("folder missing"),
                   tr("The folder %1 no longer exists: remove it from the list or restore it.").arg(folder));
        return {e};
    }
    if (dir.exists("config.json")) return {inspectFolder(folder)};
    // A hub cache somewhere else (another HF_HOME, a shared disk).
    if (!dir.entryList({"models--*"}, QDir::Dirs | QDir::NoDotAndDotDot).isEmpty())
        out << scanHfCache(folder);
    for (const QString& g : dir.entryList({"*.gguf"}, QDir::Files, QDir::Name))
        out << inspectGguf(dir.filePath(g));
    for (const QString& sub : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir d(dir.filePath(sub));
        const bool weights = !d.entryList({"*.safetensors", "*.bin", "*.pt", "*.pth"}, QDir::Files).isEmpty();
        if (d.exists("config.json") || weights) out << inspectFolder(d.path());
        for (const QString& g : d.entryList({"*.gguf"}, QDir::Files, QDir::Name))
            out << inspectGguf(d.filePath(g));
    }
    return out;
}

ModelEntry ModelCatalog::inspectFolder(const QString& path) {
    ModelEntry e;
    const QDir d(path);
    e.path = QDir::cleanPath(path);
    e.name = d.dirName();
    e.source = QStringLiteral("folder");
    e.sizeOnDisk = folderSize(path);
    e.hasChatTemplate = folderHasChatTemplate(d);
    const QJsonObject cfg = readJsonObject(d.filePath("config.json"));
    e.modelType = cfg.value("model_type").toString();
    if (cfg.value("architectures").isArray()) e.architecture = cfg.value("architectures")[0].toString();
    const QString torchDtype = cfg.value("torch_dtype").toString(cfg.value("dtype").toString());
    try {
        e.config = loadHfConfig(path.toStdString());
        e.architecture = QString::fromStdString(e.config->architecture);
        e.modelType = QString::fromStdString(e.config->modelType);
        e.contextLength = e.config->contextLength();
    } catch (const std::exception& ex) {
        QString msg = QString::fromStdString(ex.what());
        QString issue = tr("bad config.json");
        if (!d.exists("config.json")) {
            issue = tr("config.json missing");
            msg += tr(": the folder is incomplete; download the model again or pick the folder that holds "
                      "config.json.");
        } else if (msg.contains("not supported")) {
            issue = tr("unsupported architecture");
            msg += tr(". Hone cannot train or chat with this architecture; pick a supported model.");
        }
        addProblem(e, issue, msg);
    }
    // Weights: safetensors headers give the exact parameter count and storage dtype.
    const QStringList shards = d.entryList({"*.safetensors"}, QDir::Files, QDir::Name);
    if (shards.isEmpty()) {
        if (!d.entryList({"*.bin", "*.pt", "*.pth"}, QDir::Files).isEmpty())
            addProblem(e, tr("pickle weights only"),
                       tr("Only PyTorch pickle weights (*.bin) in %1: Hone reads safetensors only; convert "
                          "them or download the safetensors version.")
                           .arg(e.path));
        else
            addProblem(e, tr("weights missing"),
                       tr("No weights (*.safetensors) in %1: the download is incomplete; download the model "
                          "again.")
                           .arg(e.path));
    } else {
        const QJsonObject index = readJsonObject(d.filePath("model.safetensors.index.json"));
        QSet<QString> missing;
        for (const QJsonValue v : index.value("weight_map").toObject())
            if (!d.exists(v.toString())) missing.insert(v.toString());
        if (!missing.isEmpty()) {
            QStringList m(missing.begin(), missing.end());
            m.sort();
            addProblem(
                e, tr("shards missing"),
                tr("Missing weight shards in %1: %2. Download the model again.").arg(e.path, m.join(", ")));
        }
        std::map<QString, std::uint64_t> bytesByType;
        try {
            for (const QString& s : shards) {
                const SafetensorsFile f = SafetensorsFile::open(d.filePath(s).toStdString());
                for (const SafetensorsTensor& t : f.tensors()) {
                    e.parameters += t.elements();
                    bytesByType[QString::fromLatin1(stDTypeName(t.dtype))] += t.nbytes();
                }
            }
            auto best = std::max_element(bytesByType.begin(), bytesByType.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
            if (best != bytesByType.end()) e.dtype = friendlyDtype(best->first);
        } catch (const std::exception& ex) {
            addProblem(e, tr("damaged weights"),
                       QString::fromStdString(ex.what()) +
                           tr(" (a damaged or partly downloaded file: download the model again)"));
        }
    }
    if (e.dtype.isEmpty()) e.dtype = torchDtype;
    if (e.parameters == 0 && e.config) e.parameters = parametersFromConfig(*e.config);
    if (!d.exists("tokenizer.json") && !d.exists("tokenizer.model") && e.problem.isEmpty())
        addProblem(e, tr("tokenizer missing"),
                   tr("No tokenizer (tokenizer.json or tokenizer.model) in %1: download it with the model.")
                       .arg(e.path));
    return e;
}

ModelEntry ModelCatalog::inspectGguf(const QString& file) {
    ModelEntry e;
    const QFileInfo info(file);
    e.path = QDir::cleanPath(info.absoluteFilePath());
    e.name = info.fileName();
    e.source = QStringLiteral("gguf");
    e.sizeOnDisk = info.size();
    try {
        const GgufFile g = GgufFile::open(file.toStdString());
        e.architecture = QString::fromStdString(g.getStringOr("general.architecture", ""));
        e.modelType = e.architecture;
        const std::string name = g.getStringOr("general.name", "");
        if (!name.empty()) e.name = QString::fromStdString(name) + " (" + info.fileName() + ")";
        e.hasChatTemplate = !g.getStringOr("tokenizer.chat_template", "").empty();
        std::map<std::uint32_t, std::uint64_t> bytesByType;
        for (const GgufTensor& t : g.tensors()) {
            e.parameters += std::int64_t(t.elements);
            bytesByType[t.type] += t.nbytes;
        }
        auto best = std::max_element(bytesByType.begin(), bytesByType.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
        if (best != bytesByType.end()) e.dtype = QString::fromStdString(ggmlTypeName(best->first));
        try {
            e.config = configFromGguf(g);
            e.contextLength = e.config->contextLength();
        } catch (const std::exception& ex) {
            addProblem(e, tr("unsupported architecture"),
                       QString::fromStdString(ex.what()) +
                           tr(". Hone cannot run this architecture; pick a supported model."));
        }
    } catch (const std::exception& ex) {
        addProblem(e, tr("damaged file"),
                   QString::fromStdString(ex.what()) +
                       tr(" (a damaged or partly downloaded GGUF file: download it again)"));
    }
    return e;
}

} // namespace hone
