// The seam between the C API (argument checks, in capi.cpp) and the CUDA
// kernels (src/core/cuda/kernels.cu, or cuda_stub.cpp in a build without
// CUDA). Arguments arrive checked; the functions return "" on success and the
// CUDA error text otherwise.
#pragma once

#include <cstddef>
#include <string>

#include "mish/mish.h"
#include "scalar/common.hpp"

namespace mish::detail {

bool cuda_built();
int cuda_device_count();
std::string cuda_forward(mish_activation act, mish_dtype dtype, const scalar::Params& p, const void* x, void* y,
                         size_t n, void* stream);
// dparams (device, nparams doubles) is zeroed and then receives the sums.
std::string cuda_backward(mish_activation act, mish_dtype dtype, const scalar::Params& p, const void* x,
                          const void* dy, void* dx, size_t n, double* dparams, size_t nparams, void* stream);

// Fused bias: y = f(x + b[(i / inner) % channels]); dbias (device, channels
// values of the dtype) is overwritten when not null.
std::string cuda_bias_forward(mish_activation act, mish_dtype dtype, const scalar::Params& p, const void* x,
                              const void* b, void* y, size_t n, size_t channels, size_t inner, void* stream);
std::string cuda_bias_backward(mish_activation act, mish_dtype dtype, const scalar::Params& p, const void* x,
                               const void* b, const void* dy, void* dx, void* dbias, size_t n, size_t channels,
                               size_t inner, double* dparams, size_t nparams, void* stream);

}  // namespace mish::detail
