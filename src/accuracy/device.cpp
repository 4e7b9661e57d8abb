#include "device.hpp"

#include <stdexcept>
#include <string>

#include "mish/cuda.h"

#ifdef MISH_ACCURACY_CUDA
#include <cuda_runtime.h>
#endif

namespace mish::accuracy {
namespace {

void check(int s) {
  if (s != MISH_OK) throw std::runtime_error(std::string("mish call failed: ") + mish_last_error());
}

size_t esize(mish_dtype dt) { return dt == MISH_F64 ? 8 : dt == MISH_F32 ? 4 : 2; }

#ifdef MISH_ACCURACY_CUDA
void cuda_check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

// Device buffers for up to three host buffers, kept per thread and grown as
// needed (the sweeps call this for every batch).
struct DeviceBuffers {
  void* p[3] = {nullptr, nullptr, nullptr};
  size_t capacity = 0, bytes = 0;
  ~DeviceBuffers() {
    for (void* q : p) cudaFree(q);
  }
  void reserve(size_t b) {
    bytes = b;
    if (b <= capacity) return;
    for (auto& q : p) {
      cudaFree(q);
      q = nullptr;
      cuda_check(cudaMalloc(&q, b), "cudaMalloc");
    }
    capacity = b;
  }
  void in(int k, const void* host) { cuda_check(cudaMemcpy(p[k], host, bytes, cudaMemcpyHostToDevice), "copy in"); }
  void out(int k, void* host) {
    cuda_check(cudaDeviceSynchronize(), "kernel");
    cuda_check(cudaMemcpy(host, p[k], bytes, cudaMemcpyDeviceToHost), "copy out");
  }
};

DeviceBuffers& buffers(size_t bytes) {
  thread_local DeviceBuffers b;
  b.reserve(bytes ? bytes : 1);
  return b;
}
#endif

}  // namespace

void device_forward(Device d, mish_activation act, mish_dtype dt, const double* params, size_t np, const void* x,
                    void* y, size_t n) {
  if (d == Device::kCpu) return check(mish_act_forward(act, dt, params, np, x, y, n));
#ifdef MISH_ACCURACY_CUDA
  DeviceBuffers& b = buffers(n * esize(dt));
  b.in(0, x);
  check(mish_cuda_act_forward(act, dt, params, np, b.p[0], b.p[1], n, nullptr));
  b.out(1, y);
#else
  (void)esize;
  throw std::runtime_error("this build has no CUDA: configure with -DMISH_ENABLE_CUDA=ON on a machine with nvcc");
#endif
}

void device_backward(Device d, mish_activation act, mish_dtype dt, const double* params, size_t np, const void* x,
                     const void* dy, void* dx, size_t n) {
  if (d == Device::kCpu) return check(mish_act_backward(act, dt, params, np, x, dy, dx, n, nullptr));
#ifdef MISH_ACCURACY_CUDA
  DeviceBuffers& b = buffers(n * esize(dt));
  b.in(0, x);
  b.in(1, dy);
  check(mish_cuda_act_backward(act, dt, params, np, b.p[0], b.p[1], b.p[2], n, nullptr, nullptr));
  b.out(2, dx);
#else
  throw std::runtime_error("this build has no CUDA: configure with -DMISH_ENABLE_CUDA=ON on a machine with nvcc");
#endif
}

}  // namespace mish::accuracy
