#include "landscape.hpp"

#include <cmath>
#include <stdexcept>

namespace mish::lab {

torch::Tensor filter_normalised_direction(const torch::Tensor& p, torch::Generator& gen) {
  if (p.dim() <= 1) return torch::zeros_like(p);
  torch::Tensor d = torch::randn(p.sizes(), gen, p.options());
  const torch::Tensor pn = p.flatten(1).norm(2, 1), dn = d.flatten(1).norm(2, 1);
  std::vector<int64_t> shape(static_cast<size_t>(p.dim()), 1);
  shape[0] = p.size(0);
  return d * (pn / (dn + 1e-10)).reshape(shape);
}

LossLandscape loss_landscape(Model& model, const TensorSet& data, int size, double range, int64_t samples,
                             uint64_t seed) {
  if (size < 2) throw std::invalid_argument("loss landscape: the grid needs at least 2 points per axis");
  if (!(range > 0)) throw std::invalid_argument("loss landscape: range must be positive");
  if (samples < 1 || data.size() < 1) throw std::invalid_argument("loss landscape: no data to evaluate the loss on");
  torch::NoGradGuard no_grad;
  model.eval();
  const int64_t n = std::min(samples, data.size());
  const torch::Tensor x = data.x.narrow(0, 0, n), y = data.y.narrow(0, 0, n);
  std::vector<torch::Tensor> params = model.parameters(), theta, d1, d2;
  torch::Generator g1 = make_generator(seed, 0, 0x1a7d1), g2 = make_generator(seed, 0, 0x1a7d2);
  for (const auto& p : params) {
    theta.push_back(p.detach().clone());
    d1.push_back(filter_normalised_direction(theta.back(), g1));
    d2.push_back(filter_normalised_direction(theta.back(), g2));
  }
  auto loss_at = [&](double a, double b) {
    for (size_t k = 0; k < params.size(); ++k) params[k].copy_(theta[k] + a * d1[k] + b * d2[k]);
    double sum = 0;
    for (int64_t s = 0; s < n; s += 500) {
      const int64_t m = std::min<int64_t>(500, n - s);
      const torch::Tensor out = model.forward(x.narrow(0, s, m));
      sum += torch::nn::functional::cross_entropy(
                 out, y.narrow(0, s, m), torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                 .item<double>();
    }
    return sum / static_cast<double>(n);
  };
  LossLandscape l;
  l.size = size;
  l.range = range;
  l.samples = n;
  l.loss.resize(static_cast<size_t>(size) * static_cast<size_t>(size));
  for (int r = 0; r < size; ++r) {
    const double b = -range + 2 * range * r / (size - 1);
    for (int c = 0; c < size; ++c) {
      const double a = -range + 2 * range * c / (size - 1);
      l.loss[static_cast<size_t>(r) * static_cast<size_t>(size) + static_cast<size_t>(c)] = loss_at(a, b);
    }
  }
  l.centre = loss_at(0, 0);
  for (size_t k = 0; k < params.size(); ++k) params[k].copy_(theta[k]);
  return l;
}

double mean_rise(const LossLandscape& l, double radius) {
  double sum = 0;
  int count = 0;
  for (int r = 0; r < l.size; ++r) {
    for (int c = 0; c < l.size; ++c) {
      const double a = -l.range + 2 * l.range * c / (l.size - 1), b = -l.range + 2 * l.range * r / (l.size - 1);
      if (std::hypot(a, b) <= radius) {
        sum += l.loss[static_cast<size_t>(r) * static_cast<size_t>(l.size) + static_cast<size_t>(c)];
        ++count;
      }
    }
  }
  return count ? sum / count - l.centre : 0;
}

}  // namespace mish::lab
