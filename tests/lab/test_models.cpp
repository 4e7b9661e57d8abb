// The lab's tensors, batches, models and initialisers.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "batches.hpp"
#include "models.hpp"

namespace {

using mish::lab::Batches;
using mish::lab::BatchOptions;
using mish::lab::InputShape;
using mish::lab::ModelOptions;

mish::lab::ImageSet fake_images(int64_t n, int64_t c, int64_t hw) {
  mish::lab::ImageSet s;
  s.n = n;
  s.channels = c;
  s.rows = s.cols = hw;
  s.num_classes = 10;
  for (int64_t i = 0; i < n * c * hw * hw; ++i) s.pixels.push_back(static_cast<uint8_t>((i * 37) % 251));
  for (int64_t i = 0; i < n; ++i) s.labels.push_back(static_cast<uint8_t>(i % 10));
  return s;
}

mish::lab::TensorSplits fake_splits(int64_t n, int64_t c, int64_t hw) {
  mish::lab::Splits s;
  s.dataset = "fake";
  s.train = fake_images(n, c, hw);
  s.test = fake_images(n / 2, c, hw);
  return mish::lab::to_tensors(s);
}

TEST(Tensors, StandardisedWithTrainStatistics) {
  const auto t = fake_splits(50, 3, 8);
  EXPECT_EQ(t.train.x.sizes(), (std::vector<int64_t>{50, 3, 8, 8}));
  EXPECT_EQ(t.train.y.scalar_type(), torch::kInt64);
  const torch::Tensor m = t.train.x.mean({0, 2, 3});
  const torch::Tensor sd = t.train.x.std({0, 2, 3}, false);
  EXPECT_LT(m.abs().max().item<double>(), 1e-5);
  EXPECT_LT((sd - 1).abs().max().item<double>(), 1e-4);
  ASSERT_EQ(t.mean.size(), 3u);
  EXPECT_GT(t.std[0], 0.1);
  mish::lab::Splits s;
  s.train = fake_images(50, 1, 4);
  s.test = fake_images(20, 1, 4);
  const auto lim = mish::lab::to_tensors(s, 10, 5);
  EXPECT_EQ(lim.train.size(), 10);
  EXPECT_EQ(lim.test.size(), 5);
}

TEST(Batches, CoverEveryItemOnceAndRepeatBySeed) {
  mish::lab::TensorSet t;  // item i has pixel i and label i
  t.x = torch::arange(103, torch::kFloat32).reshape({103, 1, 1, 1});
  t.y = torch::arange(103, torch::kInt64);
  BatchOptions o;
  o.batch_size = 10;
  const Batches a(t, o, 42, 0), again(t, o, 42, 0), next(t, o, 42, 1);
  ASSERT_EQ(a.count(), 11);
  std::set<int64_t> seen;
  for (int64_t i = 0; i < a.count(); ++i) {
    const auto [x, y] = a.get(i);
    EXPECT_EQ(x.size(0), i + 1 < a.count() ? 10 : 3);
    EXPECT_TRUE(torch::equal(x, again.get(i).first));
    EXPECT_TRUE(torch::equal(x.flatten().to(torch::kInt64), y));  // inputs and labels stay paired
    for (int64_t k = 0; k < y.size(0); ++k) seen.insert(y[k].item<int64_t>());
  }
  EXPECT_EQ(seen.size(), 103u);
  EXPECT_FALSE(torch::equal(a.get(0).first, next.get(0).first));  // a new epoch reshuffles
  o.drop_last = true;
  EXPECT_EQ(Batches(t, o, 42, 0).count(), 10);
  o.shuffle = false;
  EXPECT_TRUE(torch::equal(Batches(t, o, 1, 0).get(0).second, torch::arange(10, torch::kInt64)));
  EXPECT_THROW(a.get(11), c10::Error);
}

TEST(Batches, NoiseHasTheRequestedSpread) {
  const auto t = fake_splits(200, 1, 8);
  BatchOptions o;
  o.batch_size = 200;
  o.shuffle = false;
  o.noise_std = 0.5;
  const torch::Tensor noisy = Batches(t.train, o, 3, 0).get(0).first;
  const double sd = (noisy - t.train.x).std().item<double>();
  EXPECT_NEAR(sd, 0.5, 0.02);
  EXPECT_TRUE(torch::equal(noisy, Batches(t.train, o, 3, 0).get(0).first));
  o.noise_std = -1;
  EXPECT_THROW(Batches(t.train, o, 3, 0), c10::Error);
}

TEST(Batches, AugmentationCropsAndFlipsWithinThePaddedImage) {
  mish::lab::TensorSet set;
  set.x = torch::rand({16, 3, 12, 12}) + 1;  // no zeros: zeros can only come from the padding
  set.y = torch::zeros({16}, torch::kInt64);
  BatchOptions o;
  o.batch_size = 16;
  o.shuffle = false;
  o.augment = true;
  const torch::Tensor padded = torch::constant_pad_nd(set.x, {4, 4, 4, 4});
  int flips = 0;
  std::set<int64_t> offsets;
  for (int64_t epoch = 0; epoch < 4; ++epoch) {
    const torch::Tensor x = Batches(set, o, 9, epoch).get(0).first;
    ASSERT_EQ(x.sizes(), set.x.sizes());
    for (int64_t b = 0; b < 16; ++b) {
      // the output is exactly one 12x12 window of the padded image, flipped or not
      int matches = 0;
      for (int64_t oy = 0; oy <= 8; ++oy) {
        for (int64_t ox = 0; ox <= 8; ++ox) {
          const torch::Tensor win = padded[b].slice(1, oy, oy + 12).slice(2, ox, ox + 12);
          for (bool f : {false, true}) {
            if (torch::equal(x[b], f ? win.flip({2}) : win)) {
              ++matches;
              flips += f;
              offsets.insert(oy * 9 + ox);
            }
          }
        }
      }
      EXPECT_EQ(matches, 1) << "image " << b << " of epoch " << epoch;
    }
  }
  EXPECT_GT(flips, 16);  // 64 images, half flipped on average
  EXPECT_LT(flips, 48);
  EXPECT_GT(offsets.size(), 20u);  // many of the 81 windows occur
}

TEST(Models, EveryModelFitsMnistAndCifarShapes) {
  torch::manual_seed(0);
  for (const InputShape in : {InputShape{1, 28, 28, 10}, InputShape{3, 32, 32, 10}}) {
    for (const std::string& name : mish::lab::model_names()) {
      ModelOptions o;
      o.model = name;
      o.activation = name == "cnn" ? "swish:beta=1.5" : "mish";
      auto m = mish::lab::make_model(o, in);
      m->eval();
      const torch::Tensor y = m->forward(torch::randn({4, in.channels, in.height, in.width}));
      EXPECT_EQ(y.sizes(), (std::vector<int64_t>{4, 10})) << name;
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>()) << name;
      EXPECT_NE(m->description.find(o.activation), std::string::npos);
    }
  }
}

TEST(Models, DepthAddsDenseLayersAndGradientsFlow) {
  ModelOptions o;
  o.model = "depth";
  o.depth = 5;
  auto m = mish::lab::make_model(o, InputShape{});
  int linear = 0;
  for (const auto& mod : m->modules(false)) linear += mod->as<torch::nn::Linear>() != nullptr;
  EXPECT_EQ(linear, 6);
  m->train();
  const torch::Tensor loss = torch::nn::functional::cross_entropy(m->forward(torch::randn({8, 1, 28, 28})),
                                                                  torch::randint(0, 10, {8}));
  loss.backward();
  for (const auto& p : m->parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(Models, BadOptionsSayWhatToFix) {
  ModelOptions o;
  o.model = "vgg";
  EXPECT_THROW(mish::lab::make_model(o, InputShape{}), std::invalid_argument);
  o.model = "depth";
  EXPECT_THROW(mish::lab::make_model(o, InputShape{1, 8, 8, 10}), std::invalid_argument);
  o.activation = "nope";
  EXPECT_THROW(mish::lab::make_model(o, InputShape{}), c10::Error);
  try {
    o.model = "vgg";
    mish::lab::make_model(o, InputShape{});
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("choose depth, mlp, cnn, squeezenet or resnet20"), std::string::npos);
  }
}

TEST(Initialisers, MatchTheirDefinitions) {
  ModelOptions o;
  o.model = "mlp";
  o.width = 400;
  o.depth = 1;
  for (const std::string& scheme : mish::lab::init_names()) {
    auto m = mish::lab::make_model(o, InputShape{1, 28, 28, 10});
    mish::lab::initialise(*m, scheme, 5);
    const torch::Tensor w = m->named_parameters()["body.1.weight"];  // Linear(784, 400)
    const double sd = w.std().item<double>(), fan_in = 784, fan_out = 400;
    double want = 0;
    if (scheme == "random_normal") want = 0.05;
    if (scheme == "random_uniform") want = 0.05 / std::sqrt(3.0);
    if (scheme == "truncated_normal") want = 0.05 * 0.87962566103423978;
    if (scheme == "lecun_uniform" || scheme == "lecun_normal") want = std::sqrt(1 / fan_in);
    if (scheme == "he_uniform" || scheme == "he_normal") want = std::sqrt(2 / fan_in);
    if (scheme == "glorot_uniform" || scheme == "glorot_normal") want = std::sqrt(2 / (fan_in + fan_out));
    if (scheme == "orthogonal") {
      // rows of a wide orthogonal matrix are orthonormal
      EXPECT_LT((w.matmul(w.t()) - torch::eye(400)).abs().max().item<double>(), 1e-4);
    } else if (want > 0) {
      EXPECT_NEAR(sd, want, want * 0.03) << scheme;
    }
    if (scheme.find("normal") != std::string::npos && scheme != "random_normal") {
      EXPECT_LE(w.abs().max().item<double>(), 2 * sd / 0.8796 * 1.05) << scheme << " is truncated at 2 sigma";
    }
    if (scheme != "default") {
      EXPECT_EQ(m->named_parameters()["body.1.bias"].abs().max().item<double>(), 0.0);
    }
  }
  auto m = mish::lab::make_model(o, InputShape{});
  EXPECT_THROW(mish::lab::initialise(*m, "xavier", 1), std::invalid_argument);
  auto m2 = mish::lab::make_model(o, InputShape{});
  mish::lab::initialise(*m, "he_normal", 7);
  mish::lab::initialise(*m2, "he_normal", 7);
  EXPECT_TRUE(torch::equal(m->parameters()[0], m2->parameters()[0]));  // same seed, same weights
}

}  // namespace
