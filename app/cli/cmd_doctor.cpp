// `hone doctor [--json]`: checks the machine for training and says what to fix. Exit code 1 when something
// blocks training.
#include "commands.h"

#include "device/compute_device.h"
#include "device/torch_runtime.h"
#include "system/app_paths.h"
#include "system/doctor_json.h"
#ifdef HONE_CLI_HAS_CORE
#include "services/store_facts.h"
#endif

#include <cstdio>

namespace hone::cli {

int cmdDoctor(Args& args) {
    args.check({"json", "root"});
    configureThreads();
    const SystemRoot root(args.getOr("root", "/"));
    const AppPaths paths = resolveAppPaths();
    DoctorInput in = gatherDoctorInput(root, torchFacts(probeTorchRuntime()), paths.home);
#ifdef HONE_CLI_HAS_CORE
    addStoreFacts(in, paths);
#endif
    DoctorReport report = runDoctor(in);
    if (args.flag("json"))
        std::printf("%s\n", doctorToJson(in, report).dump(2).c_str());
    else
        std::printf("%s", doctorToText(in, report).c_str());
    if (report.blocksTraining()) {
        std::fprintf(stderr, "error: something blocks training (see the failed checks and their fixes)\n");
        return 1;
    }
    return 0;
}

} // namespace hone::cli
