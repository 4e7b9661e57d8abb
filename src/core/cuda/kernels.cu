// CUDA kernels for every registry activation: the scalar formulas of
// src/core/scalar (the same code the CPU's slow path and the tests' oracle
// instantiate), evaluated in scalar::Work<F, T> like the CPU scalar path
// (float data in double, one rounding at the end), with the device's
// accurate exp/log (no fast-math intrinsics). 16-bit data are computed in
// float and stored round-to-nearest-even (scalar/half.hpp).
//
// Memory: grid-stride loops over 16-byte vectors when input and output share
// their alignment, with scalar elements before the first aligned address and
// after the last whole vector; any other alignment runs element by element.
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "cuda/split.hpp"
#include "cuda_launch.hpp"
#include "scalar/all.hpp"
#include "scalar/half.hpp"

namespace mish::detail {
namespace {

using scalar::Params;

// Element storage and its compute type.
struct F32 {
  using E = float;
  using T = float;
  __device__ static T load(E v) { return v; }
  __device__ static E store(T v) { return v; }
};
struct F64 {
  using E = double;
  using T = double;
  __device__ static T load(E v) { return v; }
  __device__ static E store(T v) { return v; }
};
struct BF16 {
  using E = uint16_t;
  using T = float;
  __device__ static T load(E v) { return scalar::bf16_to_f32(v); }
  __device__ static E store(T v) { return scalar::f32_to_bf16(v); }
};
struct F16 {
  using E = uint16_t;
  using T = float;
  __device__ static T load(E v) { return scalar::f16_to_f32(v); }
  __device__ static E store(T v) { return scalar::f32_to_f16(v); }
};

constexpr int kThreads = 256;

template <class E>
struct alignas(kVecBytes) Vec {
  E e[kVecBytes / sizeof(E)];
};

template <class F, class D>
__device__ __forceinline__ typename D::E fwd1(typename D::E x, const Params& p) {
  using W = scalar::Work<F, typename D::T>;
  return D::store(static_cast<typename D::T>(F::template fwd<W>(static_cast<W>(D::load(x)), p)));
}

template <class F, class D>
__global__ void fwd_kernel(const typename D::E* __restrict__ x, typename D::E* __restrict__ y, size_t n, Split s,
                           Params p) {
  using E = typename D::E;
  constexpr size_t V = kVecBytes / sizeof(E);
  const size_t tid = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  const auto* xv = reinterpret_cast<const Vec<E>*>(x + s.head);
  auto* yv = reinterpret_cast<Vec<E>*>(y + s.head);
  for (size_t i = tid; i < s.vecs; i += stride) {
    Vec<E> v = xv[i];
#pragma unroll
    for (size_t k = 0; k < V; ++k) v.e[k] = fwd1<F, D>(v.e[k], p);
    yv[i] = v;
  }
  const size_t tail = s.head + s.vecs * V;
  for (size_t i = tid; i < s.head; i += stride) y[i] = fwd1<F, D>(x[i], p);
  for (size_t i = tail + tid; i < n; i += stride) y[i] = fwd1<F, D>(x[i], p);
}

template <class F, class D, bool kParams>
__device__ __forceinline__ typename D::E bwd1(typename D::E x, typename D::E dy, const Params& p, double* acc) {
  using W = scalar::Work<F, typename D::T>;
  const W xi = static_cast<W>(D::load(x)), dyi = static_cast<W>(D::load(dy));
  W dp[MISH_MAX_PARAMS] = {};
  const W g = F::template bwd<W>(xi, p, kParams ? dp : nullptr);
  if (kParams) {
#pragma unroll
    for (int k = 0; k < MISH_MAX_PARAMS; ++k) acc[k] += static_cast<double>(dyi) * static_cast<double>(dp[k]);
  }
  return D::store(static_cast<typename D::T>(dyi * g));
}

// With kParams, each block sums its threads' parameter gradients in shared
// memory and adds them to dparams with one atomicAdd per parameter.
template <class F, class D, bool kParams>
__global__ void bwd_kernel(const typename D::E* x, const typename D::E* dy, typename D::E* dx, size_t n, Split s,
                           Params p, double* dparams, int nparams) {
  using E = typename D::E;
  constexpr size_t V = kVecBytes / sizeof(E);
  const size_t tid = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  double acc[MISH_MAX_PARAMS] = {};
  const auto* xv = reinterpret_cast<const Vec<E>*>(x + s.head);
  const auto* gv = reinterpret_cast<const Vec<E>*>(dy + s.head);
  auto* ov = reinterpret_cast<Vec<E>*>(dx + s.head);
  for (size_t i = tid; i < s.vecs; i += stride) {
    const Vec<E> a = xv[i], g = gv[i];
    Vec<E> o;
#pragma unroll
    for (size_t k = 0; k < V; ++k) o.e[k] = bwd1<F, D, kParams>(a.e[k], g.e[k], p, acc);
    ov[i] = o;
  }
  const size_t tail = s.head + s.vecs * V;
  for (size_t i = tid; i < s.head; i += stride) dx[i] = bwd1<F, D, kParams>(x[i], dy[i], p, acc);
  for (size_t i = tail + tid; i < n; i += stride) dx[i] = bwd1<F, D, kParams>(x[i], dy[i], p, acc);
  if constexpr (kParams) {
    __shared__ double sum[MISH_MAX_PARAMS][kThreads];
    for (int k = 0; k < MISH_MAX_PARAMS; ++k) sum[k][threadIdx.x] = acc[k];
    __syncthreads();
    for (int w = kThreads / 2; w > 0; w /= 2) {
      if (static_cast<int>(threadIdx.x) < w) {
        for (int k = 0; k < MISH_MAX_PARAMS; ++k) sum[k][threadIdx.x] += sum[k][threadIdx.x + w];
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      for (int k = 0; k < nparams; ++k) atomicAdd(&dparams[k], sum[k][0]);
    }
  }
}

// Blocks for a grid-stride loop over `items`: enough to fill the device
// (32 blocks of 256 threads per multiprocessor), no more than the work.
unsigned blocks_for(size_t items) {
  static std::mutex m;
  static std::vector<int> sms;  // per device
  int dev = 0;
  cudaGetDevice(&dev);
  int count = 0;
  {
    std::lock_guard<std::mutex> lock(m);
    if (static_cast<size_t>(dev) >= sms.size()) sms.resize(static_cast<size_t>(dev) + 1, 0);
    if (sms[static_cast<size_t>(dev)] == 0) {
      cudaDeviceGetAttribute(&sms[static_cast<size_t>(dev)], cudaDevAttrMultiProcessorCount, dev);
      if (sms[static_cast<size_t>(dev)] <= 0) sms[static_cast<size_t>(dev)] = 1;
    }
    count = sms[static_cast<size_t>(dev)];
  }
  const size_t want = (items + kThreads - 1) / kThreads;
  const size_t cap = static_cast<size_t>(count) * 32;
  return static_cast<unsigned>(want < 1 ? 1 : want > cap ? cap : want);
}

std::string status(cudaError_t e) {
  return e == cudaSuccess ? std::string() : std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e);
}

using FwdFn = std::string (*)(const void*, void*, size_t, const Params&, cudaStream_t);
using BwdFn = std::string (*)(const void*, const void*, void*, size_t, const Params&, double*, int, cudaStream_t);

template <class F, class D>
std::string launch_fwd(const void* xv, void* yv, size_t n, const Params& p, cudaStream_t stream) {
  using E = typename D::E;
  const auto* x = static_cast<const E*>(xv);
  auto* y = static_cast<E*>(yv);
  const Split s = split<E>(n, {xv, yv});
  const size_t items = s.vecs + (n - s.vecs * (kVecBytes / sizeof(E)));
  fwd_kernel<F, D><<<blocks_for(items), kThreads, 0, stream>>>(x, y, n, s, p);
  return status(cudaGetLastError());
}

template <class F, class D>
std::string launch_bwd(const void* xv, const void* dyv, void* dxv, size_t n, const Params& p, double* dparams,
                       int nparams, cudaStream_t stream) {
  using E = typename D::E;
  const auto* x = static_cast<const E*>(xv);
  const auto* dy = static_cast<const E*>(dyv);
  auto* dx = static_cast<E*>(dxv);
  const Split s = split<E>(n, {xv, dyv, dxv});
  const size_t items = s.vecs + (n - s.vecs * (kVecBytes / sizeof(E)));
  if (dparams && nparams > 0) {
    bwd_kernel<F, D, true><<<blocks_for(items), kThreads, 0, stream>>>(x, dy, dx, n, s, p, dparams, nparams);
  } else {
    bwd_kernel<F, D, false><<<blocks_for(items), kThreads, 0, stream>>>(x, dy, dx, n, s, p, nullptr, 0);
  }
  return status(cudaGetLastError());
}

// ---- fused bias + activation -----------------------------------------------
// y = f(x + b[c]), c = (i / inner) % channels, in scalar::Work of the compute
// type (as the CPU: z = x + b formed in the compute type first). 32-bit
// indices when they fit (64-bit division is slow on the GPU).

template <class F, class D, class I>
__global__ void bias_fwd_kernel(const typename D::E* __restrict__ x, const typename D::E* __restrict__ b,
                                typename D::E* __restrict__ y, I n, I channels, I inner, Params p) {
  using T = typename D::T;
  using W = scalar::Work<F, T>;
  const I stride = static_cast<I>(gridDim.x) * blockDim.x;
  for (I i = static_cast<I>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const I c = (inner == 1 ? i : i / inner) % channels;
    const T z = D::load(x[i]) + D::load(b[c]);
    y[i] = D::store(static_cast<T>(F::template fwd<W>(static_cast<W>(z), p)));
  }
}

// dbias: per-block sums in shared memory when the channels fit (kSharedChannels),
// else atomics on global memory; then one atomicAdd per channel and block.
constexpr int kSharedChannels = 2048;

template <class F, class D, class I>
__global__ void bias_bwd_kernel(const typename D::E* __restrict__ x, const typename D::E* __restrict__ b,
                                const typename D::E* __restrict__ dy, typename D::E* __restrict__ dx,
                                double* __restrict__ dbias, I n, I channels, I inner, Params p,
                                double* __restrict__ dparams, int nparams) {
  using T = typename D::T;
  using W = scalar::Work<F, T>;
  __shared__ double sb[kSharedChannels];
  const bool shared = dbias && channels <= static_cast<I>(kSharedChannels);
  if (shared) {
    for (I c = threadIdx.x; c < channels; c += blockDim.x) sb[c] = 0;
    __syncthreads();
  }
  double acc[MISH_MAX_PARAMS] = {};
  const I stride = static_cast<I>(gridDim.x) * blockDim.x;
  for (I i = static_cast<I>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const I c = (inner == 1 ? i : i / inner) % channels;
    const W z = static_cast<W>(static_cast<T>(D::load(x[i]) + D::load(b[c])));
    const W g = static_cast<W>(D::load(dy[i]));
    W dp[MISH_MAX_PARAMS] = {};
    const W v = g * F::template bwd<W>(z, p, dparams ? dp : nullptr);
    const T r = static_cast<T>(v);
    dx[i] = D::store(r);
    if (dparams) {
      for (int k = 0; k < MISH_MAX_PARAMS; ++k) acc[k] += static_cast<double>(g) * static_cast<double>(dp[k]);
    }
    if (dbias) {
      if (shared) {
        atomicAdd(&sb[c], static_cast<double>(r));
      } else {
        atomicAdd(&dbias[c], static_cast<double>(r));
      }
    }
  }
  if (shared) {
    __syncthreads();
    for (I c = threadIdx.x; c < channels; c += blockDim.x) {
      if (sb[c] != 0) atomicAdd(&dbias[c], sb[c]);
    }
  }
  if (dparams) {
    for (int k = 0; k < nparams; ++k) atomicAdd(&dparams[k], acc[k]);  // few blocks: cheap enough
  }
}

// dbias (double, device) into the dtype.
template <class D>
__global__ void narrow_kernel(const double* __restrict__ in, typename D::E* __restrict__ out, size_t n) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    out[i] = D::store(static_cast<typename D::T>(in[i]));
  }
}

using BiasFwdFn = std::string (*)(const void*, const void*, void*, size_t, size_t, size_t, const Params&,
                                  cudaStream_t);
using BiasBwdFn = std::string (*)(const void*, const void*, const void*, void*, void*, size_t, size_t, size_t,
                                  const Params&, double*, int, cudaStream_t);

template <class F, class D>
std::string launch_bias_fwd(const void* x, const void* b, void* y, size_t n, size_t channels, size_t inner,
                            const Params& p, cudaStream_t st) {
  using E = typename D::E;
  const auto* xe = static_cast<const E*>(x);
  const auto* be = static_cast<const E*>(b);
  auto* ye = static_cast<E*>(y);
  if (n <= 0xffffffffu) {
    bias_fwd_kernel<F, D, uint32_t><<<blocks_for(n), kThreads, 0, st>>>(
        xe, be, ye, static_cast<uint32_t>(n), static_cast<uint32_t>(channels), static_cast<uint32_t>(inner), p);
  } else {
    bias_fwd_kernel<F, D, size_t><<<blocks_for(n), kThreads, 0, st>>>(xe, be, ye, n, channels, inner, p);
  }
  return status(cudaGetLastError());
}

template <class F, class D>
std::string launch_bias_bwd(const void* x, const void* b, const void* dy, void* dx, void* dbias, size_t n,
                            size_t channels, size_t inner, const Params& p, double* dparams, int nparams,
                            cudaStream_t st) {
  using E = typename D::E;
  double* acc = nullptr;  // dbias in double, then narrowed
  if (dbias) {
    if (std::string e = status(cudaMallocAsync(reinterpret_cast<void**>(&acc), channels * sizeof(double), st));
        !e.empty()) {
      return e;
    }
    if (std::string e = status(cudaMemsetAsync(acc, 0, channels * sizeof(double), st)); !e.empty()) return e;
  }
  const auto* xe = static_cast<const E*>(x);
  const auto* be = static_cast<const E*>(b);
  const auto* ge = static_cast<const E*>(dy);
  auto* oe = static_cast<E*>(dx);
  double* dp = nparams > 0 ? dparams : nullptr;
  if (n > 0) {
    if (n <= 0xffffffffu) {
      bias_bwd_kernel<F, D, uint32_t><<<blocks_for(n), kThreads, 0, st>>>(
          xe, be, ge, oe, acc, static_cast<uint32_t>(n), static_cast<uint32_t>(channels),
          static_cast<uint32_t>(inner), p, dp, nparams);
    } else {
      bias_bwd_kernel<F, D, size_t><<<blocks_for(n), kThreads, 0, st>>>(xe, be, ge, oe, acc, n, channels, inner, p,
                                                                         dp, nparams);
    }
  }
  if (dbias) {
    narrow_kernel<D><<<blocks_for(channels), kThreads, 0, st>>>(acc, static_cast<E*>(dbias), channels);
    cudaFreeAsync(acc, st);
  }
  return status(cudaGetLastError());
}

const BiasFwdFn kBiasFwd[MISH_ACT_COUNT][MISH_DTYPE_COUNT] = {
#define MISH_ACTIVATION(ID, NAME, FUNCTOR, ...)                                                    \
  {&launch_bias_fwd<scalar::FUNCTOR, F32>, &launch_bias_fwd<scalar::FUNCTOR, F64>,                \
   &launch_bias_fwd<scalar::FUNCTOR, BF16>, &launch_bias_fwd<scalar::FUNCTOR, F16>},
#include "mish/activations.def"
#undef MISH_ACTIVATION
};
const BiasBwdFn kBiasBwd[MISH_ACT_COUNT][MISH_DTYPE_COUNT] = {
#define MISH_ACTIVATION(ID, NAME, FUNCTOR, ...)                                                    \
  {&launch_bias_bwd<scalar::FUNCTOR, F32>, &launch_bias_bwd<scalar::FUNCTOR, F64>,                \
   &launch_bias_bwd<scalar::FUNCTOR, BF16>, &launch_bias_bwd<scalar::FUNCTOR, F16>},
#include "mish/activations.def"
#undef MISH_ACTIVATION
};

// (activation, dtype) -> launcher, expanded from the registry.
const FwdFn kFwd[MISH_ACT_COUNT][MISH_DTYPE_COUNT] = {
#define MISH_ACTIVATION(ID, NAME, FUNCTOR, ...)                                                               \
  {&launch_fwd<scalar::FUNCTOR, F32>, &launch_fwd<scalar::FUNCTOR, F64>, &launch_fwd<scalar::FUNCTOR, BF16>, \
   &launch_fwd<scalar::FUNCTOR, F16>},
#include "mish/activations.def"
#undef MISH_ACTIVATION
};
const BwdFn kBwd[MISH_ACT_COUNT][MISH_DTYPE_COUNT] = {
#define MISH_ACTIVATION(ID, NAME, FUNCTOR, ...)                                                               \
  {&launch_bwd<scalar::FUNCTOR, F32>, &launch_bwd<scalar::FUNCTOR, F64>, &launch_bwd<scalar::FUNCTOR, BF16>, \
   &launch_bwd<scalar::FUNCTOR, F16>},
#include "mish/activations.def"
#undef MISH_ACTIVATION
};

}  // namespace

bool cuda_built() { return true; }

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device / no driver" status
    return 0;
  }
  return count;
}

std::string cuda_forward(mish_activation act, mish_dtype dtype, const Params& p, const void* x, void* y, size_t n,
                         void* stream) {
  if (n == 0) return {};
  return kFwd[act][dtype](x, y, n, p, static_cast<cudaStream_t>(stream));
}

std::string cuda_backward(mish_activation act, mish_dtype dtype, const Params& p, const void* x, const void* dy,
                          void* dx, size_t n, double* dparams, size_t nparams, void* stream) {
  const auto st = static_cast<cudaStream_t>(stream);
  if (dparams && nparams > 0) {
    if (std::string e = status(cudaMemsetAsync(dparams, 0, nparams * sizeof(double), st)); !e.empty()) return e;
  }
  if (n == 0) return {};
  return kBwd[act][dtype](x, dy, dx, n, p, dparams, static_cast<int>(nparams), st);
}

std::string cuda_bias_forward(mish_activation act, mish_dtype dtype, const Params& p, const void* x, const void* b,
                              void* y, size_t n, size_t channels, size_t inner, void* stream) {
  if (n == 0) return {};
  return kBiasFwd[act][dtype](x, b, y, n, channels, inner, p, static_cast<cudaStream_t>(stream));
}

std::string cuda_bias_backward(mish_activation act, mish_dtype dtype, const Params& p, const void* x, const void* b,
                               const void* dy, void* dx, void* dbias, size_t n, size_t channels, size_t inner,
                               double* dparams, size_t nparams, void* stream) {
  const auto st = static_cast<cudaStream_t>(stream);
  if (dparams && nparams > 0) {
    if (std::string e = status(cudaMemsetAsync(dparams, 0, nparams * sizeof(double), st)); !e.empty()) return e;
  }
  if (channels == 0) return {};
  return kBiasBwd[act][dtype](x, b, dy, dx, dbias, n, channels, inner, p, dparams, static_cast<int>(nparams), st);
}

}  // namespace mish::detail
