// `hone runs list|show|compare`: the training runs recorded in hone.db, as aligned tables or --json. Runs
// whose trainer died are marked failed first (RunStore::markStaleRunning).
#include "commands.h"

#include "common/error.h"
#include "common/json.h"
#include "store/run_store.h"
#include "store/store.h"
#include "system/app_paths.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

namespace hone::cli {

namespace {

// Qt loads the SQLite driver plugin only with an application object.
std::unique_ptr<QCoreApplication> ensureQtApp() {
    if (QCoreApplication::instance()) return nullptr;
    static int argc = 1;
    static char name[] = "hone";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QCoreApplication>(argc, argv);
}

void printJson(const OrderedJson& j) {
    const std::string s = j.dump(2, ' ', false, OrderedJson::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
}

std::int64_t parseId(const std::string& s) {
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || p != s.data() + s.size() || id <= 0)
        throw Error("'" + s + "' is not a run id (a number from `hone runs list`)");
    return id;
}

OrderedJson orNull(const std::string& s) {
    return s.empty() ? OrderedJson() : OrderedJson(s);
}
template <typename T> OrderedJson orNull(const std::optional<T>& v) {
    if (!v) return OrderedJson();
    if constexpr (std::is_floating_point_v<T>)
        if (!std::isfinite(*v)) return OrderedJson();
    return OrderedJson(*v);
}
// A JSON column as a value when it parses, else as the stored text.
OrderedJson parsedOrText(const std::string& s) {
    if (s.empty()) return OrderedJson();
    try {
        return OrderedJson::parse(s);
    } catch (const std::exception&) {
        return OrderedJson(s);
    }
}

std::string fmt(std::optional<double> v, const char* f = "%.4f") {
    if (!v) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, *v);
    return buf;
}
std::string fmt(std::optional<std::int64_t> v) {
    return v ? std::to_string(*v) : "-";
}
std::string orDash(const std::string& s) {
    return s.empty() ? "-" : s;
}
std::string steps(const RunRecord& r) {
    if (!r.lastStep && !r.totalSteps) return "-";
    return fmt(r.lastStep) + "/" + fmt(r.totalSteps);
}
// "2024-05-01T12:00:00.123Z" -> "2024-05-01 12:00".
std::string shortTime(const std::string& iso) {
    if (iso.size() < 16) return orDash(iso);
    std::string s = iso.substr(0, 16);
    s[10] = ' ';
    return s;
}

// Display width of UTF-8 text (code points; good enough for names and paths).
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Prints rows as columns separated by two spaces; the last column is not padded.
void printTable(const std::vector<std::vector<std::string>>& rows, const std::string& indent = {}) {
    std::vector<std::size_t> w;
    for (const auto& r : rows) {
        if (w.size() < r.size()) w.resize(r.size(), 0);
        for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
    }
    for (const auto& r : rows) {
        std::string line = indent;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(w[i] - width(r[i]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::printf("%s\n", line.c_str());
    }
}

// The store of the data folder (--home / HONE_HOME / Settings / default), opened and migrated like every
// store user; nullptr when hone.db does not exist yet (a read command does not create it).
std::unique_ptr<Store> openStore() {
    const AppPaths paths = resolveAppPaths();
    const QString db = QString::fromStdString(paths.database);
    if (!QFileInfo::exists(db)) return nullptr;
    auto store = std::make_unique<Store>(db);
    store->open();
    return store;
}

OrderedJson listEntry(const RunRecord& r) {
    return OrderedJson{{"id", r.id},
                       {"name", orNull(r.name)},
                       {"status", runStatusName(r.status)},
                       {"model_path", r.modelPath},
                       {"dataset_path", orNull(r.datasetPath)},
                       {"created_at", orNull(r.createdAt)},
                       {"finished_at", orNull(r.finishedAt)},
                       {"last_step", orNull(r.lastStep)},
                       {"total_steps", orNull(r.totalSteps)},
                       {"final_train_loss", orNull(r.finalTrainLoss)},
                       {"final_eval_loss", orNull(r.finalEvalLoss)},
                       {"device", orNull(r.device)}};
}

int list(Args& args) {
    args.check({"json", "status", "search"});
    if (args.positionals().size() > 1)
        throw Error("`hone runs list` takes no run ids (use `hone runs show ID`)");
    RunFilter filter;
    if (auto s = args.get("status")) filter.status = parseRunStatus(*s);
    filter.text = args.getOr("search", "");
    std::vector<RunRecord> runs;
    if (auto store = openStore()) {
        RunStore rs(*store);
        rs.markStaleRunning();
        runs = rs.listRuns(filter);
    }
    if (args.flag("json")) {
        OrderedJson arr = OrderedJson::array();
        for (const auto& r : runs) arr.push_back(listEntry(r));
        printJson(OrderedJson{{"runs", arr}});
        return 0;
    }
    if (runs.empty()) {
        std::printf(filter.status || !filter.text.empty() ? "no runs match\n" : "no runs yet\n");
        return 0;
    }
    std::vector<std::vector<std::string>> rows = {
        {"ID", "NAME", "STATUS", "STEP", "TRAIN LOSS", "EVAL LOSS", "DEVICE", "CREATED (UTC)", "MODEL"}};
    for (const auto& r : runs)
        rows.push_back({std::to_string(r.id), orDash(r.name), runStatusName(r.status), steps(r),
                        fmt(r.finalTrainLoss), fmt(r.finalEvalLoss), orDash(r.device), shortTime(r.createdAt),
                        r.modelPath});
    printTable(rows);
    return 0;
}

OrderedJson metricJson(const MetricRow& m) {
    return OrderedJson{{"step", m.step},
                       {"kind", metricKindName(m.kind)},
                       {"loss", orNull(m.loss)},
                       {"lr", orNull(m.lr)},
                       {"grad_norm", orNull(m.gradNorm)},
                       {"tokens_per_s", orNull(m.tokensPerS)},
                       {"peak_mem_bytes", orNull(m.peakMemBytes)},
                       {"epoch", orNull(m.epoch)}};
}

// At most `limit` rows, evenly spaced, always with the first and the last.
std::vector<const MetricRow*> thin(const std::vector<const MetricRow*>& rows, std::size_t limit) {
    if (rows.size() <= limit) return rows;
    std::vector<const MetricRow*> out;
    for (std::size_t i = 0; i < limit; ++i) out.push_back(rows[i * (rows.size() - 1) / (limit - 1)]);
    return out;
}

std::string bytes(std::optional<std::int64_t> b) {
    if (!b) return "-";
    return fmt(static_cast<double>(*b) / (1024.0 * 1024.0 * 1024.0), "%.2f GiB");
}

int show(Args& args) {
    args.check({"json"});
    if (args.positionals().size() != 2) throw Error("usage: hone runs show ID [--json]");
    const std::int64_t id = parseId(args.positionals()[1]);
    auto store = openStore();
    if (!store) throw Error("no run with id " + std::to_string(id) + "; `hone runs list` shows the runs");
    RunStore rs(*store);
    rs.markStaleRunning();
    const RunRecord r = rs.run(id);
    const std::vector<MetricRow> metrics = rs.metrics(id);
    const std::vector<CheckpointRow> checkpoints = rs.checkpoints(id);
    if (args.flag("json")) {
        OrderedJson run{{"id", r.id},
                        {"name", orNull(r.name)},
                        {"status", runStatusName(r.status)},
                        {"model_path", r.modelPath},
                        {"model_identity", parsedOrText(r.modelIdentity)},
                        {"dataset_path", orNull(r.datasetPath)},
                        {"dataset_hash", orNull(r.datasetHash)},
                        {"template_name", orNull(r.templateName)},
                        {"template_hash", orNull(r.templateHash)},
                        {"config", parsedOrText(r.configJson)},
                        {"versions", parsedOrText(r.versionsJson)},
                        {"device", orNull(r.device)},
                        {"run_dir", orNull(r.runDir)},
                        {"pid", orNull(r.pid)},
                        {"created_at", orNull(r.createdAt)},
                        {"started_at", orNull(r.startedAt)},
                        {"updated_at", orNull(r.updatedAt)},
                        {"finished_at", orNull(r.finishedAt)},
                        {"total_steps", orNull(r.totalSteps)},
                        {"last_step", orNull(r.lastStep)},
                        {"final_train_loss", orNull(r.finalTrainLoss)},
                        {"final_eval_loss", orNull(r.finalEvalLoss)},
                        {"error", orNull(r.error)},
                        {"adapter_path", orNull(r.adapterPath)}};
        OrderedJson m = OrderedJson::array(), c = OrderedJson::array();
        for (const auto& row : metrics) m.push_back(metricJson(row));
        for (const auto& row : checkpoints) c.push_back(OrderedJson{{"step", row.step}, {"path", row.path}});
        printJson(OrderedJson{{"run", run}, {"metrics", m}, {"checkpoints", c}});
        return 0;
    }
    std::printf("run %lld%s%s: %s\n", static_cast<long long>(r.id), r.name.empty() ? "" : " ", r.name.c_str(),
                runStatusName(r.status).c_str());
    std::vector<std::vector<std::string>> fields;
    auto field = [&](const char* label, const std::string& value) {
        if (!value.empty()) fields.push_back({label, value});
    };
    field("model", r.modelPath);
    field("dataset", r.datasetPath + (r.datasetHash.empty() ? "" : " (" + r.datasetHash + ")"));
    field("template", r.templateName + (r.templateHash.empty() ? "" : " (" + r.templateHash + ")"));
    field("device", r.device);
    field("run folder", r.runDir);
    field("pid", r.pid ? std::to_string(*r.pid) : "");
    field("steps", steps(r) == "-" ? "" : steps(r));
    field("created", r.createdAt);
    field("started", r.startedAt);
    field("updated", r.updatedAt);
    field("finished", r.finishedAt);
    if (r.finalTrainLoss || r.finalEvalLoss)
        field("final loss", "train " + fmt(r.finalTrainLoss) + ", eval " + fmt(r.finalEvalLoss));
    field("adapter", r.adapterPath);
    field("error", r.error);
    printTable(fields, "  ");
    std::printf("config:\n");
    const std::string config = parsedOrText(r.configJson).dump(2);
    std::size_t start = 0;
    while (start < config.size()) {
        std::size_t end = config.find('\n', start);
        if (end == std::string::npos) end = config.size();
        std::printf("  %s\n", config.substr(start, end - start).c_str());
        start = end + 1;
    }
    for (MetricKind kind : {MetricKind::Train, MetricKind::Eval}) {
        std::vector<const MetricRow*> rows;
        for (const auto& m : metrics)
            if (m.kind == kind) rows.push_back(&m);
        if (rows.empty()) continue;
        const auto shown = thin(rows, 40);
        std::printf("%s metrics (%zu %s%s):\n", metricKindName(kind).c_str(), rows.size(),
                    rows.size() == 1 ? "row" : "rows",
                    shown.size() < rows.size() ? ", evenly thinned to 40; --json has all" : "");
        std::vector<std::vector<std::string>> table = {
            {"STEP", "LOSS", "LR", "GRAD NORM", "TOKENS/S", "PEAK MEM", "EPOCH"}};
        for (const MetricRow* m : shown)
            table.push_back({std::to_string(m->step), fmt(m->loss), fmt(m->lr, "%.3g"),
                             fmt(m->gradNorm, "%.3f"), fmt(m->tokensPerS, "%.1f"), bytes(m->peakMemBytes),
                             fmt(m->epoch, "%.2f")});
        printTable(table, "  ");
    }
    if (metrics.empty()) std::printf("no metrics yet\n");
    if (checkpoints.empty()) {
        std::printf("no checkpoints\n");
    } else {
        std::printf("checkpoints:\n");
        std::vector<std::vector<std::string>> table = {{"STEP", "PATH"}};
        for (const auto& c : checkpoints) table.push_back({std::to_string(c.step), c.path});
        printTable(table, "  ");
    }
    return 0;
}

// The hyper-parameters `compare` puts side by side, with the names a config may use for each. They are
// looked up at the top level of config_json, then one level down (e.g. {"lora": {"rank": 16}}).
struct Param {
    const char* name;
    std::vector<const char*> aliases;
};
const std::vector<Param>& compareParams() {
    static const std::vector<Param> params = {
        {"lr", {"lr", "learning_rate", "peak_lr"}},
        {"rank", {"rank", "lora_rank", "r"}},
        {"alpha", {"alpha", "lora_alpha"}},
        {"targets", {"targets", "target_modules", "lora_targets"}},
        {"batch", {"batch", "batch_size", "micro_batch_size", "per_device_train_batch_size"}},
        {"grad_accum", {"grad_accum", "gradient_accumulation_steps", "grad_accumulation"}},
        {"max_seq_len", {"max_seq_len", "max_seq_length", "max_length", "seq_len"}},
        {"epochs", {"epochs", "num_epochs", "num_train_epochs"}},
        {"max_steps", {"max_steps"}},
    };
    return params;
}

// `alias` in `obj` as written or with '-' for '_' (TrainOptions::toJson writes the CLI flag names).
const OrderedJson* findKey(const OrderedJson& obj, const std::string& alias) {
    if (auto it = obj.find(alias); it != obj.end()) return &*it;
    std::string dashed = alias;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    if (auto it = obj.find(dashed); it != obj.end()) return &*it;
    return nullptr;
}

OrderedJson lookup(const OrderedJson& config, const Param& p) {
    if (!config.is_object()) return {};
    for (const char* a : p.aliases)
        if (const OrderedJson* v = findKey(config, a)) return *v;
    for (const auto& [key, child] : config.items())
        if (child.is_object())
            for (const char* a : p.aliases)
                if (const OrderedJson* v = findKey(child, a)) return *v;
    return {};
}

std::string display(const OrderedJson& v) {
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_float()) return fmt(v.get<double>(), "%g");
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) out += (out.empty() ? "" : ",") + display(e);
        return out;
    }
    return v.dump();
}

std::optional<double> minLoss(const std::vector<MetricRow>& rows) {
    std::optional<double> best;
    for (const auto& m : rows)
        if (m.loss && std::isfinite(*m.loss) && (!best || *m.loss < *best)) best = m.loss;
    return best;
}

int compare(Args& args) {
    args.check({"json"});
    const auto& pos = args.positionals();
    if (pos.size() < 3) throw Error("usage: hone runs compare ID ID... [--json] (at least two runs)");
    std::vector<std::int64_t> ids;
    for (std::size_t i = 1; i < pos.size(); ++i) ids.push_back(parseId(pos[i]));
    auto store = openStore();
    if (!store)
        throw Error("no run with id " + std::to_string(ids.front()) + "; `hone runs list` shows the runs");
    RunStore rs(*store);
    rs.markStaleRunning();
    struct Entry {
        RunRecord run;
        OrderedJson config;
        std::optional<double> minTrain, minEval;
    };
    std::vector<Entry> entries;
    for (std::int64_t id : ids) {
        Entry e;
        e.run = rs.run(id);
        e.config = parsedOrText(e.run.configJson);
        e.minTrain = minLoss(rs.metrics(id, MetricKind::Train));
        e.minEval = minLoss(rs.metrics(id, MetricKind::Eval));
        entries.push_back(std::move(e));
    }
    std::vector<std::string> differs;
    for (const Param& p : compareParams())
        for (const auto& e : entries)
            if (lookup(e.config, p) != lookup(entries.front().config, p)) {
                differs.push_back(p.name);
                break;
            }
    if (args.flag("json")) {
        OrderedJson runs = OrderedJson::array();
        for (const auto& e : entries) {
            OrderedJson params = OrderedJson::object();
            for (const Param& p : compareParams()) params[p.name] = lookup(e.config, p);
            const RunRecord& r = e.run;
            runs.push_back(OrderedJson{{"id", r.id},
                                       {"name", orNull(r.name)},
                                       {"status", runStatusName(r.status)},
                                       {"model_path", r.modelPath},
                                       {"dataset_path", orNull(r.datasetPath)},
                                       {"last_step", orNull(r.lastStep)},
                                       {"total_steps", orNull(r.totalSteps)},
                                       {"params", params},
                                       {"final_train_loss", orNull(r.finalTrainLoss)},
                                       {"min_train_loss", orNull(e.minTrain)},
                                       {"final_eval_loss", orNull(r.finalEvalLoss)},
                                       {"min_eval_loss", orNull(e.minEval)}});
        }
        printJson(OrderedJson{{"runs", runs}, {"differs", differs}});
        return 0;
    }
    std::vector<std::vector<std::string>> table;
    auto row = [&](const std::string& label, auto value, bool mark = false) {
        std::vector<std::string> r{mark ? "*" : "", label};
        for (const auto& e : entries) r.push_back(value(e));
        table.push_back(std::move(r));
    };
    row("", [](const Entry& e) { return "run " + std::to_string(e.run.id); });
    row("name", [](const Entry& e) { return orDash(e.run.name); });
    row("status", [](const Entry& e) { return runStatusName(e.run.status); });
    row("model", [](const Entry& e) { return e.run.modelPath; });
    row("dataset", [](const Entry& e) { return orDash(e.run.datasetPath); });
    row("steps", [](const Entry& e) { return steps(e.run); });
    for (const Param& p : compareParams())
        row(
            p.name, [&](const Entry& e) { return display(lookup(e.config, p)); },
            std::find(differs.begin(), differs.end(), p.name) != differs.end());
    row("final train loss", [](const Entry& e) { return fmt(e.run.finalTrainLoss); });
    row("min train loss", [](const Entry& e) { return fmt(e.minTrain); });
    row("final eval loss", [](const Entry& e) { return fmt(e.run.finalEvalLoss); });
    row("min eval loss", [](const Entry& e) { return fmt(e.minEval); });
    printTable(table);
    if (!differs.empty()) std::printf("(* differs between the runs)\n");
    return 0;
}

} // namespace

int cmdRuns(Args& args) {
    const auto app = ensureQtApp();
    const auto& pos = args.positionals();
    const std::string verb = pos.empty() ? "list" : pos.front();
    if (verb == "list") return list(args);
    if (verb == "show") return show(args);
    if (verb == "compare") return compare(args);
    throw Error("unknown `hone runs` verb '" + verb + "': use list, show ID or compare ID ID...");
}

} // namespace hone::cli
