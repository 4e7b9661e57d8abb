// Accuracy sweeps of the library (through its C API, on the active SIMD
// target) against the long-double reference. Used by the tests and by
// `mish accuracy`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "device.hpp"
#include "mish/mish.h"
#include "scalar/common.hpp"

namespace mish::accuracy {

struct Worst {
  double ulp = 0;  // error (ULPs, or ULP distance for 16-bit types)
  double x = 0;    // where
};

struct SweepResult {
  uint64_t points = 0;
  Worst fwd;         // forward, ULPs of |f|
  Worst bwd;         // backward (dy = 1), ULPs of max(|f'|, largest term)
  Worst bwd_plain;   // backward in ULPs of |f'| itself, outside the root window
  Worst bwd_window;  // absolute error of f' inside the root window
  // 16-bit types: fraction of results equal to the correctly rounded value.
  double fwd_exact = 1, bwd_exact = 1;
};

struct SweepOptions {
  scalar::Params params;
  uint64_t stride = 1;        // f32: step over the 2^32 bit patterns (1 = exhaustive)
  uint64_t f64_points = 0;    // f64: number of sample points
  int threads = 1;            // threads running the sweep (the library itself runs single-threaded per batch)
  double window_lo = 0, window_hi = 0;  // root window of f' (lo < hi to enable)
  Device device = Device::kCpu;          // where the library runs (kCuda: the GPU kernels)
};

SweepResult sweep(mish_activation act, mish_dtype dtype, const SweepOptions& opt);

// The f64 sample points (deterministic): random mantissas over every float
// exponent, a uniform cover of [-760, 50], and raw bit patterns.
std::vector<double> f64_points(uint64_t count, uint64_t seed = 42);

// Values every activation is checked at: +-0, +-inf, NaN, subnormals, the
// edges of the exp range, near the roots of f', thresholds of the kernels.
std::vector<double> hazard_points();

}  // namespace mish::accuracy
