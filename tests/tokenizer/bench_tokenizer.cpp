// bench_tokenizer: encode throughput (MB/s, one thread and a parallel batch) and short-message latency of
// Hone's tokenizers vs Hugging Face's Rust tokenizers (run through node in the same invocation, timed inside
// node), plus tokenizer.json load time. Prints ratios (> 1 = Hone faster). Not a test: run it by hand.
//   bench_tokenizer [MB=8] [threads=0 (all cores)]
#include "common/mapped_file.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"

using namespace hone;
using Clock = std::chrono::steady_clock;

namespace {

// CPU time of the whole process in ms: robust against other load on the machine (wall time is not).
double cpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string env(const char* k, const std::string& def) {
    const char* v = std::getenv(k);
    return v && *v ? v : def;
}

// English-heavy multilingual prose, code and chat-like text with Zipf-ish word frequencies.
std::vector<std::string> makeDocs(std::size_t totalBytes) {
    static const char* const en[] = {"the",
                                     "of",
                                     "and",
                                     "to",
                                     "a",
                                     "in",
                                     "is",
                                     "that",
                                     "for",
                                     "it",
                                     "as",
                                     "was",
                                     "with",
                                     "be",
                                     "by",
                                     "on",
                                     "not",
                                     "he",
                                     "this",
                                     "are",
                                     "or",
                                     "his",
                                     "from",
                                     "at",
                                     "which",
                                     "but",
                                     "have",
                                     "an",
                                     "had",
                                     "they",
                                     "you",
                                     "were",
                                     "their",
                                     "one",
                                     "all",
                                     "we",
                                     "can",
                                     "her",
                                     "has",
                                     "there",
                                     "been",
                                     "if",
                                     "more",
                                     "when",
                                     "will",
                                     "would",
                                     "who",
                                     "so",
                                     "no",
                                     "model",
                                     "training",
                                     "language",
                                     "tokenizer",
                                     "performance",
                                     "throughput",
                                     "gradient",
                                     "optimizer",
                                     "parameters",
                                     "dataset",
                                     "fine-tuning",
                                     "evaluation",
                                     "inference",
                                     "probability",
                                     "sequence",
                                     "attention",
                                     "transformer",
                                     "embedding",
                                     "Wikipedia",
                                     "Shakespeare",
                                     "government",
                                     "international",
                                     "environment",
                                     "development",
                                     "information",
                                     "understanding",
                                     "nevertheless",
                                     "don't",
                                     "it's",
                                     "we'll",
                                     "they're",
                                     "I've",
                                     "1984",
                                     "2026",
                                     "3.14",
                                     "42",
                                     "100,000",
                                     "COVID-19",
                                     "e-mail",
                                     "U.S.",
                                     "Dr.",
                                     "etc."};
    static const char* const intl[] = {
        "und",  "der",  "die",      "nicht",  "über", "Straße", "Mädchen",  "le",     "la",
        "les",  "être", "français", "déjà",   "très", "el",     "año",      "niño",   "está",
        "в",    "и",    "не",       "что",    "язык", "модель", "обучение", "это",    "的",
        "是",   "模型", "训练",     "语言",   "我们", "中国",   "は",       "日本語", "トークナイザー",
        "東京", "です", "의",       "한국어", "모델", "في",     "من",       "اللغة",  "نموذج",
        "और",   "है",    "भाषा",     "मॉडल",   "😀",    "🚀",      "👍🏽", "✓",      "—",
        "…"};
    static const char* const code[] = {"def f(x):\n    return x ** 2\n",
                                       "for (int i = 0; i < n; ++i) {\n    sum += a[i];\n}\n",
                                       "if __name__ == \"__main__\":\n    main()\n",
                                       "SELECT id, name FROM users WHERE id = 42;\n",
                                       "<div class=\"card\">Hello</div>\n",
                                       "    \t  \n"};
    std::mt19937 rng(12345);
    auto zipf = [&](std::size_t n) {
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        return std::min(n - 1, static_cast<std::size_t>(std::pow(static_cast<double>(n), u)) - 1);
    };
    std::vector<std::string> docs;
    std::size_t total = 0;
    while (total < totalBytes) {
        std::string d;
        const std::size_t target = 500 + rng() % 3500;
        while (d.size() < target) {
            const unsigned r = rng() % 100;
            if (r < 72) {
                d += en[zipf(std::size(en))];
            } else if (r < 92) {
                d += intl[zipf(std::size(intl))];
            } else if (r < 94) {
                d += code[rng() % std::size(code)];
            } else {
                d += std::to_string(rng() % 100000);
            }
            const unsigned p = rng() % 20;
            d += p == 0 ? ". " : p == 1 ? ", " : p == 2 ? "\n\n" : " ";
        }
        total += d.size();
        docs.push_back(std::move(d));
    }
    return docs;
}

void writeRecords(const std::string& path, const std::vector<std::string>& recs) {
    std::ofstream f(path, std::ios::binary);
    for (std::size_t i = 0; i < recs.size(); ++i) {
        if (i) f.put('\x1e');
        f << recs[i];
    }
}

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

} // namespace

int main(int argc, char** argv) {
    const double mb = argc > 1 ? std::atof(argv[1]) : 8.0;
    const unsigned threads =
        argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : std::thread::hardware_concurrency();
    const std::string fixtures = env("HONE_FIXTURES_DIR", HONE_DEFAULT_FIXTURES);
    const std::string source = env("HONE_SOURCE_DIR", HONE_DEFAULT_SOURCE);
    const std::string tmp = env("TMPDIR", "/tmp");

    const auto docs = makeDocs(static_cast<std::size_t>(mb * 1e6));
    std::size_t bytes = 0;
    for (const auto& d : docs) bytes += d.size();
    std::vector<std::string> shorts;
    {
        std::mt19937 rng(3);
        for (int i = 0; i < 200; ++i) {
            const auto& d = docs[rng() % docs.size()];
            const std::size_t len = 20 + rng() % 180, off = rng() % (d.size() - len);
            std::size_t b = off;
            while (b > 0 && (static_cast<unsigned char>(d[b]) & 0xC0) == 0x80) --b;
            std::size_t e = b + len;
            while (e < d.size() && (static_cast<unsigned char>(d[e]) & 0xC0) == 0x80) ++e;
            shorts.push_back(d.substr(b, e - b));
        }
    }
    const std::string docsPath = tmp + "/hone_bench_docs.bin", shortPath = tmp + "/hone_bench_short.bin";
    writeRecords(docsPath, docs);
    writeRecords(shortPath, shorts);
    std::printf(
        "corpus: %zu documents, %.2f MB (English + multilingual + code); %zu short messages; %u threads\n",
        docs.size(), bytes / 1e6, shorts.size(), threads);

    const bool haveNode = std::system("node --version > /dev/null 2>&1") == 0;
    for (const char* name : {"llama3", "qwen3"}) {
        const std::string dir = fixtures + "/tokenizers/" + name;
        std::printf("\n== %s\n", name);
        double loadMs = 1e9, loadCpu = 1e9;
        for (int r = 0; r < 3; ++r) {
            const auto t0 = Clock::now();
            const double c0 = cpuMs();
            auto t = tok::Tokenizer::load(dir);
            loadMs = std::min(loadMs, msSince(t0));
            loadCpu = std::min(loadCpu, cpuMs() - c0);
        }
        const auto tk = tok::Tokenizer::load(dir);
        const tok::EncodeOptions opts{.addSpecialTokens = false};
        tk.encode("warm up", opts);
        // Serial: one thread, documents one after the other.
        auto t0 = Clock::now();
        const double c0 = cpuMs();
        std::size_t tokens = 0;
        long long checksum = 0;
        {
            auto all = tk.encodeBatch(docs, opts, 1);
            for (const auto& ids : all) {
                tokens += ids.size();
                for (auto id : ids) checksum = (checksum * 31 + id) % 1000000007;
            }
        }
        const double serialMs = msSince(t0), serialCpu = cpuMs() - c0;
        t0 = Clock::now();
        auto par = tk.encodeBatch(docs, opts, threads);
        const double parMs = msSince(t0);
        // Short-message latency: each message encoded on its own (new call, no shared cache).
        const int reps = 20;
        t0 = Clock::now();
        std::size_t sink = 0;
        for (int r = 0; r < reps; ++r)
            for (const auto& s : shorts) sink += tk.encode(s, opts).size();
        const double shortUs = msSince(t0) * 1000.0 / (reps * shorts.size());
        std::printf(
            "hone: load %.1f ms (%.1f ms CPU) | serial %.1f MB/s (%.1f MB/s per CPU-second, %zu tokens) | "
            "batch x%u %.1f MB/s (%.2fx serial) | short message %.2f us/call%s\n",
            loadMs, loadCpu, bytes / 1e3 / serialMs, bytes / 1e3 / serialCpu, tokens, threads,
            bytes / 1e3 / parMs, serialMs / parMs, shortUs, sink ? "" : " ");
        if (!haveNode) {
            std::printf("peer: node not found, no ratio\n");
            continue;
        }
        const std::string script = source + "/tests/oracles/bench_tokenizer.js";
        const std::string args =
            "'" + script + "' '" + dir + "/tokenizer.json' '" + docsPath + "' '" + shortPath + "'";
        const Json serial = Json::parse(run("TOKENIZERS_PARALLELISM=false node " + args), nullptr, false);
        const Json parallel = Json::parse(
            run("TOKENIZERS_PARALLELISM=true RAYON_NUM_THREADS=" + std::to_string(threads) + " node " + args),
            nullptr, false);
        if (serial.is_discarded() || parallel.is_discarded() || !serial.contains("serial_ms")) {
            std::printf("peer: node/@anush008/tokenizers failed (run npm install --prefix tests/oracles)\n");
            continue;
        }
        const double hfSerial = serial["serial_ms"].get<double>(),
                     hfPar = parallel["serial_ms"].get<double>();
        const double hfCpu = serial["serial_cpu_ms"].get<double>();
        std::printf(
            "hf  : load %.1f ms | serial %.1f MB/s (%.1f MB/s per CPU-second, %lld tokens) | batch x%u "
            "%.1f MB/s | short message %.2f us/call (incl. node binding)\n",
            serial["load_ms"].get<double>(), bytes / 1e3 / hfSerial, bytes / 1e3 / hfCpu,
            serial["tokens"].get<long long>(), threads, bytes / 1e3 / hfPar,
            serial["short_call_us"].get<double>());
        const bool same = serial["tokens"].get<long long>() == static_cast<long long>(tokens) &&
                          serial["checksum"].get<long long>() == checksum;
        std::printf(
            "ratio hone/hf: serial %.2fx (CPU time %.2fx) | batch %.2fx | load %.2fx | ids identical: %s\n",
            hfSerial / serialMs, hfCpu / serialCpu, hfPar / parMs, serial["load_ms"].get<double>() / loadMs,
            same ? "yes" : "NO");
    }
    return 0;
}
