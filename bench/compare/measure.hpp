// What `mish_compare` measures: accuracy of each peer against the MPFR truth
// (a dense sweep plus special values), and speed through google/benchmark.
#pragma once

#include <string>
#include <vector>

#include <functional>

#include "peers.hpp"
#include "reference.hpp"

namespace mish::compare {

// The inputs of an accuracy measurement with their MPFR truth: the sweep, then
// the special values. fp32: about n points, half evenly spaced over
// [-100, 100], half strided over the bit patterns of the floats in that range
// (dense in magnitude down to the subnormals). bf16: every bf16 value in
// [-100, 100].
struct Points {
  Dtype dtype = Dtype::f32;
  std::vector<float> x;       // the inputs as floats (bf16 values are exact)
  std::vector<Truth> truth;
  size_t sweep = 0;           // x[0, sweep) is the sweep, the rest special values
};
Points make_points(Dtype d, size_t n, int threads);

// Inputs where implementations are known to go wrong: zeros, infinities, NaN,
// subnormals, the underflow region x <= -87, huge values, the root of f'.
std::vector<float> special_values();

struct Accuracy {
  std::string peer;
  Dtype dtype = Dtype::f32;
  Op op = Op::fwd;
  size_t points = 0;
  double max_ulp = 0;              // over the sweep (+inf: a NaN or infinity where a number was due)
  double x_at_max = 0;
  double over_1ulp = 0;            // fraction of the sweep more than 1 ULP off
  double core_max_ulp = 0;         // the max over the inputs in [-10, 10], where networks live
  double core_x_at_max = 0;
  std::string error;               // the peer threw: what it said (the numbers are then meaningless)
  std::vector<std::string> wrong;  // special values it gets wrong: "-inf -> nan (want -0)"
};

// fp32 errors are ULPs at the true value, backward ones at max(|f'|, its
// largest term) (see reference.hpp); bf16 errors are steps from the correctly
// rounded result. A special value is wrong when it is more than 4 ULPs (fp32)
// or 1 step (bf16) off, NaN or infinite where it should not be (or the
// reverse), or a zero of the wrong sign.
Accuracy accuracy(const Peer& p, Op o, const Points& points, int threads);

struct Speed {
  std::string peer;
  Dtype dtype = Dtype::f32;
  Op op = Op::fwd;
  size_t n = 0;
  int threads = 1;
  double ns_per_call = 0;  // median over the repetitions
  double ns_per_elem() const { return ns_per_call / static_cast<double>(n); }
  // Bytes moved: forward reads x and writes y, backward reads x and dy and writes dx.
  double gb_per_s() const {
    return static_cast<double>((op == Op::fwd ? 2 : 3) * size_of(dtype) * n) / ns_per_call;
  }
};

struct SpeedPlan {
  std::vector<size_t> sizes;
  std::vector<int> threads;
  std::vector<Dtype> dtypes;
  int repetitions = 5;
  double min_time = 0.1;  // seconds per repetition
};

// Registers one google/benchmark per peer, dtype, operation, size and thread
// count (each warmed up, outputs preallocated), runs them, and returns the
// medians. log gets a line per finished measurement.
std::vector<Speed> speed(const std::vector<Peer>& peers, const SpeedPlan& plan,
                         const std::function<void(const std::string&)>& log);

}  // namespace mish::compare
