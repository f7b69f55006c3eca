// `hone logits`: the last position's logits for token ids: the top K as JSON ({"top": [[id, logit], ...]}),
// and with --out FILE all of them as raw little-endian float32.
#include "commands.h"

#include "common/error.h"
#include "common/json.h"
#include "infer/cli_support.h"
#include "infer/language_model.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>

namespace hone::cli {

int cmdLogits(Args& args) {
    args.check({"model", "ids", "top", "out", "device", "dtype", "threads", "json"});
    configureThreads(static_cast<int>(args.getInt("threads", 0)));
    ModelLoadOptions opts;
    opts.device = DeviceSpec::parse(args.getOr("device", "auto"));
    opts.dtype = parseDType(args.getOr("dtype", "f32"));
    const auto ids = parseIdList(args.require("ids"), "--ids");
    auto model = LanguageModel::load(args.require("model"), opts);
    InferenceSession session(model);
    session.prefill(ids);
    const auto& logits = session.logits();
    if (auto out = args.get("out")) {
        std::ofstream f(*out, std::ios::binary | std::ios::trunc);
        if (!f) throw Error("cannot write " + *out);
        f.write(reinterpret_cast<const char*>(logits.data()),
                static_cast<std::streamsize>(logits.size() * sizeof(float)));
        if (!f) throw Error("failed writing " + *out);
    }
    const long long k =
        std::clamp<long long>(args.getInt("top", 10), 0, static_cast<long long>(logits.size()));
    std::vector<int> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) {
        return logits[static_cast<std::size_t>(a)] > logits[static_cast<std::size_t>(b)] ||
               (logits[static_cast<std::size_t>(a)] == logits[static_cast<std::size_t>(b)] && a < b);
    });
    Json top = Json::array();
    for (long long i = 0; i < k; ++i)
        top.push_back({order[static_cast<std::size_t>(i)],
                       logits[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])]});
    if (args.flag("json")) {
        std::printf("%s\n", Json{{"top", top}, {"vocab_size", logits.size()}}.dump().c_str());
    } else {
        for (const auto& e : top) std::printf("%d\t%.6f\n", e[0].get<int>(), e[1].get<double>());
    }
    return 0;
}

} // namespace hone::cli
