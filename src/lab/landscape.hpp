// fig5: the loss landscape around a trained network (Li et al. 2018,
// "Visualizing the Loss Landscape of Neural Nets"): the loss at
// theta + a*d1 + b*d2 over a grid of (a, b), for two random directions d1, d2
// that are filter-normalised: each filter (output row / channel) of every
// convolution and linear weight is scaled to the norm of the same filter of
// the trained weights, so the picture does not depend on the scale of the
// weights (which batch normalisation leaves free). Biases and batch-norm
// parameters stay at their trained values (Li et al.'s "ignore biasbn").
#pragma once

#include <cstdint>
#include <vector>

#include "batches.hpp"
#include "models.hpp"

namespace mish::lab {

struct LossLandscape {
  int size = 0;        // grid points per axis
  double range = 1;    // the grid covers [-range, range]^2
  std::vector<double> loss;  // size x size, row-major: row = direction 2, column = direction 1
  double centre = 0;   // the loss of the trained weights
  int64_t samples = 0;  // the items the loss was evaluated on
};

// A random direction for one parameter: Gaussian, each filter (slice along
// dim 0) scaled to the norm of the same filter of p; zero for 1-d parameters
// (biases, batch norm).
torch::Tensor filter_normalised_direction(const torch::Tensor& p, torch::Generator& gen);

// Evaluates the model (in eval mode, so batch norm uses its running
// statistics) on the first `samples` items of data; the weights are restored
// afterwards. Same seed, same directions.
LossLandscape loss_landscape(Model& model, const TensorSet& data, int size, double range, int64_t samples,
                             uint64_t seed);

// Mean of the loss over the grid points within `radius` of the centre, minus
// the centre loss: how fast the loss rises around the minimum (lower =
// flatter).
double mean_rise(const LossLandscape& l, double radius);

}  // namespace mish::lab
