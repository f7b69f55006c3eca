// TrainOptions <-> JSON, validation, and the --config file reader (JSON or a YAML subset).
#include "train/train_options.h"

#include "common/error.h"
#include "common/mapped_file.h"
#include "train/lr_schedule.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <sstream>

namespace hone {

namespace {

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
}

} // namespace

Json TrainOptions::toJson() const {
    Json j;
    j["model"] = modelPath;
    j["data"] = dataPath;
    j["eval-data"] = evalDataPath;
    j["format"] = format;
    j["template"] = templateName;
    j["train-on"] = trainOn;
    j["truncation"] = truncation;
    j["init-adapter"] = initAdapter;
    j["lora-rank"] = lora.rank;
    j["lora-alpha"] = lora.alpha;
    j["lora-dropout"] = lora.dropout;
    j["rslora"] = lora.rslora;
    j["targets"] = join(lora.targets);
    j["lr"] = lr;
    j["schedule"] = schedule;
    j["warmup"] = warmupSteps;
    j["warmup-ratio"] = warmupRatio;
    j["weight-decay"] = weightDecay;
    j["adam-beta1"] = beta1;
    j["adam-beta2"] = beta2;
    j["adam-eps"] = adamEps;
    j["max-grad-norm"] = maxGradNorm;
    j["epochs"] = epochs;
    j["max-steps"] = maxSteps;
    j["batch-size"] = batchSize;
    j["grad-accum"] = gradAccum;
    j["max-seq-len"] = maxSeqLen;
    j["packing"] = packing;
    j["gradient-checkpointing"] = gradientCheckpointing;
    j["seed"] = seed;
    j["eval-split"] = evalSplit;
    j["eval-every"] = evalEvery;
    j["save-every"] = saveEvery;
    j["keep-checkpoints"] = keepCheckpoints;
    j["device"] = device;
    j["dtype"] = dtype;
    j["threads"] = threads;
    j["out"] = outDir;
    j["name"] = runName;
    return j;
}

TrainOptions TrainOptions::fromJson(const Json& j, const std::string& source) {
    if (!j.is_object()) throw Error(source + ": the training configuration must be an object of settings");
    TrainOptions o;
    const Json defaults = o.toJson();
    for (auto it = j.begin(); it != j.end(); ++it) {
        std::string key = it.key();
        std::replace(key.begin(), key.end(), '_', '-');
        if (!defaults.contains(key)) {
            std::string known;
            for (auto d = defaults.begin(); d != defaults.end(); ++d)
                known += (known.empty() ? "" : ", ") + d.key();
            throw Error(source + ": unknown setting '" + it.key() + "'; known settings: " + known);
        }
    }
    auto get = [&](const char* key) -> const Json* {
        std::string alt = key;
        std::replace(alt.begin(), alt.end(), '-', '_');
        if (j.contains(key)) return &j[key];
        if (j.contains(alt)) return &j[alt];
        return nullptr;
    };
    auto str = [&](const char* key, std::string& dst) {
        if (const Json* v = get(key)) {
            if (v->is_string())
                dst = v->get<std::string>();
            else if (v->is_number() || v->is_boolean())
                dst = v->dump();
            else
                throw Error(source + ": setting '" + key + "' must be a string");
        }
    };
    auto num = [&](const char* key, auto& dst) {
        if (const Json* v = get(key)) {
            using T = std::decay_t<decltype(dst)>;
            if (v->is_number()) {
                dst = v->get<T>();
            } else if (v->is_string()) {
                try {
                    std::size_t used = 0;
                    const double d = std::stod(v->get<std::string>(), &used);
                    if (used != v->get<std::string>().size()) throw std::invalid_argument("trailing");
                    dst = static_cast<T>(d);
                } catch (const std::exception&) {
                    throw Error(source + ": setting '" + key + "' must be a number (got \"" +
                                v->get<std::string>() + "\")");
                }
            } else {
                throw Error(source + ": setting '" + key + "' must be a number");
            }
        }
    };
    auto flag = [&](const char* key, bool& dst) {
        if (const Json* v = get(key)) {
            if (v->is_boolean())
                dst = v->get<bool>();
            else if (v->is_string() && (*v == "true" || *v == "1" || *v == "yes"))
                dst = true;
            else if (v->is_string() && (*v == "false" || *v == "0" || *v == "no"))
                dst = false;
            else
                throw Error(source + ": setting '" + key + "' must be true or false");
        }
    };
    str("model", o.modelPath);
    str("data", o.dataPath);
    str("eval-data", o.evalDataPath);
    str("format", o.format);
    str("template", o.templateName);
    str("train-on", o.trainOn);
    str("truncation", o.truncation);
    str("init-adapter", o.initAdapter);
    num("lora-rank", o.lora.rank);
    num("lora-alpha", o.lora.alpha);
    num("lora-dropout", o.lora.dropout);
    flag("rslora", o.lora.rslora);
    if (const Json* v = get("targets")) {
        if (v->is_array()) {
            o.lora.targets.clear();
            for (const auto& t : *v) {
                if (!t.is_string()) throw Error(source + ": 'targets' must list module names");
                o.lora.targets.push_back(t.get<std::string>());
            }
        } else if (v->is_string()) {
            o.lora.targets = parseLoraTargets(v->get<std::string>());
        } else {
            throw Error(source + ": 'targets' must be a list or a comma-separated string");
        }
    }
    num("lr", o.lr);
    str("schedule", o.schedule);
    num("warmup", o.warmupSteps);
    num("warmup-ratio", o.warmupRatio);
    num("weight-decay", o.weightDecay);
    num("adam-beta1", o.beta1);
    num("adam-beta2", o.beta2);
    num("adam-eps", o.adamEps);
    num("max-grad-norm", o.maxGradNorm);
    num("epochs", o.epochs);
    num("max-steps", o.maxSteps);
    num("batch-size", o.batchSize);
    num("grad-accum", o.gradAccum);
    num("max-seq-len", o.maxSeqLen);
    flag("packing", o.packing);
    flag("gradient-checkpointing", o.gradientCheckpointing);
    num("seed", o.seed);
    num("eval-split", o.evalSplit);
    num("eval-every", o.evalEvery);
    num("save-every", o.saveEvery);
    num("keep-checkpoints", o.keepCheckpoints);
    str("device", o.device);
    str("dtype", o.dtype);
    num("threads", o.threads);
    str("out", o.outDir);
    str("name", o.runName);
    return o;
}

void TrainOptions::validate() const {
    auto bad = [](const std::string& what) { throw Error(what); };
    if (modelPath.empty()) bad("no model given: pass --model with a Hugging Face model folder");
    if (dataPath.empty()) bad("no dataset given: pass --data with a JSONL, JSON or CSV file");
    lora.validate();
    if (!(lr > 0))
        bad("the learning rate must be positive (got " + num(lr) + "); 1e-4 to 3e-4 is typical for LoRA");
    if (lr > 1.0)
        bad("a learning rate of " + num(lr) + " is far too large for LoRA; 1e-4 to 3e-4 is typical");
    parseScheduleKind(schedule);
    if (warmupSteps < 0) bad("--warmup must be 0 or more steps");
    if (warmupRatio < 0 || warmupRatio >= 1) bad("--warmup-ratio must be in [0, 1)");
    if (weightDecay < 0) bad("--weight-decay cannot be negative");
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) bad("Adam betas must be in [0, 1)");
    if (!(adamEps > 0)) bad("--adam-eps must be positive");
    if (maxGradNorm < 0) bad("--max-grad-norm cannot be negative (0 turns clipping off)");
    if (epochs < 1 && maxSteps <= 0) bad("--epochs must be at least 1 (or give --max-steps)");
    if (maxSteps < 0) bad("--max-steps cannot be negative");
    if (batchSize < 1) bad("--batch-size must be at least 1");
    if (gradAccum < 1) bad("--grad-accum must be at least 1");
    if (maxSeqLen < 2) bad("--max-seq-len must be at least 2 tokens");
    if (evalSplit < 0 || evalSplit >= 1) bad("--eval-split must be a fraction in [0, 1), e.g. 0.1");
    if (evalEvery < 0 || saveEvery < 0) bad("--eval-every and --save-every must be 0 or more steps");
    if (keepCheckpoints < 0) bad("--keep-checkpoints cannot be negative (0 keeps all)");
    if (trainOn != "auto" && trainOn != "assistant" && trainOn != "all")
        bad("--train-on must be auto, assistant or all (got '" + trainOn + "')");
    if (truncation != "drop" && truncation != "right")
        bad("--truncation must be drop or right (got '" + truncation + "')");
    if (threads < 0) bad("--threads cannot be negative");
}

Json readConfigFile(const std::string& path) {
    const std::string text = readTextFile(path);
    std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') {
        try {
            return Json::parse(text);
        } catch (const std::exception& e) {
            throw Error(path + ": not valid JSON: " + e.what());
        }
    }
    // YAML subset.
    Json out = Json::object();
    std::istringstream in(text);
    std::string line, listKey;
    int lineNo = 0;
    auto trim = [](std::string s) {
        s.erase(0, s.find_first_not_of(" \t\r"));
        s.erase(s.find_last_not_of(" \t\r") + 1);
        return s;
    };
    auto scalar = [&](std::string v) -> Json {
        v = trim(v);
        if (v.size() >= 2 &&
            ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\'')))
            return v.substr(1, v.size() - 2);
        if (v == "true" || v == "yes") return true;
        if (v == "false" || v == "no") return false;
        if (v == "null" || v == "~" || v.empty()) return nullptr;
        try {
            std::size_t used = 0;
            const double d = std::stod(v, &used);
            if (used == v.size()) {
                if (v.find_first_of(".eE") == std::string::npos) return static_cast<std::int64_t>(d);
                return d;
            }
        } catch (const std::exception&) {
        }
        return v;
    };
    while (std::getline(in, line)) {
        ++lineNo;
        // Strip comments that start a line or follow whitespace (not inside quotes — configs rarely need it).
        auto hash = line.find(" #");
        if (line.rfind('#', 0) == 0 || trim(line).rfind('#', 0) == 0) continue;
        if (hash != std::string::npos) line = line.substr(0, hash);
        if (trim(line).empty()) continue;
        std::string t = trim(line);
        if (t.rfind("- ", 0) == 0 || t == "-") {
            if (listKey.empty())
                throw Error(path + ":" + std::to_string(lineNo) + ": a list item without a key above it");
            if (!out[listKey].is_array()) out[listKey] = Json::array();
            out[listKey].push_back(scalar(t.substr(1)));
            continue;
        }
        auto colon = t.find(':');
        if (colon == std::string::npos)
            throw Error(path + ":" + std::to_string(lineNo) + ": expected 'key: value' (got \"" + t + "\")");
        std::string key = trim(t.substr(0, colon));
        std::string value = trim(t.substr(colon + 1));
        if (key.empty()) throw Error(path + ":" + std::to_string(lineNo) + ": empty key");
        if (value.empty()) {
            listKey = key;
            out[key] = Json::array();
            continue;
        }
        listKey.clear();
        if (value.front() == '[') {
            if (value.back() != ']')
                throw Error(path + ":" + std::to_string(lineNo) +
                            ": a list must close with ']' on the same line");
            Json arr = Json::array();
            std::stringstream ss(value.substr(1, value.size() - 2));
            std::string item;
            while (std::getline(ss, item, ','))
                if (!trim(item).empty()) arr.push_back(scalar(item));
            out[key] = arr;
        } else {
            out[key] = scalar(value);
        }
    }
    return out;
}

} // namespace hone
