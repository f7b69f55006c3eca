// main() of `hone`: dispatches to a subcommand, applies --home, and turns errors into one `error:` line.
#include "commands.h"

#include "common/error.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

namespace hone::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"version", "print the version", {}, cmdVersion},
        {"template",
         "render (--json, --masks) or check a chat template: template render|check --model P | --template F",
         {"json", "masks"},
         cmdTemplate},
        {"doctor", "check this machine for training and say what to fix [--json]", {"json"}, cmdDoctor},
        {"tokenize",
         "encode text with a model's tokenizer [--json] [--no-special] [--verbose] [--lines F]",
         {"json", "no-special", "verbose", "no-parse-special"},
         cmdTokenize},
        {"detokenize",
         "decode token ids with a model's tokenizer [--json] [--skip-special]",
         {"json", "skip-special"},
         cmdDetokenize},
        {"generate",
         "generate from --ids or --prompt with a model folder or .gguf [--json] [sampling options]",
         {"json", "ignore-eos"},
         cmdGenerate},
        {"chat",
         "chat with --model P [--adapter RUN_ID|DIR] [--system T] [--template NAME|FILE] [--max-tokens N] "
         "[sampling options] [--best-of N] [--tools calculator,datetime,files:DIR] [--mcp CONFIG] "
         "[--max-steps N] [--no-constrain] [--resume CHAT_ID] [--no-store] [--json]: interactive on a "
         "terminal, else one message per stdin line and JSON events out",
         {"json", "no-store", "no-constrain"},
         cmdChat},
        {"logits",
         "last-position logits for --ids: top K as JSON, all as float32 with --out FILE [--json]",
         {"json"},
         cmdLogits},
        {"bench",
         "bench generate: prefill/decode tokens/s, peak RSS, fraction of the bandwidth limit [--json] "
         "[--quick] | bench train: LoRA training step vs eager PyTorch [--json] [--quick] [--dtype D] "
         "[--vocab V] [--steps N] [--no-peer]",
         {"json", "quick", "keep", "no-peer", "only-ours"},
         cmdBench},
        {"train",
         "train a LoRA adapter: train --model DIR --data FILE [options] | --resume RUN [--json-progress] "
         "(train --help lists the options)",
         {"json-progress", "packing", "gradient-checkpointing", "rslora", "no-store", "help", "dry-run"},
         cmdTrain},
        {"toolcall",
         "parse a model's tool calls: toolcall parse (--model P | --format "
         "hermes|llama3|mistral|qwen3|generic) "
         "--text T [--json]",
         {"json"},
         cmdToolcall},
        {"export",
         "export a run or adapter: export (--run ID [--checkpoint N] | --adapter DIR) [--model P] --format "
         "peft,merged,gguf,gguf-lora,ollama [--dtype f32|f16|bf16] [--quant q8_0,..] --out DIR [--no-check] "
         "[--json]",
         {"json", "no-check"},
         cmdExport},
#ifdef HONE_CLI_HAS_CORE
        {"runs",
         "training runs: runs list [--status S] [--search TEXT] | show ID | compare ID ID... [--json]",
         {"json"},
         cmdRuns},
#endif
    };
    return table;
}

namespace {
int help() {
    std::printf("usage: hone <command> [options]   (every command accepts --home DIR)\n\ncommands:\n");
    for (const auto& c : commands()) std::printf("  %-12s %s\n", c.name, c.summary);
    return 0;
}
} // namespace

} // namespace hone::cli

int main(int argc, char** argv) {
    using namespace hone::cli;
    if (argc < 2) {
        help();
        return 2;
    }
    std::string name = argv[1];
    if (name == "--version" || name == "-V") name = "version";
    if (name == "help" || name == "--help" || name == "-h") return help();
    std::vector<std::string> rest;
    for (int i = 2; i < argc; ++i) {
        // --home DIR is global: it becomes HONE_HOME for everything below.
        if (std::strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
            ::setenv("HONE_HOME", argv[++i], 1);
            continue;
        }
        if (std::strncmp(argv[i], "--home=", 7) == 0) {
            ::setenv("HONE_HOME", argv[i] + 7, 1);
            continue;
        }
        rest.emplace_back(argv[i]);
    }
    for (const auto& c : commands()) {
        if (name != c.name) continue;
        try {
            Args args(rest, c.flags);
            return c.run(args);
        } catch (const hone::Error& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 1;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 1;
        }
    }
    std::fprintf(stderr, "error: unknown command '%s' (run `hone help` for the list)\n", name.c_str());
    return 2;
}
