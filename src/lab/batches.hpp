// Datasets as tensors in memory, and their batches for training: shuffled per
// epoch by the run's seed, optional Gaussian input noise and CIFAR-style
// augmentation, with no per-sample work outside tensor operations.
//
// Determinism: every random choice comes from (seed, epoch, stream), so the
// same seed gives the same batches whatever happened before (a resumed or
// re-run epoch sees exactly the same data).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "data.hpp"

namespace mish::lab {

// Images as float [N, C, H, W], standardised per channel with the training
// split's mean and standard deviation; labels as int64 [N].
struct TensorSet {
  torch::Tensor x, y;
  int64_t size() const { return x.defined() ? x.size(0) : 0; }
};

struct TensorSplits {
  TensorSet train, test;
  std::vector<double> mean, std;  // per channel, in [0, 1] pixel units
  int num_classes = 0;
  std::string dataset;
};

// limit_train / limit_test > 0 keep the first that many items of each split.
TensorSplits to_tensors(const Splits& s, int64_t limit_train = 0, int64_t limit_test = 0);

struct BatchOptions {
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  double noise_std = 0;  // Gaussian noise added to the (standardised) inputs
  bool augment = false;  // random crop (zero padding 4) + horizontal flip
  // Data-parallel shard: of every batch, rank r of `world` gets the rows
  // [B r / world, B (r + 1) / world), with the same noise and augmentation
  // those rows get in a one-process run.
  int rank = 0, world = 1;
};

// One pass over a TensorSet in batches.
class Batches {
 public:
  Batches(const TensorSet& set, BatchOptions opt, uint64_t seed, int64_t epoch);
  int64_t count() const { return static_cast<int64_t>(starts_.size()); }
  // batch i (this rank's rows of it): inputs [B, C, H, W] and labels [B]
  std::pair<torch::Tensor, torch::Tensor> get(int64_t i) const;
  // Rows of batch i over all ranks, and where this rank's rows start among them.
  int64_t global_size(int64_t i) const;
  int64_t offset(int64_t i) const;

 private:
  const TensorSet& set_;
  BatchOptions opt_;
  uint64_t seed_;
  int64_t epoch_;
  torch::Tensor order_;  // permutation of the items (int64)
  std::vector<int64_t> starts_;
};

// A deterministic generator for one purpose ("stream") of one epoch.
torch::Generator make_generator(uint64_t seed, int64_t epoch, uint64_t stream, int64_t item = 0);

}  // namespace mish::lab
