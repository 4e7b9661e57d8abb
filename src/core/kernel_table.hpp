// The per-target table of kernels, filled from the registry (simd/kernels-inl.h)
// and chosen at run time (simd/dispatch.cpp).
#pragma once

#include <cstddef>
#include <vector>

#include "mish/mish.h"
#include "scalar/common.hpp"

namespace mish::detail {

// y[i] = f(x[i]) for i < n.
using FwdFn = void (*)(const void* x, void* y, size_t n, const scalar::Params& p);
// dx[i] = dy[i] f'(x[i]); when dparams is not null, dparams[k] += sum_i dy[i] df/dp_k.
using BwdFn = void (*)(const void* x, const void* dy, void* dx, size_t n, const scalar::Params& p,
                       double* dparams);

struct KernelTable {
  FwdFn fwd[MISH_ACT_COUNT][MISH_DTYPE_COUNT];
  BwdFn bwd[MISH_ACT_COUNT][MISH_DTYPE_COUNT];
};

struct Target {
  const char* name;
  const KernelTable* table;
};

// The targets both compiled in and supported by this CPU, best first (never empty).
const std::vector<Target>& available_targets();

}  // namespace mish::detail
