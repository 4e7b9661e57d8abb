#include "batches.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

namespace mish::lab {
namespace {

TensorSet images_to_tensors(const ImageSet& s, int64_t limit) {
  const int64_t n = limit > 0 ? std::min(limit, s.n) : s.n;
  TensorSet t;
  // from_blob views the vector; the float conversion copies into owned memory
  t.x = torch::from_blob(const_cast<uint8_t*>(s.pixels.data()), {n, s.channels, s.rows, s.cols}, torch::kUInt8)
            .to(torch::kFloat32)
            .div_(255.0f);
  t.y = torch::from_blob(const_cast<uint8_t*>(s.labels.data()), {n}, torch::kUInt8).to(torch::kInt64);
  return t;
}

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

TensorSplits to_tensors(const Splits& s, int64_t limit_train, int64_t limit_test) {
  TensorSplits t;
  t.dataset = s.dataset;
  t.num_classes = s.train.num_classes;
  t.train = images_to_tensors(s.train, limit_train);
  t.test = images_to_tensors(s.test, limit_test);
  TORCH_CHECK(t.train.size() > 0, "the training split is empty");
  // per-channel statistics of the (possibly limited) training split
  const torch::Tensor mean = t.train.x.mean({0, 2, 3}, /*keepdim=*/true);
  const torch::Tensor std = t.train.x.std({0, 2, 3}, /*unbiased=*/false, /*keepdim=*/true).clamp_min(1e-6);
  for (TensorSet* set : {&t.train, &t.test}) {
    if (set->size() > 0) set->x.sub_(mean).div_(std);
  }
  for (int64_t c = 0; c < mean.size(1); ++c) {
    t.mean.push_back(mean.flatten()[c].item<double>());
    t.std.push_back(std.flatten()[c].item<double>());
  }
  return t;
}

torch::Generator make_generator(uint64_t seed, int64_t epoch, uint64_t stream, int64_t item) {
  uint64_t h = splitmix(seed);
  h = splitmix(h ^ static_cast<uint64_t>(epoch));
  h = splitmix(h ^ stream);
  h = splitmix(h ^ static_cast<uint64_t>(item));
  return at::make_generator<at::CPUGeneratorImpl>(h);
}

Batches::Batches(const TensorSet& set, BatchOptions opt, uint64_t seed, int64_t epoch)
    : set_(set), opt_(opt), seed_(seed), epoch_(epoch) {
  TORCH_CHECK(opt_.batch_size > 0, "batch size must be positive, got ", opt_.batch_size);
  TORCH_CHECK(opt_.noise_std >= 0, "noise standard deviation must be >= 0, got ", opt_.noise_std);
  TORCH_CHECK(opt_.world >= 1 && opt_.rank >= 0 && opt_.rank < opt_.world, "rank ", opt_.rank, " of ", opt_.world,
              " is not a shard");
  const int64_t n = set.size();
  order_ = opt_.shuffle ? torch::randperm(n, make_generator(seed, epoch, /*stream=*/0), torch::kInt64)
                        : torch::arange(n, torch::kInt64);
  for (int64_t s = 0; s < n; s += opt_.batch_size) {
    if (opt_.drop_last && s + opt_.batch_size > n) break;
    starts_.push_back(s);
  }
}

int64_t Batches::global_size(int64_t i) const {
  TORCH_CHECK(i >= 0 && i < count(), "batch ", i, " out of range [0, ", count(), ")");
  const int64_t start = starts_[static_cast<size_t>(i)];
  return std::min(start + opt_.batch_size, set_.size()) - start;
}

int64_t Batches::offset(int64_t i) const { return global_size(i) * opt_.rank / opt_.world; }

std::pair<torch::Tensor, torch::Tensor> Batches::get(int64_t i) const {
  const int64_t full = global_size(i), lo = offset(i), hi = full * (opt_.rank + 1) / opt_.world;
  const int64_t start = starts_[static_cast<size_t>(i)] + lo;
  const torch::Tensor idx = order_.slice(0, start, start + (hi - lo));
  torch::Tensor x = set_.x.index_select(0, idx);
  const torch::Tensor y = set_.y.index_select(0, idx);
  const int64_t b = x.size(0), h = x.size(2), w = x.size(3);
  // Random draws are made for the whole batch and this shard's rows kept.
  auto mine = [&](const torch::Tensor& t) { return t.slice(0, lo, hi); };
  if (opt_.augment) {
    // Pad by 4 with zeros (the mean after standardisation), then crop a random
    // h x w window and flip half of the images, all by one gather.
    constexpr int64_t kPad = 4;
    torch::Generator g = make_generator(seed_, epoch_, /*stream=*/2, i);
    const torch::Tensor padded = torch::constant_pad_nd(x, {kPad, kPad, kPad, kPad}).permute({0, 2, 3, 1});
    const torch::Tensor oy = mine(torch::randint(0, 2 * kPad + 1, {full, 1}, g, torch::kInt64));
    const torch::Tensor ox = mine(torch::randint(0, 2 * kPad + 1, {full, 1}, g, torch::kInt64));
    const torch::Tensor flip = mine(torch::randint(0, 2, {full, 1}, g, torch::kInt64)).to(torch::kBool);
    const torch::Tensor rows = oy + torch::arange(h, torch::kInt64);
    const torch::Tensor j = torch::arange(w, torch::kInt64);
    const torch::Tensor cols = ox + torch::where(flip, (w - 1) - j, j);
    const torch::Tensor bi = torch::arange(b, torch::kInt64).view({b, 1, 1});
    x = padded.index({bi, rows.view({b, h, 1}), cols.view({b, 1, w})}).permute({0, 3, 1, 2}).contiguous();
  }
  if (opt_.noise_std > 0) {
    torch::Generator g = make_generator(seed_, epoch_, /*stream=*/1, i);
    std::vector<int64_t> shape = x.sizes().vec();
    shape[0] = full;
    x = x + mine(torch::randn(shape, g, x.options())) * opt_.noise_std;
  }
  return {x, y};
}

}  // namespace mish::lab
