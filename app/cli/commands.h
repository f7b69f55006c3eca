// Declarations of every `hone` subcommand. Each lives in its own cmd_<name>.cpp and returns the exit code;
// errors are thrown as hone::Error and printed by main() as one `error: ...` line on stderr.
#pragma once

#include "cli_args.h"

#include <string>
#include <vector>

namespace hone::cli {

struct Command {
    const char* name;               // e.g. "tokenize", or "template" (which takes its own sub-verb)
    const char* summary;            // one line for `hone help`
    std::vector<std::string> flags; // options that take no value (e.g. "json")
    int (*run)(Args& args);
};

int cmdVersion(Args& args);
int cmdTemplate(Args& args);
int cmdDoctor(Args& args);
int cmdTokenize(Args& args);
int cmdDetokenize(Args& args);
int cmdGenerate(Args& args);
int cmdChat(Args& args);
int cmdLogits(Args& args);
int cmdBench(Args& args);
#ifdef HONE_CLI_HAS_CORE
int cmdRuns(Args& args); // needs the store (Qt)
#endif
int cmdTrain(Args& args);
int cmdToolcall(Args& args);
int cmdExport(Args& args);

// The command table (main.cpp).
const std::vector<Command>& commands();

} // namespace hone::cli
