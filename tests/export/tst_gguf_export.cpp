// GGUF export of Hugging Face folders against files llama.cpp wrote: tensors (names, shapes, types, bytes)
// and metadata of F32 exports vs. the fixtures' F32 GGUFs, F16/BF16 exports vs. the F32 one rounded,
// Q8_0/Q4_0 bytes and K-quant preset types vs. llama-quantize's files, the embedded tokenizer vs. the HF
// tokenizer, the pre-tokenizer hash vs. llama.cpp's table, and bad input. Every exported file is read back
// with Hone's GgufFile.
#include "common/error.h"
#include "common/test_support.h"
#include "export/gguf_export.h"
#include "export/gguf_tokenizer_export.h"
#include "export/sha256.h"
#include "model/ggml_dequant.h"
#include "model/ggml_quant.h"
#include "model/gguf_file.h"
#include "model/gguf_writer.h"
#include "model/safetensors_file.h"
#include "tokenizer/tokenizer.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstring>
#include <filesystem>
#include <set>

using namespace hone;
using hone::test::fixture;

namespace {

template <typename F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

std::string str(const QString& s) {
    return s.toStdString();
}

// Empty when key has the same type and value in both files, else what differs.
std::string diffValue(const GgufFile& fa, const GgufFile& fb, const std::string& key) {
    const GgufValue &a = fa.value(key), &b = fb.value(key);
    if (a.type != b.type) return std::string("type ") + ggufTypeName(a.type) + " vs " + ggufTypeName(b.type);
    switch (a.type) {
    case GgufType::String:
        return a.str == b.str ? ""
                              : "'" + std::string(a.str.substr(0, 80)) + "' vs '" +
                                    std::string(b.str.substr(0, 80)) + "'";
    case GgufType::Array:
        if (a.elemType != b.elemType || a.count != b.count)
            return "array of " + std::to_string(a.count) + " " + ggufTypeName(a.elemType) + " vs " +
                   std::to_string(b.count) + " " + ggufTypeName(b.elemType);
        if (a.elemType == GgufType::String) {
            for (std::size_t i = 0; i < a.strings.size(); ++i)
                if (a.strings[i] != b.strings[i])
                    return "element " + std::to_string(i) + ": '" + std::string(a.strings[i]) + "' vs '" +
                           std::string(b.strings[i]) + "'";
            return "";
        }
        if (a.elemType == GgufType::F32) {
            const auto x = fa.getF32Array(key), y = fb.getF32Array(key);
            return std::memcmp(x.data(), y.data(), x.size() * 4) == 0 ? "" : "float elements differ";
        }
        return fa.getI32Array(key) == fb.getI32Array(key) ? "" : "integer elements differ";
    default:
        return a.u == b.u && a.i == b.i && (a.f == b.f || (a.f != a.f && b.f != b.f))
                   ? ""
                   : "value " + std::to_string(a.u) + "/" + std::to_string(a.i) + "/" + std::to_string(a.f) +
                         " vs " + std::to_string(b.u) + "/" + std::to_string(b.i) + "/" + std::to_string(b.f);
    }
}

// The tensors agree in name, shape, type and bytes (but those of ref named in `except`).
void compareTensors(const GgufFile& got, const GgufFile& ref, const std::set<std::string>& except = {}) {
    QCOMPARE(got.tensors().size() + except.size(), ref.tensors().size());
    for (const auto& r : ref.tensors()) {
        if (except.count(r.name)) continue;
        const GgufTensor* t = got.findTensor(r.name);
        QVERIFY2(t, ("export lacks tensor " + r.name).c_str());
        QVERIFY2(t->dims == r.dims, ("shape of " + r.name).c_str());
        QVERIFY2(
            t->type == r.type,
            ("type of " + r.name + ": " + ggmlTypeName(t->type) + " vs " + ggmlTypeName(r.type)).c_str());
        QCOMPARE(t->nbytes, r.nbytes);
        QVERIFY2(std::memcmp(t->data, r.data, r.nbytes) == 0, ("bytes of " + r.name).c_str());
    }
}

// Keys of llama.cpp's file that an export cannot or should not reproduce:
// - general.name: the fixture generator's run name ("refgen-llama"); an export names the model after its
//   folder or the caller's choice.
// - tokenizer.ggml.padding_token_id: the fixture generator wrote 0 although tokenizer_config.json says
//   pad_token null and config.json has no pad_token_id; gguf-py's SpecialVocab (which the export follows)
//   writes no padding id for these files.
const std::set<std::string> kSkippedKeys = {"general.name", "tokenizer.ggml.padding_token_id"};
// Keys the export writes that the fixtures lack (the fixtures were written without them), each one that
// llama.cpp's converter writes for such a folder: the pre-tokenizer name ("default" for
// SentencePiece-style vocabularies), the unknown token id of tokenizer_config.json (SpecialVocab), and
// Gemma's add_space_prefix = false (Gemma2Model/Gemma3Model.set_vocab).
const std::set<std::string> kExtraKeys = {"tokenizer.ggml.pre", "tokenizer.ggml.unknown_token_id",
                                          "tokenizer.ggml.add_space_prefix"};

// Everything in `ref` (but the skipped keys) is in `got` with the same value; `got` has nothing else but
// kExtraKeys; the tensors agree.
void compareWithReference(const GgufFile& got, const GgufFile& ref) {
    for (const auto& key : ref.keys()) {
        if (kSkippedKeys.count(key)) continue;
        QVERIFY2(got.has(key), ("export lacks key " + key).c_str());
        const std::string d = diffValue(got, ref, key);
        QVERIFY2(d.empty(), (key + ": " + d).c_str());
    }
    for (const auto& key : got.keys())
        QVERIFY2(ref.has(key) || kSkippedKeys.count(key) || kExtraKeys.count(key),
                 ("export has key " + key + " that llama.cpp's file lacks").c_str());
    compareTensors(got, ref);
}

std::uint16_t bf16Rne(float f) { // round to nearest even, as gguf-py's BF16 conversion
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return static_cast<std::uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}

GgufExportOptions withType(const char* t) {
    GgufExportOptions o;
    o.outType = t;
    return o;
}

const char* const kSampleTexts[] = {
    "Once upon a time, there was a little girl named Lily. She loved to play outside.",
    "  Leading spaces, trailing spaces  \n\nand\tTabs\r\n",
    "int main(int argc, char** argv) {\n    for (int i = 0; i < 10; ++i) printf(\"%d\\n\", i);\n    return "
    "0;\n}",
    "def f(x):\n    return {'a': x ** 2, \"b\": [1, 2, 3]}  # comment",
    "Unicode: caf\u00e9 na\u00efve \u00fcber \u65e5\u672c\u8a9e\u306e\u6587 "
    "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439 \U0001F680\U0001F999 "
    "\u0645\u0631\u062D\u0628\u0627",
    "Numbers 3.14159 1234567 and 'quotes' I've you'll WE'RE",
    // special tokens written in the text (control tokens of the exported vocabulary)
    "<s>Hello</s> <|im_start|>user\nHi<|im_end|>\n<|begin_of_text|><|start_header_id|>x<|eot_id|>",
};

} // namespace

class TstGgufExport : public QObject {
    Q_OBJECT

private slots:
    void sha256KnownVectors();
    void llamaRandomF32MatchesLlamaCpp();
    void archF32MatchesLlamaCpp_data();
    void archF32MatchesLlamaCpp();
    void stories260KMatchesLlamaCpp_data();
    void stories260KMatchesLlamaCpp();
    void halfPrecisionIsTheF32Rounded();
    void quantisedPresetsMatchLlamaQuantize_data();
    void quantisedPresetsMatchLlamaQuantize();
    void exportedTokenizerEncodesLikeHf_data();
    void exportedTokenizerEncodesLikeHf();
    void spmScoresMatchSentencePiece();
    void preTokenizerHashNamesLlamaCppPre();
    void oddRowLengthsFallBack();
    void progressAndReport();
    void badInput();
};

void TstGgufExport::sha256KnownVectors() {
    // FIPS 180-2 appendix B examples.
    QCOMPARE(QString::fromStdString(sha256Hex("abc")),
             QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(QString::fromStdString(sha256Hex("")),
             QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(QString::fromStdString(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
             QStringLiteral("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    QCOMPARE(QString::fromStdString(sha256Hex(std::string(1000000, 'a'))),
             QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

void TstGgufExport::llamaRandomF32MatchesLlamaCpp() {
    const QString hf = fixture("gguf-quant/llama-random-hf"),
                  ref = fixture("gguf-quant/llama-random-f32.gguf");
    HONE_REQUIRE_PATH(hf);
    HONE_REQUIRE_PATH(ref);
    QTemporaryDir tmp;
    const std::string out = str(tmp.filePath("llama-random-f32.gguf"));
    const auto report = exportGguf(str(hf), out, withType("f32"));
    QCOMPARE(QString::fromStdString(report.arch), QStringLiteral("llama"));
    QCOMPARE(report.fileType, 0u);
    QCOMPARE(report.fileBytes, static_cast<std::uint64_t>(std::filesystem::file_size(out)));
    const GgufFile got = GgufFile::open(out);
    compareWithReference(got, GgufFile::open(str(ref)));
    QCOMPARE(got.getU64("tokenizer.ggml.unknown_token_id"), 0ull);
    QCOMPARE(QString::fromStdString(got.getString("tokenizer.ggml.pre")), QStringLiteral("default"));
}

void TstGgufExport::archF32MatchesLlamaCpp_data() {
    QTest::addColumn<QString>("arch");
    for (const char* a : {"llama", "llama3rope", "qwen2", "qwen3", "gemma2", "gemma3"}) QTest::newRow(a) << a;
}

void TstGgufExport::archF32MatchesLlamaCpp() {
    QFETCH(QString, arch);
    const QString hf = fixture("archs/" + arch + "/hf"), ref = fixture("archs/" + arch + "/model-f32.gguf");
    HONE_REQUIRE_PATH(hf);
    HONE_REQUIRE_PATH(ref);
    QTemporaryDir tmp;
    const std::string out = str(tmp.filePath("model.gguf"));
    exportGguf(str(hf), out, withType("F32"));
    compareWithReference(GgufFile::open(out), GgufFile::open(str(ref)));
}

void TstGgufExport::stories260KMatchesLlamaCpp_data() {
    QTest::addColumn<QString>("outType");
    QTest::addColumn<QString>("reference");
    QTest::newRow("F32") << "F32"
                         << "models/stories260K-gguf/stories260K-f32.v3.gguf";
    QTest::newRow("F16") << "F16"
                         << "models/stories260K-gguf/stories260K-F16.gguf";
}

void TstGgufExport::stories260KMatchesLlamaCpp() {
    // A real pretrained model with tied embeddings, converted by llama.cpp's tools long ago: its metadata
    // predates today's converter (no vocab_size, key_length, ...), so only the tensors are compared.
    QFETCH(QString, outType);
    QFETCH(QString, reference);
    const QString hf = fixture("models/stories260K"), ref = fixture(reference);
    HONE_REQUIRE_PATH(hf);
    HONE_REQUIRE_PATH(ref);
    QTemporaryDir tmp;
    const std::string out = str(tmp.filePath("s.gguf"));
    const auto report = exportGguf(str(hf), out, withType(str(outType).c_str()));
    // The old file stores the tied output projection as a copy of token_embd; the export leaves it out, as
    // today's converter does for tie_word_embeddings.
    const GgufFile got = GgufFile::open(out), want = GgufFile::open(str(ref));
    QVERIFY(!got.findTensor("output.weight"));
    const GgufTensor *out1 = want.findTensor("output.weight"), *embd = want.findTensor("token_embd.weight");
    QVERIFY(out1 && embd && out1->nbytes == embd->nbytes &&
            std::memcmp(out1->data, embd->data, embd->nbytes) == 0);
    compareTensors(got, want, {"output.weight"});
}

void TstGgufExport::halfPrecisionIsTheF32Rounded() {
    const QString hf = fixture("gguf-quant/llama-random-hf");
    HONE_REQUIRE_PATH(hf);
    QTemporaryDir tmp;
    const std::string f32 = str(tmp.filePath("f32.gguf")), f16 = str(tmp.filePath("f16.gguf")),
                      bf16 = str(tmp.filePath("bf16.gguf"));
    exportGguf(str(hf), f32, withType("F32"));
    exportGguf(str(hf), f16, withType("F16"));
    exportGguf(str(hf), bf16, withType("bf16"));
    const GgufFile a = GgufFile::open(f32), h = GgufFile::open(f16), b = GgufFile::open(bf16);
    QCOMPARE(h.getU64("general.file_type"), 1ull);  // LLAMA_FTYPE_MOSTLY_F16
    QCOMPARE(b.getU64("general.file_type"), 32ull); // LLAMA_FTYPE_MOSTLY_BF16
    int halved = 0;
    for (const auto& t : a.tensors()) {
        const GgufTensor* th = h.findTensor(t.name);
        const GgufTensor* tb = b.findTensor(t.name);
        QVERIFY(th && tb);
        QVERIFY(th->dims == t.dims && tb->dims == t.dims);
        std::vector<float> v(t.elements);
        std::memcpy(v.data(), t.data, v.size() * 4);
        if (t.dims.size() == 1) { // 1-D tensors and norms stay F32, as llama.cpp keeps them
            QCOMPARE(th->type, 0u);
            QCOMPARE(tb->type, 0u);
            QVERIFY(std::memcmp(th->data, t.data, t.nbytes) == 0 &&
                    std::memcmp(tb->data, t.data, t.nbytes) == 0);
            continue;
        }
        QCOMPARE(th->type, static_cast<std::uint32_t>(GgmlType::F16));
        QCOMPARE(tb->type, static_cast<std::uint32_t>(GgmlType::BF16));
        for (std::size_t i = 0; i < v.size(); ++i) {
            std::uint16_t x, y;
            std::memcpy(&x, th->data + 2 * i, 2);
            std::memcpy(&y, tb->data + 2 * i, 2);
            QVERIFY2(x == f32ToFp16(v[i]), (t.name + " F16 element " + std::to_string(i)).c_str());
            QVERIFY2(y == bf16Rne(v[i]), (t.name + " BF16 element " + std::to_string(i)).c_str());
        }
        ++halved;
    }
    QCOMPARE(halved, 2 + 2 * 7); // token_embd, output and seven matrices per layer
}

void TstGgufExport::quantisedPresetsMatchLlamaQuantize_data() {
    QTest::addColumn<QString>("preset");
    for (const char* p : {"Q8_0", "Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K"}) QTest::newRow(p) << p;
}

void TstGgufExport::quantisedPresetsMatchLlamaQuantize() {
    QFETCH(QString, preset);
    const QString hf = fixture("gguf-quant/llama-random-hf"), ref = fixture("gguf-quant/" + preset + ".gguf");
    HONE_REQUIRE_PATH(hf);
    HONE_REQUIRE_PATH(ref);
    QTemporaryDir tmp;
    const std::string out = str(tmp.filePath("q.gguf"));
    exportGguf(str(hf), out, withType(str(preset).c_str()));
    const GgufFile got = GgufFile::open(out), want = GgufFile::open(str(ref));
    QCOMPARE(got.getU64("general.file_type"), want.getU64("general.file_type"));
    QCOMPARE(got.tensors().size(), want.tensors().size());
    for (const auto& r : want.tensors()) {
        const GgufTensor* t = got.findTensor(r.name);
        QVERIFY2(t, r.name.c_str());
        QVERIFY2(
            t->type == r.type,
            (r.name + ": " + ggmlTypeName(t->type) + " vs llama-quantize's " + ggmlTypeName(r.type)).c_str());
        QVERIFY(t->dims == r.dims);
        QVERIFY2(t->nbytes == r.nbytes && std::memcmp(t->data, r.data, r.nbytes) == 0,
                 ("bytes of " + r.name).c_str());
    }
}

void TstGgufExport::exportedTokenizerEncodesLikeHf_data() {
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("model");
    QTest::newRow("stories (llama)") << "gguf-quant/llama-random-hf"
                                     << "llama";
    QTest::newRow("llama2") << "tokenizers/llama2"
                            << "llama";
    QTest::newRow("mistral") << "tokenizers/mistral-7b-v0.1"
                             << "llama";
    QTest::newRow("llama3") << "tokenizers/llama3"
                            << "gpt2";
    QTest::newRow("qwen3") << "tokenizers/qwen3"
                           << "gpt2";
}

void TstGgufExport::exportedTokenizerEncodesLikeHf() {
    QFETCH(QString, folder);
    QFETCH(QString, model);
    const QString dir = fixture(folder);
    HONE_REQUIRE_PATH(dir + "/tokenizer.json");
    GgufWriter w;
    const auto r = writeGgufTokenizer(w, str(dir), {});
    QCOMPARE(QString::fromStdString(r.model), model);
    const auto bytes = w.serialize();
    GgufFile::fromMemory(bytes.data(), bytes.size(), "exported tokenizer"); // Hone's reader accepts it
    const auto gguf =
        tok::Tokenizer::fromGguf(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    const auto hf = tok::Tokenizer::load(str(dir));
    QCOMPARE(gguf.bosId(), hf.bosId());
    QCOMPARE(gguf.eosId(), hf.eosId());
    for (const char* text : kSampleTexts) {
        const auto a = gguf.encode(text), b = hf.encode(text);
        QVERIFY2(a == b, (str(folder) + ": '" + text + "' encodes differently (" + std::to_string(a.size()) +
                          " vs " + std::to_string(b.size()) + " ids)")
                             .c_str());
    }
    if (!hf.chatTemplate().empty()) QCOMPARE(gguf.chatTemplate(), hf.chatTemplate());
}

void TstGgufExport::spmScoresMatchSentencePiece() {
    // llama.cpp's convert of the real Llama 2 tokenizer.model (scores from SentencePiece) vs. scores the
    // export derives from tokenizer.json. Single characters that no merge produces are left out of the
    // comparison: llama.cpp's SentencePiece tokenizer reads scores only of merge results.
    const QString dir = fixture("tokenizers/llama2"),
                  ref = fixture("models/llama-2-tiny-random/llama-2-tiny-random.gguf");
    HONE_REQUIRE_PATH(dir);
    HONE_REQUIRE_PATH(ref);
    GgufWriter w;
    writeGgufTokenizer(w, str(dir), {});
    const auto bytes = w.serialize();
    const GgufFile got = GgufFile::fromMemory(bytes.data(), bytes.size()), want = GgufFile::open(str(ref));
    for (const char* key : {"tokenizer.ggml.tokens", "tokenizer.ggml.token_type"})
        QVERIFY2(diffValue(got, want, key).empty(), key);
    const auto tokens = want.getStringArray("tokenizer.ggml.tokens");
    const auto a = got.getF32Array("tokenizer.ggml.scores"), b = want.getF32Array("tokenizer.ggml.scores");
    QCOMPARE(a.size(), b.size());
    int compared = 0, skipped = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string& t = tokens[i];
        const bool singleChar =
            !t.empty() && t.size() == static_cast<std::size_t>((t[0] & 0x80) == 0      ? 1
                                                               : (t[0] & 0xE0) == 0xC0 ? 2
                                                               : (t[0] & 0xF0) == 0xE0 ? 3
                                                                                       : 4);
        if (singleChar && a[i] != b[i]) {
            ++skipped;
            continue;
        }
        QVERIFY2(a[i] == b[i], ("score of '" + t + "' (id " + std::to_string(i) +
                                "): " + std::to_string(a[i]) + " vs " + std::to_string(b[i]))
                                   .c_str());
        ++compared;
    }
    QVERIFY(skipped <= 1);
    QVERIFY(compared > 31000);
}

void TstGgufExport::preTokenizerHashNamesLlamaCppPre() {
    // Names from llama.cpp's get_vocab_base_pre table. The llama3 fixture is a Llama 3 tokenizer.json whose
    // post-processor adds no <|begin_of_text|>: llama.cpp's table calls that "smaug-bpe" (Smaug-Llama-3 ships
    // such a tokenizer); with BOS in front of the same ids it is Meta-Llama-3's "llama-bpe". Qwen3 -> qwen2.
    for (const auto& [folder, pre] :
         {std::pair{"tokenizers/llama3", "smaug-bpe"}, std::pair{"tokenizers/qwen3", "qwen2"}}) {
        const QString dir = fixture(folder);
        HONE_REQUIRE_PATH(dir);
        const auto t = tok::Tokenizer::load(str(dir));
        QCOMPARE(QString::fromStdString(llamaCppPreTokenizerName(llamaCppPreTokenizerHash(t))), QString(pre));
    }
    const auto llama3 = tok::Tokenizer::load(str(fixture("tokenizers/llama3")));
    const auto bos = llama3.tokenToId("<|begin_of_text|>");
    QVERIFY(bos);
    std::string ids = "[" + std::to_string(*bos);
    for (const auto id : llama3.encode(llamaCppPreTokenizerCheckText(), {false, true}))
        ids += ", " + std::to_string(id);
    QCOMPARE(QString::fromStdString(llamaCppPreTokenizerName(sha256Hex(ids + "]"))),
             QStringLiteral("llama-bpe"));
    QVERIFY(llamaCppPreTokenizerName(sha256Hex("[1, 2, 3]")).empty());
}

void TstGgufExport::oddRowLengthsFallBack() {
    // stories260K's feed-forward width (172) is no multiple of any quantised block: those rows get a type
    // that fits, and the report says why.
    const QString hf = fixture("models/stories260K");
    HONE_REQUIRE_PATH(hf);
    QTemporaryDir tmp;
    const std::string out = str(tmp.filePath("q.gguf"));
    const auto r = exportGguf(str(hf), out, withType("q4_k_m"));
    QCOMPARE(QString::fromStdString(r.outType), QStringLiteral("Q4_K_M"));
    const GgufFile f = GgufFile::open(out);
    int fallbacks = 0;
    for (const auto& t : r.tensors) {
        QVERIFY2(ggmlTypeFitsRow(t.type, static_cast<std::int64_t>(t.dims[0])), t.name.c_str());
        const GgufTensor* g = f.findTensor(t.name);
        QVERIFY(g && g->type == t.type);
        if (t.dims.size() == 2 && t.dims[0] % 32 != 0) {
            QVERIFY2(!t.note.empty(), t.name.c_str());
            ++fallbacks;
        }
    }
    QCOMPARE(fallbacks, 5); // ffn_down of each of the five layers
    QCOMPARE(std::count_if(r.notes.begin(), r.notes.end(),
                           [](const std::string& n) { return n.find("ffn_down") != std::string::npos; }),
             5l);
}

void TstGgufExport::progressAndReport() {
    const QString hf = fixture("archs/gemma2/hf");
    HONE_REQUIRE_PATH(hf);
    QTemporaryDir tmp;
    const std::string out = str(tmp.filePath("sub/dir/g.gguf"));
    GgufExportOptions o = withType("Q8_0");
    o.name = "My Gemma";
    std::vector<GgufExportProgress> seen;
    o.progress = [&](const GgufExportProgress& p) { seen.push_back(p); };
    const auto r = exportGguf(str(hf), out, o);
    QCOMPARE(seen.size(), r.tensors.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        QCOMPARE(seen[i].index, i + 1);
        QCOMPARE(QString::fromStdString(seen[i].tensor), QString::fromStdString(r.tensors[i].name));
        if (i) QVERIFY(seen[i].bytesWritten > seen[i - 1].bytesWritten);
    }
    QCOMPARE(seen.back().bytesWritten, seen.back().bytesTotal);
    QCOMPARE(static_cast<std::uint64_t>(std::filesystem::file_size(out)), r.fileBytes);
    const GgufFile f = GgufFile::open(out);
    QCOMPARE(QString::fromStdString(f.getString("general.name")), QStringLiteral("My Gemma"));
    QVERIFY(!f.findTensor("output.weight")); // tied
    for (const auto& t : r.tensors) {
        const GgufTensor* g = f.findTensor(t.name);
        QVERIFY(g && g->type == t.type && g->nbytes == t.bytes && g->dims == t.dims);
    }
    // Nothing but the file is left in its folder.
    QCOMPARE(QDir(tmp.filePath("sub/dir")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
             QStringList{"g.gguf"});
}

void TstGgufExport::badInput() {
    const QString hf = fixture("archs/llama/hf");
    HONE_REQUIRE_PATH(hf);
    QTemporaryDir tmp;
    const std::string out = str(tmp.filePath("out.gguf"));
    auto copyTokenizer = [&](const QString& dst) {
        for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
            QFile::copy(hf + "/" + f, dst + "/" + f);
    };
    // No config.json.
    QDir(tmp.path()).mkpath("noconfig");
    QString e = errorOf([&] { exportGguf(str(tmp.filePath("noconfig")), out); });
    QVERIFY2(e.contains("config.json"), qPrintable(e));
    // Unsupported model_type.
    QDir(tmp.path()).mkpath("neox");
    {
        QFile f(tmp.filePath("neox/config.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "hidden_size": 64})");
    }
    e = errorOf([&] { exportGguf(str(tmp.filePath("neox")), out); });
    QVERIFY2(e.contains("gpt_neox") && e.contains("llama"), qPrintable(e));
    // A missing tensor: the fixture's weights without one layer's up projection.
    QDir(tmp.path()).mkpath("missing");
    QFile::copy(hf + "/config.json", tmp.filePath("missing/config.json"));
    copyTokenizer(tmp.filePath("missing"));
    {
        const auto src = SafetensorsFile::open(str(hf + "/model.safetensors"));
        SafetensorsWriter sw;
        for (const auto& t : src.tensors())
            if (t.name != "model.layers.1.mlp.up_proj.weight")
                sw.add(t.name, t.dtype, t.shape, t.data, t.nbytes());
        sw.write(str(tmp.filePath("missing/model.safetensors")));
    }
    e = errorOf([&] { exportGguf(str(tmp.filePath("missing")), out); });
    QVERIFY2(e.contains("model.layers.1.mlp.up_proj.weight") && e.contains("missing"), qPrintable(e));
    // No tokenizer.json, and a tokenizer the export cannot write (Unigram).
    QDir(tmp.path()).mkpath("notok");
    e = errorOf([&] {
        GgufWriter w;
        writeGgufTokenizer(w, str(tmp.filePath("notok")), {});
    });
    QVERIFY2(e.contains("tokenizer.json"), qPrintable(e));
    {
        QFile f(tmp.filePath("notok/tokenizer.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", -1.0]]}})");
    }
    e = errorOf([&] {
        GgufWriter w;
        writeGgufTokenizer(w, str(tmp.filePath("notok")), {});
    });
    QVERIFY2(e.contains("Unigram"), qPrintable(e));
    // An unknown output type.
    e = errorOf([&] { exportGguf(str(hf), out, withType("Q3_K_XL")); });
    QVERIFY2(e.contains("Q3_K_XL") && e.contains("Q4_K_M"), qPrintable(e));
    // An output folder that cannot be created (its parent is a file): error, nothing left behind.
    {
        QFile f(tmp.filePath("afile"));
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    e = errorOf([&] { exportGguf(str(hf), str(tmp.filePath("afile/out.gguf"))); });
    QVERIFY2(e.contains("afile"), qPrintable(e));
    // A failure while writing (a tensor whose values F16 cannot hold) leaves neither OUT nor its temporary.
    QDir(tmp.path()).mkpath("huge");
    QFile::copy(hf + "/config.json", tmp.filePath("huge/config.json"));
    copyTokenizer(tmp.filePath("huge"));
    {
        const auto src = SafetensorsFile::open(str(hf + "/model.safetensors"));
        SafetensorsWriter sw;
        for (const auto& t : src.tensors()) {
            if (t.name != "model.layers.1.mlp.down_proj.weight") {
                sw.add(t.name, t.dtype, t.shape, t.data, t.nbytes());
                continue;
            }
            std::vector<float> v(static_cast<std::size_t>(t.elements()), 1e9f);
            sw.addF32(t.name, t.shape, v);
        }
        sw.write(str(tmp.filePath("huge/model.safetensors")));
    }
    const std::string hugeOut = str(tmp.filePath("huge-out/model.gguf"));
    e = errorOf([&] { exportGguf(str(tmp.filePath("huge")), hugeOut, withType("F16")); });
    QVERIFY2(e.contains("model.layers.1.mlp.down_proj.weight"), qPrintable(e));
    QCOMPARE(QDir(tmp.filePath("huge-out")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
             QStringList{});
    // ... and the same folder exports as F32.
    exportGguf(str(tmp.filePath("huge")), hugeOut, withType("F32"));
    QVERIFY(GgufFile::open(hugeOut).findTensor("blk.1.ffn_down.weight"));
}

QTEST_GUILESS_MAIN(TstGgufExport)
#include "tst_gguf_export.moc"
