// `hone version`: the version on one line (also reachable as `hone --version`).
#include "commands.h"

#include <cstdio>

namespace hone::cli {

int cmdVersion(Args& args) {
    args.check({});
    std::printf("hone %s\n", HONE_VERSION);
    return 0;
}

} // namespace hone::cli
