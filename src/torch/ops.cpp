// The mish LibTorch operators: schemas, the CPU kernels (on libmish), autograd.
//
// Layout (the extension-cpp shape): the schemas are defined once
// (TORCH_LIBRARY), each backend registers its kernels in its own
// TORCH_LIBRARY_IMPL, and autograd is one more TORCH_LIBRARY_IMPL (Autograd)
// that wraps the backend kernels in torch::autograd::Functions.
//
// Backend seam: the tensor logic (dtype checks, strides, outputs) is written
// once over a Launcher that runs the core kernels on one device's memory.
// CpuLauncher calls libmish; with MISH_TORCH_CUDA (a LibTorch with CUDA and
// a libmish with its CUDA kernels) CudaLauncher runs libmish's GPU kernels and
// the same templates are registered under the CUDA key. Without it, a CUDA
// tensor gets the dispatcher's "could not run 'mish::mish' with arguments
// from the 'CUDA' backend" error.
//
// Autograd saves only the inputs. The backward ops are differentiable: when a
// graph is being recorded through them (double backward, gradient penalties)
// they switch to the activation written as a composite of LibTorch's own
// differentiable functions (reference()), so higher derivatives are exactly
// LibTorch's; the first-order backward always runs the core kernel.
#include "mish/torch.hpp"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/library.h>

#include <string>
#include <tuple>
#include <vector>

#include "mish/activations.hpp"
#include "mish/cuda.h"

#ifdef MISH_TORCH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace mish {
namespace {

using at::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// ---------------------------------------------------------------------------
// Arguments.

Spec resolve(const char* op, const std::string& name, c10::ArrayRef<double> params) {
  try {
    Spec s = Spec::parse(name);
    if (!params.empty()) {
      TORCH_CHECK(name.find(':') == std::string::npos, "mish::", op, ": parameters given both in the name '", name,
                  "' and as a list; give them in one place");
      s = Spec(s.id, std::vector<double>(params.begin(), params.end()));
    }
    return s;
  } catch (const Error& e) {
    TORCH_CHECK(false, "mish::", op, ": ", e.what());
  }
}

mish_dtype core_dtype(const char* op, const Tensor& t) {
  switch (t.scalar_type()) {
    case at::kFloat: return MISH_F32;
    case at::kDouble: return MISH_F64;
    case at::kBFloat16: return MISH_BF16;
    case at::kHalf: return MISH_F16;
    default:
      TORCH_CHECK(false, "mish::", op, ": unsupported dtype ", t.scalar_type(),
                  "; expected a floating-point tensor (float32, float64, bfloat16 or float16)");
  }
}

void check_like(const char* op, const Tensor& x, const Tensor& other, const char* what) {
  TORCH_CHECK(other.scalar_type() == x.scalar_type(), "mish::", op, ": ", what, " has dtype ", other.scalar_type(),
              " but x has ", x.scalar_type(), "; they must match");
  TORCH_CHECK(other.device() == x.device(), "mish::", op, ": ", what, " is on ", other.device(), " but x is on ",
              x.device());
  TORCH_CHECK(other.sizes() == x.sizes(), "mish::", op, ": ", what, " has shape ", other.sizes(), " but x has ",
              x.sizes(), "; they must match");
}

double beta_value(const char* op, const Tensor& beta) {
  TORCH_CHECK(beta.numel() == 1, "mish::", op, ": beta must have exactly one element, got shape ", beta.sizes(),
              " (one beta is shared by all elements)");
  TORCH_CHECK(beta.is_floating_point(), "mish::", op, ": beta must be a floating-point tensor, got ",
              beta.scalar_type());
  return beta.item<double>();
}

// ---------------------------------------------------------------------------
// Backend-independent tensor logic over a Launcher.

// The tensor itself when its elements form one dense block (in any dimension
// order: contiguous, channels-last, permuted), else a contiguous copy
// (expanded, sliced). A dense tensor's elements are its numel() slots from
// data_ptr() on, and empty_like gives a result with the same layout.
Tensor dense(const Tensor& t) { return t.is_non_overlapping_and_dense() ? t : t.contiguous(); }

template <class L>
Tensor forward_impl(const char* op, const Tensor& x, const Spec& s) {
  const typename L::Guard device(x.device());
  const mish_dtype dt = core_dtype(op, x);
  const Tensor xd = dense(x);
  Tensor y = at::empty_like(xd);
  L::forward(op, s, dt, xd.data_ptr(), y.data_ptr(), static_cast<size_t>(xd.numel()));
  return y;
}

template <class L>
Tensor& forward_inplace_impl(const char* op, Tensor& x, const Spec& s) {
  const typename L::Guard device(x.device());
  const mish_dtype dt = core_dtype(op, x);
  if (x.is_non_overlapping_and_dense()) {
    L::forward(op, s, dt, x.data_ptr(), x.data_ptr(), static_cast<size_t>(x.numel()));
  } else {
    x.copy_(forward_impl<L>(op, x, s));  // overlapping x: copy_ refuses, as PyTorch does
  }
  return x;
}

template <class L>
Tensor backward_impl(const char* op, const Tensor& grad_output, const Tensor& x, const Spec& s, double* dparams) {
  const typename L::Guard device(x.device());
  const mish_dtype dt = core_dtype(op, x);
  check_like(op, x, grad_output, "grad_output");
  const Tensor xd = dense(x);
  Tensor gd = grad_output;  // often expanded (the gradient of a sum): laid out like xd
  if (!gd.is_non_overlapping_and_dense() || gd.strides() != xd.strides()) gd = at::empty_like(xd).copy_(grad_output);
  Tensor dx = at::empty_like(xd);
  L::backward(op, s, dt, xd.data_ptr(), gd.data_ptr(), dx.data_ptr(), static_cast<size_t>(xd.numel()), dparams);
  return dx;
}

// Fused bias + activation: the tensor as (outer, channels, inner) in memory
// order for channel dimension dim. Row-major tensors give outer = prod of the
// sizes before dim, inner = prod after; a channels-last 4-d tensor with dim 1
// is (N*H*W, C, 1) in memory; anything else is made contiguous first.
struct BiasShape {
  Tensor x;  // dense, in the layout the sizes describe
  size_t outer = 1, channels = 1, inner = 1;
};

BiasShape bias_shape(const char* op, const Tensor& x, const Tensor& bias, int64_t dim) {
  TORCH_CHECK(x.dim() >= 1, "mish::", op, ": x must have at least one dimension (the channels)");
  const int64_t d = dim < 0 ? dim + x.dim() : dim;
  TORCH_CHECK(d >= 0 && d < x.dim(), "mish::", op, ": dim ", dim, " is out of range for x with ", x.dim(),
              " dimensions");
  TORCH_CHECK(bias.dim() == 1 && bias.size(0) == x.size(d), "mish::", op, ": bias must be 1-d with x.size(", dim,
              ") = ", x.size(d), " elements, got shape ", bias.sizes());
  TORCH_CHECK(bias.scalar_type() == x.scalar_type(), "mish::", op, ": bias has dtype ", bias.scalar_type(),
              " but x has ", x.scalar_type(), "; they must match");
  TORCH_CHECK(bias.device() == x.device(), "mish::", op, ": bias is on ", bias.device(), " but x is on ", x.device());
  BiasShape b;
  if (x.dim() == 4 && d == 1 && !x.is_contiguous() && x.is_contiguous(at::MemoryFormat::ChannelsLast)) {
    b.x = x;
    b.outer = static_cast<size_t>(x.size(0) * x.size(2) * x.size(3));
    b.channels = static_cast<size_t>(x.size(1));
    return b;
  }
  b.x = x.contiguous();
  for (int64_t i = 0; i < d; ++i) b.outer *= static_cast<size_t>(x.size(i));
  b.channels = static_cast<size_t>(x.size(d));
  for (int64_t i = d + 1; i < x.dim(); ++i) b.inner *= static_cast<size_t>(x.size(i));
  return b;
}

template <class L>
Tensor bias_forward_impl(const char* op, const Tensor& x, const Tensor& bias, int64_t dim, const Spec& s) {
  const typename L::Guard device(x.device());
  const mish_dtype dt = core_dtype(op, x);
  const BiasShape b = bias_shape(op, x, bias, dim);
  const Tensor bc = bias.contiguous();
  Tensor y = at::empty_like(b.x);
  L::bias_forward(op, s, dt, b.x.data_ptr(), bc.data_ptr(), y.data_ptr(), b.outer, b.channels, b.inner);
  return y;
}

template <class L>
std::tuple<Tensor, Tensor> bias_backward_impl(const char* op, const Tensor& grad_output, const Tensor& x,
                                              const Tensor& bias, int64_t dim, const Spec& s) {
  const typename L::Guard device(x.device());
  const mish_dtype dt = core_dtype(op, x);
  check_like(op, x, grad_output, "grad_output");
  const BiasShape b = bias_shape(op, x, bias, dim);
  const Tensor bc = bias.contiguous();
  Tensor gd = grad_output;
  if (!gd.is_non_overlapping_and_dense() || gd.strides() != b.x.strides()) gd = at::empty_like(b.x).copy_(grad_output);
  Tensor dx = at::empty_like(b.x), db = at::empty_like(bc);
  L::bias_backward(op, s, dt, b.x.data_ptr(), bc.data_ptr(), gd.data_ptr(), dx.data_ptr(), db.data_ptr(), b.outer,
                   b.channels, b.inner);
  return {dx, db};
}

struct CpuLauncher {
  struct Guard {
    explicit Guard(c10::Device) {}
  };
  // libmish threads like LibTorch's intra-op pool (torch.set_num_threads).
  static void sync_threads() {
    const int want = at::get_num_threads();
    if (mish_get_num_threads() != want) mish_set_num_threads(want);
  }
  static void forward(const char* op, const Spec& s, mish_dtype dt, const void* x, void* y, size_t n) {
    sync_threads();
    const int st = mish_act_forward(s.id, dt, s.params.data(), s.params.size(), x, y, n);
    TORCH_CHECK(st == MISH_OK, "mish::", op, ": ", mish_last_error());
  }
  static void backward(const char* op, const Spec& s, mish_dtype dt, const void* x, const void* dy, void* dx,
                       size_t n, double* dparams) {
    sync_threads();
    const int st = mish_act_backward(s.id, dt, s.params.data(), s.params.size(), x, dy, dx, n, dparams);
    TORCH_CHECK(st == MISH_OK, "mish::", op, ": ", mish_last_error());
  }
  static void bias_forward(const char* op, const Spec& s, mish_dtype dt, const void* x, const void* b, void* y,
                           size_t outer, size_t channels, size_t inner) {
    sync_threads();
    const int st = mish_act_bias_forward(s.id, dt, s.params.data(), s.params.size(), x, b, y, outer, channels, inner);
    TORCH_CHECK(st == MISH_OK, "mish::", op, ": ", mish_last_error());
  }
  static void bias_backward(const char* op, const Spec& s, mish_dtype dt, const void* x, const void* b,
                            const void* dy, void* dx, void* db, size_t outer, size_t channels, size_t inner) {
    sync_threads();
    const int st = mish_act_bias_backward(s.id, dt, s.params.data(), s.params.size(), x, b, dy, dx, db, outer,
                                          channels, inner, nullptr);
    TORCH_CHECK(st == MISH_OK, "mish::", op, ": ", mish_last_error());
  }
};

#ifdef MISH_TORCH_CUDA
// The GPU kernels of libmish (mish/cuda.h) on the current CUDA stream of the
// tensor's device. Parameter gradients come back through a small device
// buffer (one synchronising copy, only for swish's beta).
struct CudaLauncher {
  using Guard = c10::cuda::CUDAGuard;
  static void* stream() { return c10::cuda::getCurrentCUDAStream().stream(); }
  static void check(const char* op, int st) { TORCH_CHECK(st == MISH_OK, "mish::", op, ": ", mish_last_error()); }
  static void forward(const char* op, const Spec& s, mish_dtype dt, const void* x, void* y, size_t n) {
    check(op, mish_cuda_act_forward(s.id, dt, s.params.data(), s.params.size(), x, y, n, stream()));
  }
  static void backward(const char* op, const Spec& s, mish_dtype dt, const void* x, const void* dy, void* dx,
                       size_t n, double* dparams) {
    Tensor d;
    if (dparams) {
      d = at::zeros({MISH_MAX_PARAMS}, at::TensorOptions().dtype(at::kDouble).device(at::kCUDA,
                                                                                      c10::cuda::current_device()));
    }
    check(op, mish_cuda_act_backward(s.id, dt, s.params.data(), s.params.size(), x, dy, dx, n,
                                     dparams ? d.data_ptr<double>() : nullptr, stream()));
    if (dparams) {
      const Tensor h = d.cpu();
      for (int k = 0; k < MISH_MAX_PARAMS; ++k) dparams[k] = h.data_ptr<double>()[k];
    }
  }
  static void bias_forward(const char* op, const Spec& s, mish_dtype dt, const void* x, const void* b, void* y,
                           size_t outer, size_t channels, size_t inner) {
    check(op, mish_cuda_act_bias_forward(s.id, dt, s.params.data(), s.params.size(), x, b, y, outer, channels, inner,
                                         stream()));
  }
  static void bias_backward(const char* op, const Spec& s, mish_dtype dt, const void* x, const void* b,
                            const void* dy, void* dx, void* db, size_t outer, size_t channels, size_t inner) {
    check(op, mish_cuda_act_bias_backward(s.id, dt, s.params.data(), s.params.size(), x, b, dy, dx, db, outer,
                                          channels, inner, nullptr, stream()));
  }
};
#endif

// The kernels of one backend.
template <class L>
struct Kernels {
  static Tensor mish(const Tensor& x) { return forward_impl<L>("mish", x, Spec(MISH_ACT_MISH)); }
  static Tensor& mish_(Tensor& x) { return forward_inplace_impl<L>("mish_", x, Spec(MISH_ACT_MISH)); }
  static Tensor mish_backward(const Tensor& grad_output, const Tensor& x) {
    return backward_impl<L>("mish_backward", grad_output, x, Spec(MISH_ACT_MISH), nullptr);
  }
  static Tensor swish(const Tensor& x, const Tensor& beta) {
    return forward_impl<L>("swish", x, Spec(MISH_ACT_SWISH, {beta_value("swish", beta)}));
  }
  static std::tuple<Tensor, Tensor> swish_backward(const Tensor& grad_output, const Tensor& x, const Tensor& beta) {
    double dbeta[MISH_MAX_PARAMS] = {};
    Tensor dx = backward_impl<L>("swish_backward", grad_output, x,
                                 Spec(MISH_ACT_SWISH, {beta_value("swish_backward", beta)}), dbeta);
    return {dx, at::full_like(beta, dbeta[0], at::MemoryFormat::Contiguous)};
  }
  static Tensor activation(const Tensor& x, c10::string_view name, c10::ArrayRef<double> params) {
    return forward_impl<L>("activation", x, resolve("activation", std::string(name), params));
  }
  static Tensor activation_backward(const Tensor& grad_output, const Tensor& x, c10::string_view name,
                                    c10::ArrayRef<double> params) {
    return backward_impl<L>("activation_backward", grad_output, x,
                            resolve("activation_backward", std::string(name), params), nullptr);
  }
  static Tensor bias_activation(const Tensor& x, const Tensor& bias, int64_t dim, c10::string_view name,
                                c10::ArrayRef<double> params) {
    return bias_forward_impl<L>("bias_activation", x, bias, dim,
                                resolve("bias_activation", std::string(name), params));
  }
  static std::tuple<Tensor, Tensor> bias_activation_backward(const Tensor& grad_output, const Tensor& x,
                                                             const Tensor& bias, int64_t dim, c10::string_view name,
                                                             c10::ArrayRef<double> params) {
    return bias_backward_impl<L>("bias_activation_backward", grad_output, x, bias, dim,
                                 resolve("bias_activation_backward", std::string(name), params));
  }
};

// ---------------------------------------------------------------------------
// The activations as LibTorch composites (double backward, tests). The switch
// has no default: a registry line without its composite is a compiler warning.

Tensor composite(const Spec& s, const Tensor& x) {
  const auto& p = s.params;
  switch (s.id) {
    case MISH_ACT_MISH: return x * at::tanh(at::softplus(x));
    case MISH_ACT_SWISH: return x * at::sigmoid(p[0] * x);
    case MISH_ACT_ESWISH: return p[0] * x * at::sigmoid(x);
    case MISH_ACT_RELU: return at::relu(x);
    case MISH_ACT_LEAKY_RELU: return at::leaky_relu(x, p[0]);
    case MISH_ACT_RELU6: return at::hardtanh(x, 0.0, 6.0);
    case MISH_ACT_ELU: return at::elu(x, p[0]);
    case MISH_ACT_CELU: return at::celu(x, p[0]);
    case MISH_ACT_SELU: return at::selu(x);
    case MISH_ACT_GELU: return at::gelu(x, "none");
    case MISH_ACT_GELU_TANH: return at::gelu(x, "tanh");
    case MISH_ACT_SOFTPLUS: return at::softplus(x, p[0], p[1]);
    case MISH_ACT_TANH: return at::tanh(x);
    case MISH_ACT_SIGMOID: return at::sigmoid(x);
    case MISH_ACT_HARDTANH: return at::hardtanh(x, p[0], p[1]);
    case MISH_ACT_SOFTSIGN: return x / (1 + at::abs(x));
    case MISH_ACT_LOGSIGMOID: return at::log_sigmoid(x);
    case MISH_ACT_TANH_SOFTPLUS: return at::tanh(x) * at::softplus(x);
    case MISH_ACT_ATAN_SOFTPLUS: return at::atan(x) * at::softplus(x);
    // the clamps change no value (tanh(e^20) and atan(e^40) round to their
    // limits) but keep exp finite, so that derivatives are 0, not inf * 0
    case MISH_ACT_X_LOG1P_TANH_EXP: return x * at::log1p(at::tanh(at::exp(at::clamp_max(x, 20.0))));
    case MISH_ACT_X_LOG1P_ATAN_EXP: return x * at::log1p(at::atan(at::exp(at::clamp_max(x, 40.0))));
    case MISH_ACT_COUNT: break;
  }
  TORCH_CHECK(false, "mish: activation id ", static_cast<int>(s.id), " has no LibTorch composite");
}

// 16-bit inputs evaluate the composite in float (LibTorch's CPU half kernels
// are incomplete); .to() is differentiable, so gradients flow through.
Tensor composite_any(const Spec& s, const Tensor& x) {
  const bool narrow = x.scalar_type() == at::kHalf || x.scalar_type() == at::kBFloat16;
  return narrow ? composite(s, x.to(at::kFloat)).to(x.scalar_type()) : composite(s, x);
}

// Gradients of sum(grad_output * f(inputs)) w.r.t. the inputs as a
// differentiable graph (in grad_output and the inputs).
variable_list composite_grads(const Tensor& grad_output, const std::vector<Tensor>& inputs,
                              const std::function<Tensor(const std::vector<Tensor>&)>& f) {
  at::AutoGradMode enable(true);
  std::vector<Tensor> vars;
  for (const Tensor& t : inputs) vars.push_back(t.requires_grad() ? t : t.detach().requires_grad_(true));
  const Tensor y = f(vars);
  return torch::autograd::grad({y}, vars, {grad_output}, /*retain_graph=*/true, /*create_graph=*/true,
                               /*allow_unused=*/true);
}

// True when autograd is recording through a backward op (double backward).
bool records(std::initializer_list<Tensor> ts) {
  if (!at::GradMode::is_enabled()) return false;
  for (const Tensor& t : ts) {
    if (t.defined() && t.requires_grad()) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Dispatcher handles (what the autograd layer calls below itself).

#define MISH_OP_HANDLE(fn, name, ...)                                                                       \
  const c10::TypedOperatorHandle<__VA_ARGS__>& fn() {                                                       \
    static const auto h = c10::Dispatcher::singleton().findSchemaOrThrow(name, "").typed<__VA_ARGS__>(); \
    return h;                                                                                               \
  }
MISH_OP_HANDLE(op_mish, "mish::mish", Tensor(const Tensor&))
MISH_OP_HANDLE(op_mish_, "mish::mish_", Tensor&(Tensor&))
MISH_OP_HANDLE(op_mish_backward, "mish::mish_backward", Tensor(const Tensor&, const Tensor&))
MISH_OP_HANDLE(op_swish, "mish::swish", Tensor(const Tensor&, const Tensor&))
MISH_OP_HANDLE(op_swish_backward, "mish::swish_backward",
               std::tuple<Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&))
MISH_OP_HANDLE(op_activation, "mish::activation", Tensor(const Tensor&, c10::string_view, c10::ArrayRef<double>))
MISH_OP_HANDLE(op_activation_backward, "mish::activation_backward",
               Tensor(const Tensor&, const Tensor&, c10::string_view, c10::ArrayRef<double>))
MISH_OP_HANDLE(op_bias_activation, "mish::bias_activation",
               Tensor(const Tensor&, const Tensor&, int64_t, c10::string_view, c10::ArrayRef<double>))
MISH_OP_HANDLE(op_bias_activation_backward, "mish::bias_activation_backward",
               std::tuple<Tensor, Tensor>(const Tensor&, const Tensor&, const Tensor&, int64_t, c10::string_view,
                                          c10::ArrayRef<double>))
#undef MISH_OP_HANDLE

// ---------------------------------------------------------------------------
// Autograd.

class MishFunction : public torch::autograd::Function<MishFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    at::AutoDispatchBelowADInplaceOrView guard;
    return op_mish().call(x);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    return {op_mish_backward().call(grads[0], x)};
  }
};

class SwishFunction : public torch::autograd::Function<SwishFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& beta) {
    ctx->save_for_backward({x, beta});
    at::AutoDispatchBelowADInplaceOrView guard;
    return op_swish().call(x, beta);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    auto [dx, dbeta] = op_swish_backward().call(grads[0], saved[0], saved[1]);
    return {dx, dbeta};
  }
};

class ActivationFunction : public torch::autograd::Function<ActivationFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const std::string& name,
                        const std::vector<double>& params) {
    ctx->save_for_backward({x});
    ctx->saved_data["name"] = name;
    ctx->saved_data["params"] = params;
    at::AutoDispatchBelowADInplaceOrView guard;
    return op_activation().call(x, name, params);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    const std::string name = ctx->saved_data["name"].toStringRef();
    const std::vector<double> params = ctx->saved_data["params"].toDoubleVector();
    return {op_activation_backward().call(grads[0], x, name, params), Tensor(), Tensor()};
  }
};

class BiasActivationFunction : public torch::autograd::Function<BiasActivationFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& bias, int64_t dim,
                        const std::string& name, const std::vector<double>& params) {
    ctx->save_for_backward({x, bias});
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["name"] = name;
    ctx->saved_data["params"] = params;
    at::AutoDispatchBelowADInplaceOrView guard;
    return op_bias_activation().call(x, bias, dim, name, params);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    auto [dx, db] = op_bias_activation_backward().call(grads[0], saved[0], saved[1], ctx->saved_data["dim"].toInt(),
                                                       ctx->saved_data["name"].toStringRef(),
                                                       ctx->saved_data["params"].toDoubleVector());
    return {dx, db, Tensor(), Tensor(), Tensor()};
  }
};

// bias as a tensor that broadcasts along dim of x.
Tensor bias_view(const Tensor& bias, const Tensor& x, int64_t dim) {
  const int64_t d = dim < 0 ? dim + x.dim() : dim;
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[static_cast<size_t>(d)] = bias.size(0);
  return bias.reshape(shape);
}

Tensor mish_autograd(const Tensor& x) { return MishFunction::apply(x); }

Tensor& mish_inplace_autograd(Tensor& x) {
  if (at::GradMode::is_enabled() && x.requires_grad()) {
    TORCH_CHECK(!x.is_leaf(), "mish::mish_: x is a leaf tensor that requires grad, and PyTorch forbids in-place "
                              "operations on those; use mish::mish (out of place) or work on x.detach()");
    // The gradient needs the input, which the in-place op overwrites: run out
    // of place on a copy and copy back through autograd, so that x's history
    // (and its version counter) are PyTorch's own in-place rules.
    x.copy_(MishFunction::apply(x.clone()));
    return x;
  }
  {
    at::AutoDispatchBelowADInplaceOrView guard;
    op_mish_().call(x);
  }
  torch::autograd::impl::bump_version(x);  // anything that saved x for backward must notice
  return x;
}

Tensor mish_backward_autograd(const Tensor& grad_output, const Tensor& x) {
  if (records({grad_output, x})) {
    const Spec s(MISH_ACT_MISH);
    return composite_grads(grad_output, {x}, [&](const std::vector<Tensor>& v) { return composite_any(s, v[0]); })[0];
  }
  at::AutoDispatchBelowADInplaceOrView guard;
  return op_mish_backward().call(grad_output, x);
}

Tensor swish_autograd(const Tensor& x, const Tensor& beta) { return SwishFunction::apply(x, beta); }

std::tuple<Tensor, Tensor> swish_backward_autograd(const Tensor& grad_output, const Tensor& x, const Tensor& beta) {
  if (records({grad_output, x, beta})) {
    (void)beta_value("swish_backward", beta);
    auto g = composite_grads(grad_output, {x, beta}, [](const std::vector<Tensor>& v) {
      const bool narrow = v[0].scalar_type() == at::kHalf || v[0].scalar_type() == at::kBFloat16;
      const Tensor xf = narrow ? v[0].to(at::kFloat) : v[0];
      const Tensor y = xf * at::sigmoid(v[1].reshape({}).to(xf.scalar_type()) * xf);
      return narrow ? y.to(v[0].scalar_type()) : y;
    });
    if (!g[1].defined()) g[1] = at::zeros_like(beta);
    return {g[0], g[1]};
  }
  at::AutoDispatchBelowADInplaceOrView guard;
  return op_swish_backward().call(grad_output, x, beta);
}

Tensor activation_autograd(const Tensor& x, c10::string_view name, c10::ArrayRef<double> params) {
  return ActivationFunction::apply(x, std::string(name), params.vec());
}

Tensor activation_backward_autograd(const Tensor& grad_output, const Tensor& x, c10::string_view name,
                                    c10::ArrayRef<double> params) {
  if (records({grad_output, x})) {
    const Spec s = resolve("activation_backward", std::string(name), params);
    return composite_grads(grad_output, {x}, [&](const std::vector<Tensor>& v) { return composite_any(s, v[0]); })[0];
  }
  at::AutoDispatchBelowADInplaceOrView guard;
  return op_activation_backward().call(grad_output, x, name, params);
}

Tensor bias_activation_autograd(const Tensor& x, const Tensor& bias, int64_t dim, c10::string_view name,
                                c10::ArrayRef<double> params) {
  return BiasActivationFunction::apply(x, bias, dim, std::string(name), params.vec());
}

std::tuple<Tensor, Tensor> bias_activation_backward_autograd(const Tensor& grad_output, const Tensor& x,
                                                             const Tensor& bias, int64_t dim, c10::string_view name,
                                                             c10::ArrayRef<double> params) {
  if (records({grad_output, x, bias})) {
    const Spec s = resolve("bias_activation_backward", std::string(name), params);
    (void)bias_shape("bias_activation_backward", x, bias, dim);
    auto g = composite_grads(grad_output, {x, bias}, [&](const std::vector<Tensor>& v) {
      return composite_any(s, v[0] + bias_view(v[1], v[0], dim));
    });
    return {g[0], g[1]};
  }
  at::AutoDispatchBelowADInplaceOrView guard;
  return op_bias_activation_backward().call(grad_output, x, bias, dim, name, params);
}

}  // namespace

// ---------------------------------------------------------------------------
// Registration.

TORCH_LIBRARY(mish, m) {
  m.def("mish(Tensor x) -> Tensor");
  m.def("mish_(Tensor(a!) x) -> Tensor(a!)");
  m.def("mish_backward(Tensor grad_output, Tensor x) -> Tensor");
  m.def("swish(Tensor x, Tensor beta) -> Tensor");
  m.def("swish_backward(Tensor grad_output, Tensor x, Tensor beta) -> (Tensor, Tensor)");
  m.def("activation(Tensor x, str name, float[] params=[]) -> Tensor");
  m.def("activation_backward(Tensor grad_output, Tensor x, str name, float[] params=[]) -> Tensor");
  m.def("bias_activation(Tensor x, Tensor bias, int dim=1, str name=\"mish\", float[] params=[]) -> Tensor");
  m.def("bias_activation_backward(Tensor grad_output, Tensor x, Tensor bias, int dim, str name, "
        "float[] params=[]) -> (Tensor, Tensor)");
}

// One backend's kernels, every op.
template <class L>
void register_backend(torch::Library& m) {
  using K = Kernels<L>;
  m.impl("mish", &K::mish);
  m.impl("mish_", &K::mish_);
  m.impl("mish_backward", &K::mish_backward);
  m.impl("swish", &K::swish);
  m.impl("swish_backward", &K::swish_backward);
  m.impl("activation", &K::activation);
  m.impl("activation_backward", &K::activation_backward);
  m.impl("bias_activation", &K::bias_activation);
  m.impl("bias_activation_backward", &K::bias_activation_backward);
}

TORCH_LIBRARY_IMPL(mish, CPU, m) { register_backend<CpuLauncher>(m); }

#ifdef MISH_TORCH_CUDA
TORCH_LIBRARY_IMPL(mish, CUDA, m) { register_backend<CudaLauncher>(m); }
#endif

TORCH_LIBRARY_IMPL(mish, Autograd, m) {
  m.impl("mish", &mish_autograd);
  m.impl("mish_", &mish_inplace_autograd);
  m.impl("mish_backward", &mish_backward_autograd);
  m.impl("swish", &swish_autograd);
  m.impl("swish_backward", &swish_backward_autograd);
  m.impl("activation", &activation_autograd);
  m.impl("activation_backward", &activation_backward_autograd);
  m.impl("bias_activation", &bias_activation_autograd);
  m.impl("bias_activation_backward", &bias_activation_backward_autograd);
}

// ---------------------------------------------------------------------------
// C++ API: through the dispatcher, like torch.ops.mish.* from Python.

namespace ops {

Tensor mish(const Tensor& x) { return op_mish().call(x); }
Tensor& mish_(Tensor& x) { return op_mish_().call(x); }
Tensor mish_backward(const Tensor& grad_output, const Tensor& x) { return op_mish_backward().call(grad_output, x); }
Tensor swish(const Tensor& x, const Tensor& beta) { return op_swish().call(x, beta); }
Tensor activation(const Tensor& x, const std::string& name, const std::vector<double>& params) {
  return op_activation().call(x, name, params);
}
Tensor activation_backward(const Tensor& grad_output, const Tensor& x, const std::string& name,
                           const std::vector<double>& params) {
  return op_activation_backward().call(grad_output, x, name, params);
}
Tensor bias_activation(const Tensor& x, const Tensor& bias, int64_t dim, const std::string& name,
                       const std::vector<double>& params) {
  return op_bias_activation().call(x, bias, dim, name, params);
}
Tensor reference(const Tensor& x, const std::string& name, const std::vector<double>& params) {
  return composite_any(resolve("reference", name, params), x);
}

}  // namespace ops

// ---------------------------------------------------------------------------
// Modules.

namespace nn {

Tensor MishImpl::forward(const Tensor& x) { return ops::mish(x); }
void MishImpl::pretty_print(std::ostream& os) const { os << "mish::nn::Mish()"; }

SwishImpl::SwishImpl(double beta_init, bool learnable) : initial_beta_(beta_init), learnable_(learnable) { reset(); }
void SwishImpl::reset() {
  Tensor b = torch::full({1}, initial_beta_);
  beta = learnable_ ? register_parameter("beta", b) : register_buffer("beta", b);
}
Tensor SwishImpl::forward(const Tensor& x) { return ops::swish(x, beta); }
void SwishImpl::pretty_print(std::ostream& os) const {
  os << "mish::nn::Swish(beta=" << initial_beta_ << (learnable_ ? ", learnable" : ", fixed") << ")";
}

ActivationImpl::ActivationImpl(std::string name, std::vector<double> params)
    : name_(std::move(name)), params_(std::move(params)) {
  (void)resolve("nn::Activation", name_, params_);  // a bad name fails here, not at the first forward
}
Tensor ActivationImpl::forward(const Tensor& x) { return ops::activation(x, name_, params_); }
void ActivationImpl::pretty_print(std::ostream& os) const {
  os << "mish::nn::Activation(" << resolve("nn::Activation", name_, params_).str() << ")";
}

}  // namespace nn
}  // namespace mish
