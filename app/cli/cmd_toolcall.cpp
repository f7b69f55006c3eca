// `hone toolcall` (placeholder until the command lands; replaced in this session's work).
#include "commands.h"

#include "common/error.h"

namespace hone::cli {

int cmdToolcall(Args&) {
    throw Error("hone toolcall is not built yet");
}

} // namespace hone::cli
