// The LibTorch operator from C++: values against LibTorch's own functions,
// gradients against finite differences, strides, dtypes, errors, modules.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mish/activations.hpp"
#include "mish/torch.hpp"

namespace {

using at::Tensor;

Tensor random_inputs(int64_t n, double scale = 4.0, uint64_t seed = 1) {
  torch::manual_seed(seed);
  Tensor x = torch::randn({n}, torch::kFloat64) * scale;
  // away from the kinks (0 for the rectifiers, 6, +-1) where one-sided
  // derivatives differ and finite differences straddle them
  for (double k : {0.0, 6.0, 1.0, -1.0}) x = torch::where((x - k).abs() < 1e-3, x + 0.01, x);
  return x;
}

Tensor hazard_inputs() {
  return torch::tensor({0.0, -0.0, 1e-300, -1e-300, 1e-8, -1.1924, -1.19, -5.0, -20.0, -40.0, -87.0, -100.0, -700.0,
                        5.0, 20.0, 44.0, 88.0, 1e10, -1e10},
                       torch::kFloat64);
}

// Relative closeness with an absolute floor, reporting the first element off.
// xtol (with x) adds xtol |x| to the bound: LibTorch computes GELU as
// x (1 + erf(x / sqrt2)) / 2, which cancels for negative x and leaves an
// error of order eps |x| (ours does not cancel: it is within 1 ULP).
void expect_close(const Tensor& got, const Tensor& want, double rtol, double atol, const std::string& what,
                  const Tensor& x = Tensor(), double xtol = 0) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  const Tensor diff = (got - want).abs();
  Tensor bound = want.abs() * rtol + atol;
  if (x.defined()) bound = bound + x.abs() * xtol;
  const Tensor bad = (diff > bound) | (got.isnan() != want.isnan());
  if (bad.any().item<bool>()) {
    const int64_t i = bad.flatten().nonzero()[0].item<int64_t>();
    ADD_FAILURE() << what << ": element " << i << " got " << got.flatten()[i].item<double>() << " want "
                  << want.flatten()[i].item<double>();
  }
}

std::vector<std::string> all_names() {
  std::vector<std::string> names = mish::activation_names();
  names.erase(std::remove(names.begin(), names.end(), "silu"), names.end());  // an alias
  return names;
}

TEST(TorchOp, MatchesLibTorchFunctions) {
  for (const Tensor& x : {random_inputs(2000), hazard_inputs()}) {
    expect_close(mish::ops::mish(x), torch::mish(x), 1e-14, 1e-300, "mish");
    expect_close(mish::ops::swish(x, torch::ones({1}, torch::kFloat64)), torch::silu(x), 1e-14, 1e-300, "silu");
    expect_close(mish::ops::activation(x, "gelu"), torch::gelu(x), 1e-14, 1e-300, "gelu", x, 1e-15);
    expect_close(mish::ops::activation(x, "gelu_tanh"), torch::gelu(x, "tanh"), 1e-14, 1e-300, "gelu_tanh", x, 1e-15);
    // (LibTorch's ELU takes exp(x) - 1, absolute error ~eps: hence the floor)
    expect_close(mish::ops::activation(x, "elu", {0.7}), torch::elu(x, 0.7), 1e-14, 2e-16, "elu");
    expect_close(mish::ops::activation(x, "softplus:beta=2,threshold=10"), torch::softplus(x, 2, 10), 1e-14, 1e-300,
                 "softplus");
    expect_close(mish::ops::activation(x, "logsigmoid"), torch::log_sigmoid(x), 1e-14, 1e-300, "logsigmoid");
  }
}

TEST(TorchOp, EveryActivationMatchesItsLibTorchComposite) {
  // (not the +-1e-300 hazards: exp(x) - 1 inside LibTorch's SELU returns 0 there)
  const Tensor x = torch::cat({random_inputs(2000), hazard_inputs().slice(0, 4, 17)});
  for (const std::string& name : all_names()) {
    // composites such as x * tanh(softplus(x)) are themselves a few ULP off
    expect_close(mish::ops::activation(x, name), mish::ops::reference(x, name), 1e-13, 1e-300, name, x, 1e-15);
  }
}

TEST(TorchOp, GradientsEqualFiniteDifferences) {
  const Tensor x = random_inputs(300, 3.0, 7);
  const double h = 1e-6;
  for (const std::string& name : all_names()) {
    Tensor xv = x.clone().requires_grad_(true);
    const Tensor g = torch::autograd::grad({mish::ops::activation(xv, name).sum()}, {xv})[0];
    const Tensor fd = (mish::ops::activation(x + h, name) - mish::ops::activation(x - h, name)) / (2 * h);
    expect_close(g, fd, 1e-6, 1e-8, name + " gradient");
  }
  // Swish: beta's gradient, sum of x^2 s(bx)(1 - s(bx)) weighted by dy
  const Tensor beta = torch::full({1}, 1.3, torch::kFloat64).requires_grad_(true);
  Tensor xv = x.clone().requires_grad_(true);
  const Tensor w = torch::linspace(-1, 1, x.size(0), torch::kFloat64);
  auto grads = torch::autograd::grad({(mish::ops::swish(xv, beta) * w).sum()}, {xv, beta});
  auto f = [&](double b) { return (mish::ops::swish(x, torch::full({1}, b, torch::kFloat64)) * w).sum(); };
  expect_close(grads[1], ((f(1.3 + h) - f(1.3 - h)) / (2 * h)).reshape({1}), 1e-6, 1e-8, "swish beta");
  expect_close(grads[0], torch::autograd::grad({(torch::silu(1.3 * xv) / 1.3 * w).sum()}, {xv})[0], 1e-12, 1e-300,
               "swish x");
}

TEST(TorchOp, DoubleBackwardMatchesTheComposite) {
  const Tensor x0 = random_inputs(200, 3.0, 3);
  for (const char* name : {"mish", "swish", "gelu", "elu", "tanh_softplus", "x_log1p_tanh_exp"}) {
    Tensor x = x0.clone().requires_grad_(true);
    const Tensor g = torch::autograd::grad({mish::ops::activation(x, name).sum()}, {x}, {}, true, true)[0];
    const Tensor gg = torch::autograd::grad({g.sum()}, {x})[0];
    Tensor r = x0.clone().requires_grad_(true);
    const Tensor rg = torch::autograd::grad({mish::ops::reference(r, name).sum()}, {r}, {}, true, true)[0];
    const Tensor rgg = torch::autograd::grad({rg.sum()}, {r})[0];
    expect_close(gg, rgg, 1e-10, 1e-12, std::string(name) + " second derivative");
  }
}

TEST(TorchOp, AnyStridesAndShapes) {
  const Tensor base = random_inputs(2 * 3 * 4 * 5).reshape({2, 3, 4, 5});
  const std::vector<Tensor> cases = {base,
                                     base.transpose(1, 3),
                                     base.slice(1, 0, 3, 2),
                                     base.contiguous(at::MemoryFormat::ChannelsLast),
                                     base[0][0][0].expand({7, 5}),
                                     torch::empty({0, 3}, torch::kFloat64),
                                     torch::tensor(1.5, torch::kFloat64)};
  for (const Tensor& x : cases) {
    const Tensor y = mish::ops::mish(x);
    EXPECT_EQ(y.sizes(), x.sizes());
    expect_close(y, torch::mish(x.contiguous()), 1e-14, 0, "strided mish");
    // backward with an expanded grad_output (the gradient of a sum)
    const Tensor dx = mish::ops::mish_backward(torch::ones({}, torch::kFloat64).expand(x.sizes()), x);
    const Tensor want = mish::ops::mish_backward(torch::ones(x.sizes(), torch::kFloat64), x.contiguous());
    expect_close(dx, want, 0, 0, "strided mish_backward");
  }
}

TEST(TorchOp, SixteenBitAndFloat) {
  const Tensor x = random_inputs(4096);
  // against the exact function of the rounded input, within the contract:
  // 3 ULP for float (at most 3 * 2^-23 relative), 1 ULP for the 16-bit types
  // (2^-7, 2^-10; float16 subnormals are 2^-24 apart)
  for (auto [dt, rtol, atol] : {std::tuple{torch::kFloat32, 3 * 0x1p-23, 0.0}, {torch::kBFloat16, 0x1p-7, 0.0},
                                {torch::kFloat16, 0x1p-10, 0x1p-24}}) {
    const Tensor y = mish::ops::mish(x.to(dt));
    EXPECT_EQ(y.scalar_type(), dt);
    const Tensor want = torch::mish(x.to(dt).to(torch::kFloat64));
    expect_close(y.to(torch::kFloat64), want, rtol, atol, std::string("mish ") + c10::toString(dt));
    Tensor xv = x.to(dt).requires_grad_(true);
    mish::ops::mish(xv).sum().backward();
    EXPECT_EQ(xv.grad().scalar_type(), dt);
  }
}

TEST(TorchOp, InPlace) {
  Tensor x = random_inputs(100);
  const Tensor want = torch::mish(x);
  Tensor& y = mish::ops::mish_(x);
  EXPECT_TRUE(y.is_same(x));
  expect_close(x, want, 1e-14, 0, "mish_");
  Tensor s = random_inputs(4 * 6).reshape({4, 6});
  Tensor view = s.slice(1, 0, 6, 2);  // a strided view, written in place
  const Tensor want_view = torch::mish(view);
  mish::ops::mish_(view);
  expect_close(s.slice(1, 0, 6, 2), want_view, 1e-14, 0, "strided mish_");
  Tensor leaf = random_inputs(5).requires_grad_(true);
  EXPECT_THROW(mish::ops::mish_(leaf), c10::Error);
}

TEST(TorchOp, BadInputsGiveClearErrors) {
  auto message = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const c10::Error& e) {
      return e.what_without_backtrace();
    }
    return "no error";
  };
  for (auto dt : {torch::kInt32, torch::kInt64, torch::kBool, torch::kComplexFloat}) {
    const std::string m = message([&] { mish::ops::mish(torch::ones({3}, dt)); });
    EXPECT_NE(m.find("mish::mish: unsupported dtype"), std::string::npos) << m;
    EXPECT_NE(m.find(c10::toString(dt)), std::string::npos) << m;
  }
  const Tensor x = random_inputs(4);
  EXPECT_NE(message([&] { mish::ops::activation(x, "nope"); }).find("unknown activation 'nope'"), std::string::npos);
  EXPECT_NE(message([&] { mish::ops::activation(x, "elu", {1, 2, 3}); }).find("elu"), std::string::npos);
  EXPECT_NE(message([&] { mish::ops::activation(x, "elu:alpha=2", {1}); }).find("one place"), std::string::npos);
  EXPECT_NE(message([&] { mish::ops::swish(x, torch::ones({2}, torch::kFloat64)); }).find("exactly one element"),
            std::string::npos);
  EXPECT_NE(message([&] { mish::ops::mish_backward(torch::ones({3}, torch::kFloat64), x); }).find("shape"),
            std::string::npos);
  EXPECT_NE(message([&] { mish::ops::mish_backward(torch::ones({4}, torch::kFloat32), x); }).find("dtype"),
            std::string::npos);
  EXPECT_NE(message([] { mish::nn::Activation("nope"); }).find("unknown activation"), std::string::npos);
}

TEST(TorchOp, BiasActivationMatchesAddThenActivate) {
  torch::manual_seed(5);
  struct Case {
    std::vector<int64_t> shape;
    int64_t dim;
    bool channels_last;
  };
  for (const Case& c : {Case{{2, 3, 5, 7}, 1, false}, Case{{2, 3, 5, 7}, 1, true}, Case{{9, 6}, 1, false},
                        Case{{2, 5, 7, 3}, -1, false}, Case{{4, 3, 10}, 1, false}}) {
    for (const char* name : {"mish", "swish:beta=1.5", "gelu", "relu"}) {
      Tensor x = torch::randn(c.shape, torch::kFloat64) * 3;
      if (c.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
      const int64_t d = c.dim < 0 ? c.dim + x.dim() : c.dim;
      Tensor b = torch::randn({x.size(d)}, torch::kFloat64);
      std::vector<int64_t> view(static_cast<size_t>(x.dim()), 1);
      view[static_cast<size_t>(d)] = x.size(d);
      x.requires_grad_(true);
      b.requires_grad_(true);
      const Tensor y = mish::ops::bias_activation(x, b, c.dim, name);
      // the unfused op on x + b: bit for bit (same sum, same kernel)
      const Tensor want = mish::ops::activation(x + b.reshape(view), name);
      EXPECT_TRUE(torch::equal(y, want)) << name;
      // gradients against LibTorch's autograd of the composite (whose GELU
      // cancels for negative inputs: an error of order eps |x|)
      const Tensor g = torch::randn_like(y);
      const auto got = torch::autograd::grad({y}, {x, b}, {g});
      const auto ref = torch::autograd::grad({mish::ops::reference(x + b.reshape(view), name)}, {x, b}, {g});
      expect_close(got[0], ref[0], 1e-12, 1e-14, std::string("dx ") + name, x.detach(), 1e-14);
      expect_close(got[1], ref[1], 1e-10, 1e-12, std::string("dbias ") + name);
      // float32: the same within float rounding
      const Tensor yf = mish::ops::bias_activation(x.detach().to(torch::kFloat), b.detach().to(torch::kFloat), c.dim,
                                                   name);
      expect_close(yf.to(torch::kFloat64), want.detach(), 1e-5, 1e-6, std::string("f32 ") + name);
    }
  }
}

TEST(TorchOp, BiasActivationDoubleBackwardAndErrors) {
  torch::manual_seed(6);
  const Tensor x = (torch::randn({3, 4, 5}, torch::kFloat64) * 2).requires_grad_(true);
  const Tensor b = torch::randn({4}, torch::kFloat64).requires_grad_(true);
  const Tensor y = mish::ops::bias_activation(x, b);
  const auto g1 = torch::autograd::grad({y.sum()}, {x, b}, {}, true, true);
  const auto gg = torch::autograd::grad({g1[0].sum() + g1[1].sum()}, {x, b});
  const Tensor ref = mish::ops::reference(x + b.reshape({1, 4, 1}), "mish");
  const auto r1 = torch::autograd::grad({ref.sum()}, {x, b}, {}, true, true);
  const auto rr = torch::autograd::grad({r1[0].sum() + r1[1].sum()}, {x, b});
  expect_close(gg[0], rr[0], 1e-10, 1e-12, "d2/dx");
  expect_close(gg[1], rr[1], 1e-10, 1e-12, "d2/db");
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const c10::Error& e) {
      return std::string(e.what_without_backtrace());
    }
    return std::string("no error");
  };
  const Tensor xs = torch::randn({2, 3});
  EXPECT_NE(message([&] { mish::ops::bias_activation(xs, torch::randn({4})); }).find("bias must be 1-d with x.size(1) = 3"),
            std::string::npos);
  EXPECT_NE(message([&] { mish::ops::bias_activation(xs, torch::randn({3}), 5); }).find("dim 5 is out of range"),
            std::string::npos);
  EXPECT_NE(message([&] { mish::ops::bias_activation(xs, torch::randn({3}, torch::kFloat64)); }).find("bias has dtype"),
            std::string::npos);
}

TEST(TorchModules, InsideSequentialAndTrainable) {
  torch::manual_seed(0);
  mish::nn::Swish swish(1.0);
  torch::nn::Sequential net(torch::nn::Linear(4, 8), mish::nn::Mish(), torch::nn::Linear(8, 8), swish,
                            torch::nn::Linear(8, 8), mish::nn::Activation("gelu"), torch::nn::Linear(8, 1));
  bool has_beta = false;
  for (const auto& p : net->named_parameters()) has_beta |= p.key().find("beta") != std::string::npos;
  EXPECT_TRUE(has_beta);
  const Tensor x = torch::randn({64, 4});
  const Tensor target = x.sum(1, true).sin();
  torch::optim::Adam opt(net->parameters(), 0.01);
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    const Tensor loss = torch::mse_loss(net->forward(x), target);
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, first * 0.5);
  EXPECT_NE(swish->beta.item<double>(), 1.0);  // beta was trained
  std::ostringstream os;
  os << *net;
  EXPECT_NE(os.str().find("mish::nn::Mish()"), std::string::npos);
  EXPECT_NE(os.str().find("mish::nn::Activation(gelu)"), std::string::npos);
}

}  // namespace
