#include "models.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "distributed.hpp"
#include "mish/torch.hpp"

namespace mish::lab {
namespace {

namespace tnn = torch::nn;

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

tnn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t pad = 0, bool bias = true) {
  return tnn::Conv2d(tnn::Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(bias));
}

// A Sequential behind the Model interface.
class SequentialModel : public Model {
 public:
  explicit SequentialModel(tnn::Sequential s) : body(register_module("body", std::move(s))) {}
  torch::Tensor forward(torch::Tensor x) override { return body->forward(x); }
  tnn::Sequential body;
};

// Fig 6a: Conv(20, 5x5) - act - Conv(50, 5x5) - act - MaxPool(2) - Dropout(.25) -
// Flatten - N x [Linear(500) - BatchNorm - act - Dropout(.25)] - Linear(classes).
std::shared_ptr<Model> depth_model(const ModelOptions& o, const InputShape& in) {
  const int n = o.depth > 0 ? o.depth : 2;
  const int64_t h = (in.height - 8) / 2, w = (in.width - 8) / 2;
  if (h < 1 || w < 1) bad("the depth model needs inputs of at least 10x10 (two 5x5 convolutions and a pool)");
  tnn::Sequential s(conv(in.channels, 20, 5), make_activation(o.activation), conv(20, 50, 5),
                    make_activation(o.activation), tnn::MaxPool2d(2), GlobalDropout(0.25), tnn::Flatten());
  int64_t features = 50 * h * w;
  for (int i = 0; i < n; ++i) {
    s->push_back(tnn::Linear(features, 500));
    s->push_back(GlobalBatchNorm(500));
    s->push_back(make_activation(o.activation));
    s->push_back(GlobalDropout(0.25));
    features = 500;
  }
  s->push_back(tnn::Linear(features, in.classes));
  auto m = std::make_shared<SequentialModel>(s);
  m->description = "depth: 2 conv + " + std::to_string(n) + " x dense(500)";
  return m;
}

std::shared_ptr<Model> mlp_model(const ModelOptions& o, const InputShape& in) {
  const int n = o.depth > 0 ? o.depth : 3;
  const int64_t width = o.width > 0 ? o.width : 512;
  if (o.dropout < 0 || o.dropout >= 1) bad("dropout must be in [0, 1)");
  tnn::Sequential s{tnn::Flatten()};
  int64_t features = in.channels * in.height * in.width;
  for (int i = 0; i < n; ++i) {
    s->push_back(tnn::Linear(features, width));
    if (o.batch_norm) s->push_back(GlobalBatchNorm(width));
    s->push_back(make_activation(o.activation));
    if (o.dropout > 0) s->push_back(GlobalDropout(o.dropout));
    features = width;
  }
  s->push_back(tnn::Linear(features, in.classes));
  auto m = std::make_shared<SequentialModel>(s);
  m->description = "mlp: " + std::to_string(n) + " x dense(" + std::to_string(width) + ")" +
                   (o.batch_norm ? " + BN" : "") + (o.dropout > 0 ? " + dropout" : "");
  return m;
}

// N x [Conv 3x3 - BN - act], channels doubling and a 2x2 max-pool after every
// second layer while the map is at least 4x4; global average pool; Linear.
std::shared_ptr<Model> cnn_model(const ModelOptions& o, const InputShape& in) {
  const int n = o.depth > 0 ? o.depth : 6;
  int64_t c = o.width > 0 ? o.width : 32;
  tnn::Sequential s;
  int64_t cin = in.channels, h = in.height, w = in.width;
  for (int i = 0; i < n; ++i) {
    s->push_back(conv(cin, c, 3, 1, 1, false));
    s->push_back(GlobalBatchNorm(c));
    s->push_back(make_activation(o.activation));
    cin = c;
    if (i % 2 == 1 && h >= 4 && w >= 4 && i + 1 < n) {
      s->push_back(tnn::MaxPool2d(2));
      h /= 2;
      w /= 2;
      c *= 2;
    }
  }
  s->push_back(tnn::AdaptiveAvgPool2d(1));
  s->push_back(tnn::Flatten());
  s->push_back(tnn::Linear(cin, in.classes));
  auto m = std::make_shared<SequentialModel>(s);
  m->description = "cnn: " + std::to_string(n) + " x conv3x3";
  return m;
}

// SqueezeNet 1.1's Fire module: squeeze 1x1, then 1x1 and 3x3 expansions, concatenated.
class FireImpl : public tnn::Module {
 public:
  FireImpl(int64_t in, int64_t squeeze, int64_t e1, int64_t e3, const std::string& act)
      : sq(register_module("squeeze", conv(in, squeeze, 1))),
        ex1(register_module("expand1x1", conv(squeeze, e1, 1))),
        ex3(register_module("expand3x3", conv(squeeze, e3, 3, 1, 1))),
        a0(make_activation(act)),
        a1(make_activation(act)),
        a3(make_activation(act)) {
    register_module("act0", a0.ptr());
    register_module("act1", a1.ptr());
    register_module("act3", a3.ptr());
  }
  torch::Tensor forward(torch::Tensor x) {
    const torch::Tensor s = a0.forward(sq->forward(x));
    return torch::cat({a1.forward(ex1->forward(s)), a3.forward(ex3->forward(s))}, 1);
  }
  tnn::Conv2d sq, ex1, ex3;
  tnn::AnyModule a0, a1, a3;
};
TORCH_MODULE(Fire);

// SqueezeNet 1.1 for 28x28 / 32x32 inputs: the stem convolution has stride 1
// (the ImageNet net's stride 2 and three pools would leave 1x1 maps).
std::shared_ptr<Model> squeezenet_model(const ModelOptions& o, const InputShape& in) {
  const std::string& a = o.activation;
  auto pool = [] { return tnn::MaxPool2d(tnn::MaxPool2dOptions(3).stride(2).ceil_mode(true)); };
  tnn::Sequential s(conv(in.channels, 64, 3, 1, 1), make_activation(a), pool(), Fire(64, 16, 64, 64, a),
                    Fire(128, 16, 64, 64, a), pool(), Fire(128, 32, 128, 128, a), Fire(256, 32, 128, 128, a),
                    pool(), Fire(256, 48, 192, 192, a), Fire(384, 48, 192, 192, a), Fire(384, 64, 256, 256, a),
                    Fire(512, 64, 256, 256, a), GlobalDropout(0.5), conv(512, in.classes, 1), make_activation(a),
                    tnn::AdaptiveAvgPool2d(1), tnn::Flatten());
  auto m = std::make_shared<SequentialModel>(s);
  m->description = "squeezenet 1.1 (stride-1 stem)";
  return m;
}

// Pre-activation basic block: BN - act - conv3x3 - BN - act - conv3x3, plus
// the input (or a strided 1x1 projection of the pre-activated input).
class PreActBlockImpl : public tnn::Module {
 public:
  PreActBlockImpl(int64_t in, int64_t out, int64_t stride, const std::string& act)
      : bn1(register_module("bn1", GlobalBatchNorm(in))),
        conv1(register_module("conv1", conv(in, out, 3, stride, 1, false))),
        bn2(register_module("bn2", GlobalBatchNorm(out))),
        conv2(register_module("conv2", conv(out, out, 3, 1, 1, false))),
        act1(make_activation(act)),
        act2(make_activation(act)) {
    register_module("act1", act1.ptr());
    register_module("act2", act2.ptr());
    if (stride != 1 || in != out) shortcut = register_module("shortcut", conv(in, out, 1, stride, 0, false));
  }
  torch::Tensor forward(torch::Tensor x) {
    const torch::Tensor pre = act1.forward(bn1->forward(x));
    const torch::Tensor skip = shortcut ? shortcut->forward(pre) : x;
    return conv2->forward(act2.forward(bn2->forward(conv1->forward(pre)))) + skip;
  }
  GlobalBatchNorm bn1;
  tnn::Conv2d conv1;
  GlobalBatchNorm bn2;
  tnn::Conv2d conv2, shortcut{nullptr};
  tnn::AnyModule act1, act2;
};
TORCH_MODULE(PreActBlock);

std::shared_ptr<Model> resnet20_model(const ModelOptions& o, const InputShape& in) {
  tnn::Sequential s(conv(in.channels, 16, 3, 1, 1, false));
  int64_t c = 16;
  for (int stage = 0; stage < 3; ++stage) {
    const int64_t out = 16 << stage;
    for (int b = 0; b < 3; ++b) {
      s->push_back(PreActBlock(c, out, stage > 0 && b == 0 ? 2 : 1, o.activation));
      c = out;
    }
  }
  s->push_back(GlobalBatchNorm(c));
  s->push_back(make_activation(o.activation));
  s->push_back(tnn::AdaptiveAvgPool2d(1));
  s->push_back(tnn::Flatten());
  s->push_back(tnn::Linear(c, in.classes));
  auto m = std::make_shared<SequentialModel>(s);
  m->description = "resnet20 (pre-activation)";
  return m;
}

// fan_in, fan_out of a Conv / Linear weight [out, in, k...].
std::pair<double, double> fans(const torch::Tensor& w) {
  const double receptive = w.dim() > 2 ? static_cast<double>(w[0][0].numel()) : 1.0;
  return {static_cast<double>(w.size(1)) * receptive, static_cast<double>(w.size(0)) * receptive};
}

// Normal(0, std) truncated at 2 std by redrawing (Keras' truncated_normal).
void truncated_normal(torch::Tensor w, double std, torch::Generator& g) {
  torch::Tensor z = torch::randn(w.sizes(), g, w.options());
  for (torch::Tensor out = z.abs() > 2; out.any().item<bool>(); out = z.abs() > 2) {
    z = torch::where(out, torch::randn(w.sizes(), g, w.options()), z);
  }
  w.copy_(z * std);
}

}  // namespace

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> n = {"depth", "mlp", "cnn", "squeezenet", "resnet20"};
  return n;
}

torch::nn::AnyModule make_activation(const std::string& spec) {
  if (spec == "mish") return torch::nn::AnyModule(mish::nn::Mish());
  return torch::nn::AnyModule(mish::nn::Activation(spec));
}

std::shared_ptr<Model> make_model(const ModelOptions& o, const InputShape& in) {
  if (o.depth < 0) bad("depth must be >= 1 (or 0 for the model's default)");
  if (o.width < 0) bad("width must be >= 1 (or 0 for the model's default)");
  std::shared_ptr<Model> m;
  if (o.model == "depth") {
    m = depth_model(o, in);
  } else if (o.model == "mlp") {
    m = mlp_model(o, in);
  } else if (o.model == "cnn") {
    m = cnn_model(o, in);
  } else if (o.model == "squeezenet") {
    m = squeezenet_model(o, in);
  } else if (o.model == "resnet20") {
    m = resnet20_model(o, in);
  } else {
    bad("unknown model '" + o.model + "'; choose depth, mlp, cnn, squeezenet or resnet20");
  }
  m->description += ", activation " + o.activation;
  return m;
}

const std::vector<std::string>& init_names() {
  static const std::vector<std::string> n = {"default",       "random_normal",  "random_uniform", "truncated_normal",
                                             "orthogonal",    "lecun_uniform",  "lecun_normal",   "glorot_uniform",
                                             "glorot_normal", "he_uniform",     "he_normal"};
  return n;
}

void initialise(torch::nn::Module& model, const std::string& scheme, uint64_t seed) {
  const auto& names = init_names();
  if (std::find(names.begin(), names.end(), scheme) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    bad("unknown initialiser '" + scheme + "'; choose one of: " + list);
  }
  if (scheme == "default") return;  // LibTorch's own (Kaiming uniform, a = sqrt 5)
  torch::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  // 1 / 0.8796...: the std of a unit normal truncated at 2, undone (Keras)
  constexpr double kTruncStd = 0.87962566103423978;
  for (auto& mod : model.modules(/*include_self=*/false)) {
    const bool layer = mod->as<torch::nn::Conv2d>() || mod->as<torch::nn::Linear>();
    if (!layer) continue;
    torch::Tensor w = mod->named_parameters(false)["weight"];
    if (auto* b = mod->named_parameters(false).find("bias")) {
      if (b->defined()) b->zero_();
    }
    const auto [fan_in, fan_out] = fans(w);
    if (scheme == "random_normal") {
      w.copy_(torch::randn(w.sizes(), g, w.options()) * 0.05);
    } else if (scheme == "random_uniform") {
      w.copy_((torch::rand(w.sizes(), g, w.options()) * 2 - 1) * 0.05);
    } else if (scheme == "truncated_normal") {
      truncated_normal(w, 0.05, g);
    } else if (scheme == "orthogonal") {
      // QR of a Gaussian matrix, sign-corrected so the result is uniformly distributed
      const int64_t rows = w.size(0), cols = w.numel() / rows;
      const bool tall = rows >= cols;
      torch::Tensor a = torch::randn({std::max(rows, cols), std::min(rows, cols)}, g, w.options());
      auto [q, r] = torch::linalg::qr(a);
      q = q * torch::sign(torch::diagonal(r));
      w.copy_((tall ? q : q.t()).reshape(w.sizes()));
    } else {
      const bool uniform = scheme.find("uniform") != std::string::npos;
      const double n = scheme.rfind("glorot", 0) == 0 ? (fan_in + fan_out) / 2 : fan_in;
      const double scale = scheme.rfind("he", 0) == 0 ? 2.0 : 1.0;
      if (uniform) {
        const double limit = std::sqrt(3.0 * scale / n);
        w.copy_((torch::rand(w.sizes(), g, w.options()) * 2 - 1) * limit);
      } else {
        truncated_normal(w, std::sqrt(scale / n) / kTruncStd, g);
      }
    }
  }
}

}  // namespace mish::lab
