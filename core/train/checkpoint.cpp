// The checkpoint autograd function.
#include "train/checkpoint_torch.h"

#include <ATen/Context.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

namespace hone {

namespace {

struct FnHolder : torch::CustomClassHolder {
    CheckpointFn fn;
};

// The random state of the device the input lives on, to replay dropout exactly.
at::Generator generatorFor(const torch::Tensor& t) {
    return at::globalContext().defaultGenerator(t.device());
}

class CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                                 torch::TensorList params, c10::IValue holder) {
        ctx->saved_data["fn"] = holder;
        ctx->saved_data["rng"] = generatorFor(input).get_state();
        ctx->saved_data["nparams"] = static_cast<std::int64_t>(params.size());
        std::vector<torch::Tensor> saved{input};
        saved.insert(saved.end(), params.begin(), params.end());
        ctx->save_for_backward(saved);
        torch::NoGradGuard noGrad;
        auto fnHolder = holder.toCapsule();
        return static_cast<FnHolder*>(fnHolder.get())->fn(input);
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list gradOutputs) {
        auto saved = ctx->get_saved_variables();
        torch::Tensor input = saved[0].detach().requires_grad_(saved[0].requires_grad());
        std::vector<torch::Tensor> params(saved.begin() + 1, saved.end());
        auto capsule = ctx->saved_data["fn"].toCapsule();
        auto* fn = static_cast<FnHolder*>(capsule.get());

        at::Generator gen = generatorFor(input);
        torch::Tensor current;
        torch::Tensor output;
        {
            std::lock_guard<std::mutex> lock(gen.mutex());
            current = gen.get_state();
            gen.set_state(ctx->saved_data["rng"].toTensor());
        }
        {
            torch::AutoGradMode enable(true);
            output = fn->fn(input);
        }
        {
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(current);
        }
        std::vector<torch::Tensor> wrt;
        std::vector<std::size_t> where; // index in the gradient list for each differentiated tensor
        if (input.requires_grad()) {
            wrt.push_back(input);
            where.push_back(0);
        }
        for (std::size_t i = 0; i < params.size(); ++i)
            if (params[i].requires_grad()) {
                wrt.push_back(params[i]);
                where.push_back(i + 1);
            }
        torch::autograd::tensor_list grads(params.size() + 2); // input, params..., holder
        if (!wrt.empty()) {
            auto g = torch::autograd::grad({output}, wrt, {gradOutputs[0]}, /*retain_graph=*/false,
                                           /*create_graph=*/false, /*allow_unused=*/true);
            for (std::size_t k = 0; k < g.size(); ++k) grads[where[k]] = g[k];
        }
        return grads;
    }
};

} // namespace

torch::Tensor checkpointed(CheckpointFn fn, const torch::Tensor& input,
                           const std::vector<torch::Tensor>& params) {
    auto holder = c10::make_intrusive<FnHolder>();
    holder->fn = std::move(fn);
    return CheckpointFunction::apply(input, torch::TensorList(params), c10::IValue::make_capsule(holder));
}

} // namespace hone
