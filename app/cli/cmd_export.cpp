// `hone export`: a run's adapter (or a PEFT adapter folder) as a PEFT folder, a merged Hugging Face folder,
// GGUF files and an Ollama Modelfile, each checked afterwards against the base + adapter model, recorded in
// hone.db. Progress on stderr; --json prints {"files": [...], "check": {...}} on stdout.
#include "commands.h"

#include "common/error.h"
#include "common/json.h"
#include "export/export_check.h"
#include "export/export_folder.h"
#include "export/gguf_export.h"
#include "export/gguf_lora_export.h"
#include "export/merge_model.h"
#include "export/ollama_modelfile.h"
#include "export/peft_adapter.h"
#include "tokenizer/tokenizer.h"

#ifdef HONE_CLI_HAS_CORE
#include "store/export_store.h"
#include "store/run_store.h"
#include "store/store.h"
#include "system/app_paths.h"

#include <QCoreApplication>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <unistd.h>

namespace hone::cli {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s + ",") {
        if (c == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

struct Source {
    std::optional<std::int64_t> runId;
    std::string adapterDir;
    std::string modelPath; // from the run
};

#ifdef HONE_CLI_HAS_CORE
// Qt's SQLite driver plugin needs an application object.
std::unique_ptr<QCoreApplication> ensureQtApp() {
    if (QCoreApplication::instance()) return nullptr;
    static int argc = 1;
    static char name[] = "hone";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QCoreApplication>(argc, argv);
}

std::unique_ptr<Store> openStore(bool mustExist) {
    const AppPaths paths = resolveAppPaths();
    const QString db = QString::fromStdString(paths.database);
    if (mustExist && !fs::exists(paths.database))
        throw Error("no runs recorded in " + paths.home + " (no hone.db); pass --home DIR or --adapter DIR");
    auto store = std::make_unique<Store>(db);
    store->open();
    return store;
}
#endif

Source resolveSource(const Args& a) {
    Source s;
    const auto run = a.get("run");
    const auto adapter = a.get("adapter");
    if (run && adapter) throw Error("give either --run ID or --adapter DIR, not both");
    if (!run && !adapter)
        throw Error("nothing to export: give --run ID (see `hone runs list`) or --adapter DIR");
    if (adapter) {
        if (a.get("checkpoint"))
            throw Error("--checkpoint goes with --run; with --adapter give the folder itself");
        s.adapterDir = *adapter;
        return s;
    }
#ifdef HONE_CLI_HAS_CORE
    s.runId = a.getInt("run", 0);
    if (*s.runId <= 0) throw Error("--run takes a run id (a positive number); `hone runs list` shows them");
    auto app = ensureQtApp();
    auto store = openStore(true);
    RunStore rs(*store);
    const RunRecord r = rs.run(*s.runId);
    s.modelPath = r.modelPath;
    if (auto cp = a.get("checkpoint")) {
        const long long step = a.getInt("checkpoint", 0);
        std::string dir;
        for (const auto& c : rs.checkpoints(*s.runId))
            if (c.step == step) dir = c.path;
        if (dir.empty() && !r.runDir.empty())
            dir = r.runDir + "/checkpoints/checkpoint-" + std::to_string(step);
        if (dir.empty() || !fs::exists(dir)) {
            std::string have;
            for (const auto& c : rs.checkpoints(*s.runId))
                have += (have.empty() ? "" : ", ") + std::to_string(c.step);
            throw Error("run " + std::to_string(*s.runId) + " has no checkpoint at step " +
                        std::to_string(step) +
                        (have.empty() ? std::string(" (it has none)") : " (it has " + have + ")"));
        }
        s.adapterDir = dir;
    } else {
        s.adapterDir = !r.adapterPath.empty() ? r.adapterPath : r.runDir.empty() ? "" : r.runDir + "/adapter";
        if (s.adapterDir.empty() || !fs::exists(s.adapterDir))
            throw Error("run " + std::to_string(*s.runId) + " has no final adapter yet (status " +
                        runStatusName(r.status) + "); export one of its checkpoints with --checkpoint N");
    }
    return s;
#else
    throw Error("--run needs the run store, which this build of hone lacks; use --adapter DIR");
#endif
}

void progressLine(const std::string& line) {
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
}

// Creates OUT (remembering whether it did) and checks that it can be written, before any work.
bool prepareOut(const std::string& out) {
    std::error_code ec;
    const bool existed = fs::exists(out, ec);
    if (existed && !fs::is_directory(out, ec)) throw Error("--out " + out + " is a file; give a folder");
    if (!existed) {
        fs::create_directories(out, ec);
        if (ec)
            throw Error("cannot create the output folder " + out + ": " + ec.message() +
                        "; choose another --out");
    }
    if (::access(out.c_str(), W_OK) != 0) {
        const std::string why = std::strerror(errno);
        if (!existed) fs::remove(out, ec);
        throw Error("cannot write to the output folder " + out + ": " + why + "; choose another --out");
    }
    return !existed;
}

// Peak resident memory of this process (VmHWM: per address space, so not inherited from the parent).
std::uint64_t peakRssBytes() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
    return 0;
}

std::string ggufFileName(const std::string& type) {
    return "model-" + type + ".gguf";
}

} // namespace

int cmdExport(Args& a) {
    a.check({"run", "checkpoint", "adapter", "model", "format", "dtype", "quant", "out", "json", "threads",
             "shard-size-mb", "name", "no-check"});
    const auto formats = splitList(a.require("format"));
    if (formats.empty()) throw Error("--format needs at least one of peft, merged, gguf, gguf-lora, ollama");
    for (const auto& f : formats)
        if (f != "peft" && f != "merged" && f != "gguf" && f != "gguf-lora" && f != "ollama")
            throw Error("unknown export format '" + f +
                        "': choose peft, merged, gguf, gguf-lora or ollama (comma-separated)");
    auto want = [&](const char* f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
    const std::string out = a.require("out");
    const std::string dtype = a.get("dtype") ? canonicalExportDType(*a.get("dtype")) : std::string();
    std::vector<std::string> quants = splitList(a.getOr("quant", ""));
    if ((want("gguf") || want("ollama")) && quants.empty()) quants.push_back(dtype.empty() ? "f16" : dtype);
    if (!quants.empty() && !want("gguf") && !want("ollama"))
        throw Error("--quant applies to the gguf and ollama formats; add gguf to --format");
    const long long threads = a.getInt("threads", 0);
    const long long shardMb = a.getInt("shard-size-mb", 5000);
    if (threads < 0 || shardMb <= 0) throw Error("--threads must be >= 0 and --shard-size-mb positive");

    const auto started = std::chrono::steady_clock::now();
    const Source src = resolveSource(a);
    const PeftAdapter adapter = PeftAdapter::open(src.adapterDir);
    std::string model = a.getOr("model", src.modelPath.empty() ? adapter.baseModel() : src.modelPath);
    if (model.empty())
        throw Error("the adapter " + src.adapterDir + " does not name its base model; pass --model DIR");
    if (!fs::is_directory(model))
        throw Error("base model folder " + model +
                    " does not exist; pass the Hugging Face folder the adapter was " +
                    "trained on with --model");
    model = fs::absolute(model).lexically_normal().string();

    const bool createdOut = prepareOut(out);
    Json files = Json::array();
    Json checks = Json::object();
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>>
        artifacts; // format, (path, type)
    std::string tempMerged;
    bool allOk = true;
    std::string ollamaCmd;
    try {
        if (want("peft")) {
            progressLine("peft: writing " + out + "/peft");
            for (const auto& f : exportPeftAdapter(adapter, out + "/peft", model)) files.push_back(f);
            artifacts.push_back({"peft", {out + "/peft", ""}});
        }
        std::string loraGguf, loraType;
        if (want("gguf-lora")) {
            // llama.cpp applies adapters unquantised: F32 when asked for, else F16.
            loraType = dtype == "f32" ? "f32" : "f16";
            loraGguf = out + "/adapter-" + loraType + ".gguf";
            progressLine("gguf-lora: writing " + loraGguf);
            GgufLoraExportOptions lo;
            lo.outType = loraType;
            const GgufLoraExportReport rep = exportGgufLora(src.adapterDir, model, loraGguf, lo);
            files.push_back(loraGguf);
            artifacts.push_back({"gguf-lora", {loraGguf, loraType}});
            progressLine("gguf-lora: " + std::to_string(rep.tensors.size()) + " tensors, rank " +
                         std::to_string(rep.rank) + ", alpha " + std::to_string(rep.alpha) +
                         "; use it with: llama-cli -m BASE.gguf --lora " + loraGguf);
        }
        std::string mergedDir, mergedType, ggufSource;
        auto merge = [&](const std::string& dir, const std::string& type) {
            MergeOptions mo;
            mo.threads = static_cast<unsigned>(threads);
            mo.shardBytes = static_cast<std::uint64_t>(shardMb) * 1000000ull;
            mo.progress = progressLine;
            mo.dtype = type;
            const MergeReport rep = mergeAdapter(model, adapter, dir, mo);
            progressLine("merged: " + std::to_string(rep.mergedTensors) + " tensors changed by LoRA, " +
                         std::to_string(rep.addedTokens) + " added tokens, " + rep.dtype + " -> " + dir);
            return rep;
        };
        if (want("merged")) {
            mergedDir = out + "/merged";
            const MergeReport rep = merge(mergedDir, dtype);
            mergedType = rep.dtype;
            for (const auto& f : rep.files) files.push_back(f);
            artifacts.push_back({"merged", {mergedDir, rep.dtype}});
        }
        if (!quants.empty()) {
            // GGUF types are made from F32 weights: the merged folder when it is F32, else a temporary F32
            // merge.
            if (mergedType == "f32") {
                ggufSource = mergedDir;
            } else {
                ggufSource = tempMerged = out + "/.merged-f32-" + std::to_string(::getpid());
                merge(tempMerged, "f32");
            }
        }
        std::vector<std::string> ggufs;
        for (const auto& q : quants) {
            GgufExportOptions go;
            go.outType = q;
            go.name = a.getOr("name", fs::path(model).filename().string() + "-hone");
            go.threads = static_cast<unsigned>(threads);
            go.progress = [&](const GgufExportProgress& p) {
                if (p.index == p.count || p.index % 16 == 0)
                    progressLine("gguf " + q + " " + std::to_string(p.index) + "/" + std::to_string(p.count) +
                                 " " + p.tensor);
            };
            const std::string path = out + "/" + ggufFileName(q);
            exportGguf(ggufSource, path, go);
            ggufs.push_back(path);
            files.push_back(path);
            artifacts.push_back({"gguf", {path, q}});
        }
        if (want("ollama")) {
            const tok::Tokenizer tok = tok::Tokenizer::load(ggufs.front());
            std::vector<std::string> stops;
            if (auto e = tok.eosId())
                if (auto t = tok.idToToken(*e)) stops.push_back(*t);
            const OllamaModelfile mf = makeOllamaModelfile("./" + fs::path(ggufs.front()).filename().string(),
                                                           tok.chatTemplate(), stops);
            const std::string path = out + "/Modelfile";
            writeFileAtomically(path, [&](const std::string& tmp) { writeTextFile(tmp, mf.text); });
            files.push_back(path);
            artifacts.push_back({"ollama", {path, quants.front()}});
            ollamaCmd =
                ollamaCreateCommand(a.getOr("name", fs::path(model).filename().string() + "-hone"), path);
            progressLine("ollama: " + path + (mf.family.empty() ? "" : " (" + mf.family + " template)") +
                         "; run: " + ollamaCmd);
        }

        if (!a.flag("no-check") && (want("merged") || !ggufs.empty() || !loraGguf.empty())) {
            progressLine("check: loading the base model with the adapter");
            std::unique_ptr<ExportChecker> checker;
            try {
                checker = std::make_unique<ExportChecker>(model, adapter);
            } catch (const Error& e) {
                // An adapter the reference LoRA model cannot hold (per-module ranks, layers_to_transform,
                // ...): the artifacts stand, the check says why it did not run.
                checks["skipped"] = e.what();
                progressLine(std::string("check skipped: ") + e.what());
            }
            auto record = [&](const std::string& key, const ArtifactCheck& c) {
                checks[key] = c.toJson();
                allOk = allOk && c.ok();
                char line[256];
                std::snprintf(line, sizeof line, "check %s: %s, max |diff| %.3g, top-1 %.3f%s", key.c_str(),
                              c.ok() ? "ok" : "FAILED", c.maxAbsDiff, c.top1Agreement,
                              c.quantised ? (", KL " + std::to_string(c.kl)).c_str() : "");
                progressLine(line + (c.note.empty() ? std::string() : " (" + c.note + ")"));
            };
            if (checker && want("merged")) record("merged", checker->checkMerged(mergedDir, mergedType));
            for (std::size_t i = 0; checker && i < ggufs.size(); ++i)
                record("gguf:" + quants[i], checker->checkGguf(ggufs[i], quants[i]));
            if (checker && !loraGguf.empty()) record("gguf-lora", checker->checkGgufLora(loraGguf, loraType));
        }
    } catch (...) {
        std::error_code ec;
        if (!tempMerged.empty()) fs::remove_all(tempMerged, ec);
        if (createdOut) fs::remove_all(out, ec);
        throw;
    }
    std::error_code ec;
    if (!tempMerged.empty()) fs::remove_all(tempMerged, ec);

    Json ids = Json::array();
#ifdef HONE_CLI_HAS_CORE
    {
        auto app = ensureQtApp();
        auto store = openStore(false);
        for (const auto& [format, pt] : artifacts) {
            ExportRecord r;
            r.runId = src.runId;
            r.adapterPath = fs::absolute(src.adapterDir).string();
            r.format = format;
            r.path = fs::absolute(pt.first).string();
            if (format == "merged") r.dtype = pt.second;
            if (format == "gguf" || format == "gguf-lora" || format == "ollama") r.quant = pt.second;
            const std::string key = format == "gguf" ? "gguf:" + pt.second : format;
            if (checks.contains(key)) r.checkJson = checks[key].dump();
            ids.push_back(addExport(*store, r));
        }
    }
#endif
    Json report = {
        {"files", files},
        {"check", checks},
        {"ok", allOk},
        {"export_ids", ids},
        {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
        {"peak_rss_bytes", peakRssBytes()}};
    if (!ollamaCmd.empty()) report["ollama_command"] = ollamaCmd;
    if (a.flag("json")) {
        const std::string s = report.dump(2);
        std::fwrite(s.data(), 1, s.size(), stdout);
        std::fputc('\n', stdout);
    } else {
        for (const auto& f : files) std::printf("%s\n", f.get<std::string>().c_str());
        if (!ollamaCmd.empty()) std::printf("%s\n", ollamaCmd.c_str());
    }
    if (!allOk) {
        std::fprintf(stderr,
                     "error: the post-export check failed (see the check report); the files are kept in %s\n",
                     out.c_str());
        return 1;
    }
    return 0;
}

} // namespace hone::cli
