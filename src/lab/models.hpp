// The lab's models, each built around the activation under test (any registry
// activation, through the mish torch op), and the weight initialisers of the
// paper's Fig 6c.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace mish::lab {

struct InputShape {
  int64_t channels = 1, height = 28, width = 28;
  int64_t classes = 10;
};

struct ModelOptions {
  std::string model = "depth";      // one of model_names()
  std::string activation = "mish";  // a registry spec: "mish", "swish:beta=1.5", "relu", ...
  int depth = 0;                    // 0: the model's default (depth 2, mlp 3, cnn 6)
  int width = 0;                    // 0: the model's default (mlp 512, cnn 32 channels)
  bool batch_norm = true;           // mlp
  double dropout = 0.0;             // mlp (depth uses the paper's 0.25)
};

const std::vector<std::string>& model_names();

// A classifier: [B, C, H, W] -> logits [B, classes].
class Model : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  std::string description;  // one line: model, sizes, activation
};

// Throws std::invalid_argument with what to fix (unknown model, sizes that
// do not fit the input, ...). Activation specs are checked by the op.
std::shared_ptr<Model> make_model(const ModelOptions& opt, const InputShape& in);

// The activation as a module (mish::nn::Mish for "mish", mish::nn::Activation otherwise).
torch::nn::AnyModule make_activation(const std::string& spec);

const std::vector<std::string>& init_names();

// Re-initialises every Conv and Linear weight with the named scheme (biases
// to zero), drawing from a generator seeded by seed. BatchNorm keeps 1 / 0.
// Keras' definitions (random_* with std / limit 0.05, the *_normal
// variance-scaling ones truncated at 2 sigma), as the paper used.
void initialise(torch::nn::Module& model, const std::string& scheme, uint64_t seed);

}  // namespace mish::lab
