// Running the library on a device for the accuracy sweeps: host buffers in,
// host buffers out. CPU: the C API directly. CUDA: copies to the GPU, the
// mish_cuda_act_* entry points, a synchronisation, copies back (only in a
// build with CUDA; otherwise an error that says so).
#pragma once

#include <cstddef>

#include "mish/mish.h"

namespace mish::accuracy {

enum class Device { kCpu, kCuda };

// Throw std::runtime_error with the library's message on failure.
void device_forward(Device d, mish_activation act, mish_dtype dt, const double* params, size_t np, const void* x,
                    void* y, size_t n);
void device_backward(Device d, mish_activation act, mish_dtype dt, const double* params, size_t np, const void* x,
                     const void* dy, void* dx, size_t n);

}  // namespace mish::accuracy
