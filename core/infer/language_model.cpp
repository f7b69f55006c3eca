// LanguageModel and InferenceSession over the torch Transformer (prefix-reusing KV cache).
#include "infer/language_model.h"

#include "common/error.h"
#include "model/transformer_torch.h"

#include <algorithm>
#include <cstring>

namespace hone {

std::shared_ptr<LanguageModel> LanguageModel::load(const std::string& path, const ModelLoadOptions& options) {
    auto m = std::make_shared<LanguageModel>();
    m->path_ = path;
    m->impl_ = loadTransformer(path, options.device, options.dtype);
    return m;
}

const ModelConfig& LanguageModel::config() const {
    return impl_->config();
}
DeviceSpec LanguageModel::device() const {
    return impl_->device();
}
DType LanguageModel::computeDType() const {
    return impl_->computeDType();
}
std::uint64_t LanguageModel::weightBytesPerToken() const {
    return impl_->weightBytes();
}
std::uint64_t LanguageModel::parameterCount() const {
    return impl_->parameterCount();
}

struct InferenceSession::State {
    KvCache cache;
    std::shared_ptr<const TransformerAdapter> adapter;
};

InferenceSession::InferenceSession(std::shared_ptr<LanguageModel> model)
    : model_(std::move(model))
    , state_(std::make_unique<State>()) {
    if (!model_) throw Error("InferenceSession: no model");
}
InferenceSession::~InferenceSession() = default;

int InferenceSession::contextLength() const {
    return model_->config().contextLength();
}

void InferenceSession::reset() {
    state_->cache.clear();
    ids_.clear();
    logits_.clear();
}

void InferenceSession::setAdapter(std::shared_ptr<const TransformerAdapter> adapter) {
    if (adapter == state_->adapter) return;
    reset();
    state_->adapter = std::move(adapter);
}

const TransformerAdapter* InferenceSession::adapter() const {
    return state_->adapter.get();
}

int InferenceSession::prefill(const std::vector<std::int32_t>& ids) {
    if (ids.empty()) throw Error("prefill: the prompt has no tokens");
    if (static_cast<int>(ids.size()) > contextLength())
        throw Error("the prompt (" + std::to_string(ids.size()) +
                    " tokens) is longer than the model's context of " + std::to_string(contextLength()) +
                    " tokens");
    std::size_t common = 0;
    while (common < ids_.size() && common < ids.size() && ids_[common] == ids[common]) ++common;
    if (common == ids.size()) --common; // recompute the last token so logits() belong to it
    auto& cache = state_->cache;
    cache.length = static_cast<int>(common);
    ids_.resize(common);
    std::vector<std::int32_t> rest(ids.begin() + static_cast<std::ptrdiff_t>(common), ids.end());
    try {
        auto out = model_->transformer().forward(rest, cache, false, state_->adapter.get());
        logits_.resize(static_cast<std::size_t>(out.numel()));
        std::memcpy(logits_.data(), out.data_ptr<float>(), logits_.size() * sizeof(float));
    } catch (...) {
        reset();
        throw;
    }
    ids_.insert(ids_.end(), rest.begin(), rest.end());
    return static_cast<int>(rest.size());
}

int InferenceSession::append(std::int32_t id) {
    std::vector<std::int32_t> next = ids_;
    next.push_back(id);
    return prefill(next);
}

} // namespace hone
