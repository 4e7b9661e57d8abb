// LibTorch operators and modules for Mish and every registry activation
// (libmish_torch, CMake target mish::torch).
//
// The operators live in the dispatcher namespace `mish` (Python: torch.ops.mish.*):
//   mish(Tensor x) -> Tensor                      mish_(Tensor(a!) x) -> Tensor(a!)
//   mish_backward(Tensor grad_output, Tensor x) -> Tensor
//   swish(Tensor x, Tensor beta) -> Tensor        (gradients for x and beta)
//   swish_backward(Tensor grad_output, Tensor x, Tensor beta) -> (Tensor, Tensor)
//   activation(Tensor x, str name, float[] params=[]) -> Tensor
//   activation_backward(Tensor grad_output, Tensor x, str name, float[] params=[]) -> Tensor
//   bias_activation(Tensor x, Tensor bias, int dim=1, str name="mish", float[] params=[]) -> Tensor
//   bias_activation_backward(Tensor grad_output, Tensor x, Tensor bias, int dim, str name,
//                            float[] params=[]) -> (Tensor, Tensor)
// Autograd is implemented in C++ (it saves only the inputs) and the backward
// is itself differentiable (double backward). dtypes: float32, float64,
// bfloat16, float16; any shape and strides. The functions below call through
// the dispatcher, so autograd, TorchScript and backends behave as for
// torch.ops.mish.* from Python.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#if defined(_WIN32)
#define MISH_TORCH_API
#else
#define MISH_TORCH_API __attribute__((visibility("default")))
#endif

namespace mish {
namespace ops {

MISH_TORCH_API at::Tensor mish(const at::Tensor& x);
MISH_TORCH_API at::Tensor& mish_(at::Tensor& x);
MISH_TORCH_API at::Tensor mish_backward(const at::Tensor& grad_output, const at::Tensor& x);
// beta: a floating tensor with one element (a learnable parameter, typically)
MISH_TORCH_API at::Tensor swish(const at::Tensor& x, const at::Tensor& beta);
// name: a registry name ("gelu", "leaky_relu", "silu", ...) or a full spec
// ("softplus:beta=2"); params: positional values, leading ones (not both).
MISH_TORCH_API at::Tensor activation(const at::Tensor& x, const std::string& name,
                                     const std::vector<double>& params = {});
MISH_TORCH_API at::Tensor activation_backward(const at::Tensor& grad_output, const at::Tensor& x,
                                              const std::string& name, const std::vector<double>& params = {});

// Fused bias + activation, the epilogue of a convolution or linear layer:
// f(x + bias) with bias (1-d, x.size(dim) values) broadcast along dimension
// dim (1 for NCHW / (N, C), -1 for NHWC / last dim); gradients for x and bias.
MISH_TORCH_API at::Tensor bias_activation(const at::Tensor& x, const at::Tensor& bias, int64_t dim = 1,
                                          const std::string& name = "mish", const std::vector<double>& params = {});

// The activation as a composite of LibTorch's own differentiable functions
// (what the double backward differentiates; also a reference for tests).
MISH_TORCH_API at::Tensor reference(const at::Tensor& x, const std::string& name,
                                    const std::vector<double>& params = {});

}  // namespace ops

namespace nn {

// Drop-in for torch::nn::Mish.
class MISH_TORCH_API MishImpl : public torch::nn::Cloneable<MishImpl> {
 public:
  MishImpl() = default;
  at::Tensor forward(const at::Tensor& x);
  void reset() override {}
  void pretty_print(std::ostream& os) const override;
};
TORCH_MODULE(Mish);

// x * sigmoid(beta x) with beta a registered parameter "beta" (learnable
// unless learnable = false, then a buffer).
class MISH_TORCH_API SwishImpl : public torch::nn::Cloneable<SwishImpl> {
 public:
  explicit SwishImpl(double beta = 1.0, bool learnable = true);
  at::Tensor forward(const at::Tensor& x);
  void reset() override;
  void pretty_print(std::ostream& os) const override;

  at::Tensor beta;

 private:
  double initial_beta_;
  bool learnable_;
};
TORCH_MODULE(Swish);

// Any registry activation by name, with fixed parameters.
class MISH_TORCH_API ActivationImpl : public torch::nn::Cloneable<ActivationImpl> {
 public:
  explicit ActivationImpl(std::string name, std::vector<double> params = {});
  at::Tensor forward(const at::Tensor& x);
  void reset() override {}
  void pretty_print(std::ostream& os) const override;

 private:
  std::string name_;
  std::vector<double> params_;
};
TORCH_MODULE(Activation);

}  // namespace nn
}  // namespace mish
