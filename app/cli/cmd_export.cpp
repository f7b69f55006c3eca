// `hone export` (placeholder until the command lands; replaced in this session's work).
#include "commands.h"

#include "common/error.h"

namespace hone::cli {

int cmdExport(Args&) {
    throw Error("hone export is not built yet");
}

} // namespace hone::cli
