// Streaming LoRA merge: one output tensor at a time (base tensor -> F32 -> + scale * B @ A -> chosen dtype),
// written straight into its shard, so memory holds at most one tensor in F32 and its cast copy.
#include "export/merge_model.h"

#include "common/error.h"
#include "common/json.h"
#include "common/mapped_file.h"
#include "common/parallel.h"
#include "data/builtin_templates.h"
#include "export/export_folder.h"
#include "export/peft_adapter.h"
#include "model/ggml_dequant.h"
#include "model/ggml_quant.h"
#include "model/gguf_file.h"
#include "model/safetensors_file.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

namespace hone {

namespace fs = std::filesystem;

namespace {

struct Planned {
    std::string name;
    const SafetensorsTensor* src = nullptr;
    const LoraPair* pair = nullptr;
    const SafetensorsTensor* replacement = nullptr;
    StDType dtype = StDType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t bytes = 0;
    std::size_t shard = 0;
};

bool isFloat(StDType t) {
    return t == StDType::F32 || t == StDType::F16 || t == StDType::BF16 || t == StDType::F64;
}

StDType dtypeFromName(const std::string& canonical) {
    if (canonical == "f16") return StDType::F16;
    if (canonical == "bf16") return StDType::BF16;
    return StDType::F32;
}

const char* torchDTypeName(StDType t) {
    return t == StDType::F16 ? "float16" : t == StDType::BF16 ? "bfloat16" : "float32";
}

std::int64_t elementsOf(const std::vector<std::int64_t>& shape) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

// Elements [first, first + n) of a float tensor as F32.
void toF32(const SafetensorsTensor& t, std::int64_t first, std::int64_t n, float* dst) {
    const std::size_t size = stDTypeSize(t.dtype);
    const std::uint8_t* p = t.data + static_cast<std::size_t>(first) * size;
    switch (t.dtype) {
    case StDType::F32:
        std::memcpy(dst, p, static_cast<std::size_t>(n) * 4);
        return;
    case StDType::F64:
        for (std::int64_t i = 0; i < n; ++i) {
            double d;
            std::memcpy(&d, p + 8 * i, 8);
            dst[i] = static_cast<float>(d);
        }
        return;
    case StDType::F16:
    case StDType::BF16:
        for (std::int64_t i = 0; i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, p + 2 * i, 2);
            dst[i] = t.dtype == StDType::F16 ? fp16ToF32(h) : bf16ToF32(h);
        }
        return;
    default:
        throw Error("tensor '" + t.name + "' has dtype " + stDTypeName(t.dtype) + ", not a float type");
    }
}

std::vector<float> toF32(const SafetensorsTensor& t) {
    std::vector<float> v(static_cast<std::size_t>(t.elements()));
    toF32(t, 0, t.elements(), v.data());
    return v;
}

// Rows [row0, row0 + rows) of W[out, in] (in w, row-major) += scale * B @ A, rows split over threads.
void addLora(float* w, std::int64_t row0, std::int64_t rows, const LoraPair& p, const std::vector<float>& a,
             const std::vector<float>& b, unsigned threads) {
    const std::int64_t r = p.a->shape[0], in = p.a->shape[1];
    const auto scale = static_cast<float>(p.scale);
    std::atomic<std::int64_t> next{0};
    const std::int64_t chunk = 16;
    runOnThreads(threads, [&] {
        for (std::int64_t o0 = next.fetch_add(chunk); o0 < rows; o0 = next.fetch_add(chunk))
            for (std::int64_t o = o0; o < std::min(rows, o0 + chunk); ++o) {
                float* row = w + o * in;
                for (std::int64_t k = 0; k < r; ++k) {
                    const float c = scale * b[static_cast<std::size_t>((row0 + o) * r + k)];
                    const float* ar = a.data() + k * in;
                    for (std::int64_t i = 0; i < in; ++i) row[i] += c * ar[i];
                }
            }
    });
}

// rows x cols F32 values as `t` (F32, F16 or BF16, rounded to nearest even).
std::vector<std::uint8_t> castF32(const float* v, std::int64_t rows, std::int64_t cols, StDType t,
                                  unsigned threads, const std::string& name) {
    if (t == StDType::F32) {
        std::vector<std::uint8_t> out(static_cast<std::size_t>(rows * cols) * 4);
        std::memcpy(out.data(), v, out.size());
        return out;
    }
    const auto type = static_cast<std::uint32_t>(t == StDType::F16 ? GgmlType::F16 : GgmlType::BF16);
    try {
        return quantizeRows(type, v, rows, cols, threads);
    } catch (const Error& e) {
        throw Error("tensor '" + name + "' cannot be stored as " + torchDTypeName(t) + ": " + e.what() +
                    "; export as f32 instead");
    }
}

OrderedJson readOrderedJson(const fs::path& path) {
    try {
        return OrderedJson::parse(readTextFile(path.string(), 256u << 20));
    } catch (const OrderedJson::exception& e) {
        throw Error(path.string() + " is not valid JSON (" + e.what() + ")");
    }
}

bool isWeightOrConfigFile(const std::string& n) {
    auto ends = [&](const char* s) {
        const std::size_t l = std::strlen(s);
        return n.size() >= l && n.compare(n.size() - l, l, s) == 0;
    };
    return n == "config.json" || ends(".safetensors") || ends(".safetensors.index.json") || ends(".bin") ||
           ends(".bin.index.json") || ends(".pt") || ends(".pth") || ends(".gguf") || ends(".h5") ||
           ends(".msgpack") || ends(".ckpt") || n.empty() || n[0] == '.';
}

// Tokens in tokenizer.json's added_tokens and tokenizer_config.json's added_tokens_decoder, the chat template
// the adapter was trained with, the end-of-turn token among the stop ids.
void writeTokenizerFiles(const fs::path& baseDir, const fs::path& out, const PeftAdapter& adapter) {
    const auto added = adapter.addedTokens();
    const std::string tplName = adapter.templateName();
    const std::string tplSource = adapter.templateSource();
    const bool ownTemplate = !tplName.empty() && tplName != "model" && !tplSource.empty();
    auto tokenJson = [](const AddedToken& t) {
        OrderedJson j = OrderedJson::object();
        j["id"] = t.id;
        j["content"] = t.content;
        j["single_word"] = false;
        j["lstrip"] = false;
        j["rstrip"] = false;
        j["normalized"] = false;
        j["special"] = true;
        return j;
    };
    if (fs::exists(baseDir / "tokenizer.json") && !added.empty()) {
        OrderedJson tj = readOrderedJson(baseDir / "tokenizer.json");
        if (!tj["added_tokens"].is_array()) tj["added_tokens"] = OrderedJson::array();
        std::set<std::int32_t> have;
        for (const auto& t : tj["added_tokens"])
            if (t.contains("id") && t["id"].is_number_integer()) have.insert(t["id"].get<std::int32_t>());
        for (const auto& t : added)
            if (!have.count(t.id)) tj["added_tokens"].push_back(tokenJson(t));
        writeTextFile((out / "tokenizer.json").string(), tj.dump(2) + "\n");
    }
    if (!added.empty() || ownTemplate) {
        OrderedJson tc = fs::exists(baseDir / "tokenizer_config.json")
                             ? readOrderedJson(baseDir / "tokenizer_config.json")
                             : OrderedJson::object();
        if (!added.empty()) {
            if (!tc["added_tokens_decoder"].is_object()) tc["added_tokens_decoder"] = OrderedJson::object();
            for (const auto& t : added) {
                OrderedJson j = tokenJson(t);
                j.erase("id");
                tc["added_tokens_decoder"][std::to_string(t.id)] = j;
            }
        }
        if (ownTemplate) tc["chat_template"] = tplSource;
        writeTextFile((out / "tokenizer_config.json").string(), tc.dump(2) + "\n");
        if (ownTemplate && fs::exists(baseDir / "chat_template.jinja"))
            writeTextFile((out / "chat_template.jinja").string(), tplSource);
    }
    // The end-of-turn token of a Hone template (ChatML's <|im_end|>) stops generation too.
    std::string endOfTurn;
    if (ownTemplate) try {
            endOfTurn = data::builtinTemplate(tplName).endOfTurn;
        } catch (const Error&) {
        }
    std::int32_t eotId = -1;
    for (const auto& t : added)
        if (t.content == endOfTurn) eotId = t.id;
    if (eotId >= 0) {
        OrderedJson gc = fs::exists(baseDir / "generation_config.json")
                             ? readOrderedJson(baseDir / "generation_config.json")
                             : OrderedJson::object();
        OrderedJson eos = gc.contains("eos_token_id") ? gc["eos_token_id"] : OrderedJson();
        if (!eos.is_array()) eos = eos.is_number_integer() ? OrderedJson::array({eos}) : OrderedJson::array();
        if (std::find(eos.begin(), eos.end(), OrderedJson(eotId)) == eos.end()) eos.push_back(eotId);
        gc["eos_token_id"] = eos;
        writeTextFile((out / "generation_config.json").string(), gc.dump(2) + "\n");
    }
}

std::string shardName(std::size_t i, std::size_t n) {
    if (n == 1) return "model.safetensors";
    char b[64];
    std::snprintf(b, sizeof b, "model-%05zu-of-%05zu.safetensors", i + 1, n);
    return b;
}

void writeShard(const std::string& path, const std::vector<const Planned*>& tensors, unsigned threads,
                const std::function<void(const Planned&)>& progress) {
    OrderedJson header = OrderedJson::object();
    header["__metadata__"] = {{"format", "pt"}};
    std::uint64_t offset = 0;
    for (const Planned* p : tensors) {
        header[p->name] = {{"dtype", stDTypeName(p->dtype)},
                           {"shape", p->shape},
                           {"data_offsets", {offset, offset + p->bytes}}};
        offset += p->bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    OutputFile f(path);
    const std::uint64_t len = text.size();
    std::uint8_t le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<std::uint8_t>(len >> (8 * i));
    f.write(le, 8);
    f.write(text.data(), text.size());
    for (const Planned* p : tensors) {
        if (progress) progress(*p);
        if (!p->pair && !p->replacement && p->dtype == p->src->dtype) {
            constexpr std::uint64_t kPiece = 16u << 20;
            for (std::uint64_t off = 0; off < p->src->nbytes(); off += kPiece) {
                const std::uint64_t n = std::min(kPiece, p->src->nbytes() - off);
                f.write(p->src->data + off, n);
                releaseMappedPages(p->src->data + off, n);
            }
            continue;
        }
        // Row blocks of about 4M elements: memory holds one block in F32 and its cast, never the tensor.
        const SafetensorsTensor& from = p->replacement ? *p->replacement : *p->src;
        const std::int64_t total = elementsOf(p->shape);
        const std::int64_t rowsAll = p->shape.size() >= 2 ? p->shape[0] : 1;
        const std::int64_t cols = rowsAll > 0 ? total / rowsAll : 0;
        const std::int64_t block =
            std::max<std::int64_t>(1, (std::int64_t(1) << 22) / std::max<std::int64_t>(1, cols));
        std::vector<float> a, b;
        if (p->pair) {
            a = toF32(*p->pair->a);
            b = toF32(*p->pair->b);
        }
        std::vector<float> w;
        std::uint64_t written = 0;
        for (std::int64_t r0 = 0; r0 < rowsAll; r0 += block) {
            const std::int64_t rows = std::min(block, rowsAll - r0);
            w.resize(static_cast<std::size_t>(rows * cols));
            toF32(from, r0 * cols, rows * cols, w.data());
            if (p->pair) addLora(w.data(), r0, rows, *p->pair, a, b, threads);
            const auto bytes = castF32(w.data(), rows, cols, p->dtype, threads, p->name);
            f.write(bytes.data(), bytes.size());
            written += bytes.size();
            const std::size_t size = stDTypeSize(from.dtype);
            releaseMappedPages(from.data + static_cast<std::size_t>(r0 * cols) * size,
                               static_cast<std::uint64_t>(rows * cols) * size);
        }
        if (written != p->bytes) throw Error("internal error: size of merged tensor '" + p->name + "'");
    }
    f.finish();
}

} // namespace

std::string canonicalExportDType(const std::string& name) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (n == "f32" || n == "float32" || n == "fp32") return "f32";
    if (n == "f16" || n == "float16" || n == "fp16" || n == "half") return "f16";
    if (n == "bf16" || n == "bfloat16") return "bf16";
    throw Error("unknown dtype '" + name + "': choose f32, f16 or bf16");
}

MergeReport mergeAdapter(const std::string& baseDir, const PeftAdapter& adapter, const std::string& outDir,
                         const MergeOptions& o) {
    const unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    const fs::path base(baseDir);
    if (!fs::exists(base / "config.json"))
        throw Error(baseDir + " has no config.json; give the base model's Hugging Face folder with --model");
    SafetensorsCheckpoint ckpt = SafetensorsCheckpoint::openFolder(baseDir);
    const bool tied = ckpt.find("lm_head.weight") == nullptr;
    adapter.checkBase(ckpt, tied);
    OrderedJson config = readOrderedJson(base / "config.json");

    // The base's dtype: config.json's torch_dtype (or dtype), else its first float tensor's.
    std::string dtype = o.dtype.empty() ? std::string() : canonicalExportDType(o.dtype);
    if (dtype.empty()) {
        for (const char* key : {"torch_dtype", "dtype"})
            if (dtype.empty() && config.contains(key) && config[key].is_string()) try {
                    dtype = canonicalExportDType(config[key].get<std::string>());
                } catch (const Error&) {
                }
        for (const auto& n : ckpt.names()) {
            if (!dtype.empty()) break;
            const auto& t = ckpt.require(n);
            if (t.dtype == StDType::F16 || t.dtype == StDType::BF16 || t.dtype == StDType::F32)
                dtype = t.dtype == StDType::F16 ? "f16" : t.dtype == StDType::BF16 ? "bf16" : "f32";
        }
        if (dtype.empty()) dtype = "f32";
    }
    const StDType outType = dtypeFromName(dtype);

    std::map<std::string, const LoraPair*> pairs;
    for (const auto& p : adapter.pairs()) pairs[p.baseWeight] = &p;
    std::map<std::string, const SafetensorsTensor*> replaced;
    for (const auto& r : adapter.replaced()) replaced[r.baseName] = r.tensor;

    MergeReport rep;
    rep.dir = outDir;
    rep.dtype = dtype;
    std::vector<Planned> plan;
    for (const auto& name : ckpt.names()) {
        Planned p;
        p.name = name;
        p.src = &ckpt.require(name);
        p.dtype = isFloat(p.src->dtype) ? outType : p.src->dtype;
        p.shape = p.src->shape;
        if (auto it = pairs.find(name); it != pairs.end()) {
            p.pair = it->second;
            ++rep.mergedTensors;
        }
        if (auto it = replaced.find(name); it != replaced.end()) {
            p.replacement = it->second;
            p.shape = it->second->shape;
            p.pair = nullptr;
            ++rep.replacedTensors;
        }
        if (!isFloat(p.src->dtype) && (p.pair || p.replacement))
            throw Error("base tensor '" + name + "' is not a float tensor; the adapter cannot change it");
        p.bytes = static_cast<std::uint64_t>(elementsOf(p.shape)) * stDTypeSize(p.dtype);
        plan.push_back(std::move(p));
    }
    std::size_t shards = 0;
    std::uint64_t inShard = 0;
    for (auto& p : plan) {
        if (shards == 0 || (inShard > 0 && inShard + p.bytes > o.shardBytes)) {
            ++shards;
            inShard = 0;
        }
        p.shard = shards - 1;
        inShard += p.bytes;
        rep.weightBytes += p.bytes;
    }

    // Added tokens grow the vocabulary.
    const std::int64_t rows = adapter.embeddingRows();
    OrderedJson* vocabHolder = config.contains("text_config") && config["text_config"].contains("vocab_size")
                                   ? &config["text_config"]
                                   : &config;
    const std::int64_t baseVocab = (*vocabHolder).value("vocab_size", std::int64_t(0));
    if (rows > baseVocab) {
        (*vocabHolder)["vocab_size"] = rows;
        rep.addedTokens = static_cast<int>(rows - baseVocab);
    }
    rep.vocabSize = std::max(rows, baseVocab);
    config["torch_dtype"] = torchDTypeName(outType);
    if (config.contains("dtype")) config["dtype"] = torchDTypeName(outType);

    std::size_t done = 0;
    writeFolderAtomically(outDir, [&](const std::string& tmpDir) {
        const fs::path tmp(tmpDir);
        OrderedJson weightMap = OrderedJson::object();
        for (std::size_t s = 0; s < shards; ++s) {
            std::vector<const Planned*> in;
            for (const auto& p : plan)
                if (p.shard == s) {
                    in.push_back(&p);
                    weightMap[p.name] = shardName(s, shards);
                }
            writeShard((tmp / shardName(s, shards)).string(), in, threads, [&](const Planned& p) {
                ++done;
                if (o.progress)
                    o.progress("merge " + std::to_string(done) + "/" + std::to_string(plan.size()) + " " +
                               p.name +
                               (p.pair          ? " (+ LoRA)"
                                : p.replacement ? " (from the adapter)"
                                                : ""));
            });
            rep.files.push_back(shardName(s, shards));
        }
        if (shards > 1) {
            OrderedJson index = {{"metadata", {{"total_size", rep.weightBytes}}}, {"weight_map", weightMap}};
            writeTextFile((tmp / "model.safetensors.index.json").string(), index.dump(2) + "\n");
            rep.files.push_back("model.safetensors.index.json");
        }
        writeTextFile((tmp / "config.json").string(), config.dump(2) + "\n");
        for (const auto& e : fs::directory_iterator(base)) {
            const std::string n = e.path().filename().string();
            if (!e.is_regular_file() || isWeightOrConfigFile(n)) continue;
            fs::copy_file(e.path(), tmp / n, fs::copy_options::overwrite_existing);
        }
        writeTokenizerFiles(base, tmp, adapter);
        rep.files.push_back("config.json");
        for (const auto& e : fs::directory_iterator(tmp)) {
            const std::string n = e.path().filename().string();
            if (std::find(rep.files.begin(), rep.files.end(), n) == rep.files.end()) rep.files.push_back(n);
        }
    });
    for (auto& f : rep.files) f = (fs::path(outDir) / f).string();
    return rep;
}

} // namespace hone
