// A libmish built without CUDA: the CUDA entry points exist and say so.
#include "cuda_launch.hpp"

namespace mish::detail {

namespace {
const char* kWhy = "this libmish was built without CUDA (configure with -DMISH_ENABLE_CUDA=ON on a machine with nvcc)";
}

bool cuda_built() { return false; }
int cuda_device_count() { return 0; }
std::string cuda_forward(mish_activation, mish_dtype, const scalar::Params&, const void*, void*, size_t, void*) {
  return kWhy;
}
std::string cuda_backward(mish_activation, mish_dtype, const scalar::Params&, const void*, const void*, void*, size_t,
                          double*, size_t, void*) {
  return kWhy;
}

std::string cuda_bias_forward(mish_activation, mish_dtype, const scalar::Params&, const void*, const void*, void*,
                              size_t, size_t, size_t, void*) {
  return kWhy;
}
std::string cuda_bias_backward(mish_activation, mish_dtype, const scalar::Params&, const void*, const void*,
                               const void*, void*, void*, size_t, size_t, size_t, double*, size_t, void*) {
  return kWhy;
}

}  // namespace mish::detail
