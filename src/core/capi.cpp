// The C API: argument checks, parameter defaults, target choice, threading.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <strings.h>
#include <exception>
#include <initializer_list>
#include <string>
#include <vector>

#include "cuda_launch.hpp"
#include "kernel_table.hpp"
#include "mish/cuda.h"
#include "mish/mish.h"
#include "parallel.hpp"
#include "registry.hpp"
#include "scalar/half.hpp"

#ifndef MISH_VERSION_STRING
#error "MISH_VERSION_STRING must be defined by the build"
#endif

namespace {

using mish::detail::KernelTable;

thread_local std::string g_last_error;

int fail(int status, std::string why) {
  g_last_error = std::move(why);
  return status;
}

std::atomic<const KernelTable*>& active_table() {
  static std::atomic<const KernelTable*> t{mish::detail::available_targets().front().table};
  return t;
}

size_t dtype_size(mish_dtype dt) { return dt == MISH_F64 ? 8 : dt == MISH_F32 ? 4 : 2; }

// True when [a, a+bytes) and [b, b+bytes) share bytes without being the same buffer.
bool partial_overlap(const void* a, const void* b, size_t bytes) {
  const auto pa = reinterpret_cast<uintptr_t>(a);
  const auto pb = reinterpret_cast<uintptr_t>(b);
  return pa != pb && pa < pb + bytes && pb < pa + bytes;
}

int check_common(mish_activation act, mish_dtype dtype, size_t n) {
  if (static_cast<unsigned>(act) >= static_cast<unsigned>(MISH_ACT_COUNT)) {
    return fail(MISH_ERR_BAD_ACTIVATION, "activation id " + std::to_string(static_cast<int>(act)) +
                                             " is out of range [0, " + std::to_string(MISH_ACT_COUNT) + ")");
  }
  if (static_cast<unsigned>(dtype) >= static_cast<unsigned>(MISH_DTYPE_COUNT)) {
    return fail(MISH_ERR_BAD_DTYPE, "dtype " + std::to_string(static_cast<int>(dtype)) +
                                        " is not one of MISH_F32, MISH_F64, MISH_BF16, MISH_F16");
  }
  if (n > SIZE_MAX / 8) return fail(MISH_ERR_BAD_PARAM, "n = " + std::to_string(n) + " is larger than any buffer");
  return MISH_OK;
}

// Runs an entry point's body: an exception (out of memory, a bug) becomes
// MISH_ERR_INTERNAL with its message, never a crash through the C boundary.
template <class Body>
int guarded(Body&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return fail(MISH_ERR_INTERNAL, e.what());
  } catch (...) {
    return fail(MISH_ERR_INTERNAL, "unknown exception");
  }
}

// The CUDA side's answer ("" = launched) as a status.
int cuda_result(const std::string& why) {
  if (why.empty()) return MISH_OK;
  return fail(MISH_ERR_CUDA, mish::detail::cuda_built() ? "CUDA: " + why : why);
}

// Device buffers must be aligned to their element size (GPUs fault on
// misaligned loads); host buffers may sit anywhere.
int check_device_alignment(size_t es, std::initializer_list<const void*> bufs) {
  for (const void* b : bufs) {
    if (reinterpret_cast<uintptr_t>(b) % es != 0) {
      return fail(MISH_ERR_BAD_PARAM, "a device buffer is not aligned to its element size (" + std::to_string(es) +
                                          " bytes); CUDA buffers (cudaMalloc, tensors) always are: pass an "
                                          "element-aligned address");
    }
  }
  return MISH_OK;
}

const char* byte_ptr(const void* p, size_t i, size_t size) { return static_cast<const char*>(p) + i * size; }
char* byte_ptr(void* p, size_t i, size_t size) { return static_cast<char*>(p) + i * size; }

// ---- fused bias + activation ------------------------------------------------
// The kernels run on z = x + bias in the compute type, in tiles of kTile
// elements (a scratch on the stack per tile), so that the same SIMD kernels
// serve and 16-bit data are rounded once, at the end.

constexpr size_t kTile = 2048;

// Element i of a dtype's buffer as the compute type (float for 16-bit).
template <class C>
C load_as(const void* p, size_t i, mish_dtype dt) {
  const char* b = static_cast<const char*>(p);
  switch (dt) {
    case MISH_F64: {
      double v;
      std::memcpy(&v, b + i * 8, 8);
      return static_cast<C>(v);
    }
    case MISH_F32: {
      float v;
      std::memcpy(&v, b + i * 4, 4);
      return static_cast<C>(v);
    }
    default: {
      uint16_t h;
      std::memcpy(&h, b + i * 2, 2);
      return static_cast<C>(dt == MISH_BF16 ? mish::scalar::bf16_to_f32(h) : mish::scalar::f16_to_f32(h));
    }
  }
}

template <class C>
void store_as(void* p, size_t i, mish_dtype dt, C v) {
  char* b = static_cast<char*>(p);
  switch (dt) {
    case MISH_F64: {
      const double d = static_cast<double>(v);
      std::memcpy(b + i * 8, &d, 8);
      break;
    }
    case MISH_F32: {
      const float f = static_cast<float>(v);
      std::memcpy(b + i * 4, &f, 4);
      break;
    }
    default: {
      const float f = static_cast<float>(v);
      const uint16_t h = dt == MISH_BF16 ? mish::scalar::f32_to_bf16(f) : mish::scalar::f32_to_f16(f);
      std::memcpy(b + i * 2, &h, 2);
    }
  }
}

// z[k] = x[begin + k] + bias[channel of begin + k] for k < len.
template <class C>
void add_bias(const void* x, const std::vector<C>& bias, mish_dtype dt, size_t begin, size_t len, size_t channels,
              size_t inner, C* z) {
  size_t c = (begin / inner) % channels, left = inner - begin % inner;
  for (size_t k = 0; k < len;) {
    const size_t m = std::min(left, len - k);
    const C b = bias[c];
    for (size_t j = 0; j < m; ++j) z[k + j] = load_as<C>(x, begin + k + j, dt) + b;
    k += m;
    c = c + 1 == channels ? 0 : c + 1;
    left = inner;
  }
}

template <class C>
int bias_forward(mish_activation act, mish_dtype dt, const mish::scalar::Params& p, const void* x, const void* bias,
                 void* y, size_t n, size_t channels, size_t inner) {
  std::vector<C> b(channels);
  for (size_t c = 0; c < channels; ++c) b[c] = load_as<C>(bias, c, dt);
  const mish_dtype cdt = sizeof(C) == 8 ? MISH_F64 : MISH_F32;
  const auto fn = active_table().load(std::memory_order_relaxed)->fwd[act][cdt];
  mish::detail::parallel_for(n, [&](size_t begin, size_t end) {
    C z[kTile];
    for (size_t t = begin; t < end; t += kTile) {
      const size_t len = std::min(kTile, end - t);
      add_bias(x, b, dt, t, len, channels, inner, z);
      if (dt == cdt) {
        fn(z, byte_ptr(y, t, sizeof(C)), len, p);
      } else {
        fn(z, z, len, p);
        for (size_t k = 0; k < len; ++k) store_as(y, t + k, dt, z[k]);
      }
    }
  });
  return MISH_OK;
}

template <class C>
int bias_backward(mish_activation act, mish_dtype dt, const mish::scalar::Params& p, const void* x, const void* bias,
                  const void* dy, void* dx, void* dbias, size_t n, size_t channels, size_t inner, double* dparams,
                  size_t np) {
  std::vector<C> b(channels);
  for (size_t c = 0; c < channels; ++c) b[c] = load_as<C>(bias, c, dt);
  const mish_dtype cdt = sizeof(C) == 8 ? MISH_F64 : MISH_F32;
  const auto fn = active_table().load(std::memory_order_relaxed)->bwd[act][cdt];
  const size_t chunks = (n + mish::detail::kGrain - 1) / mish::detail::kGrain;
  // per-chunk partial sums, added in chunk order: the same result for any thread count
  std::vector<double> pb(dbias ? chunks * channels : 0, 0.0), pp(chunks * MISH_MAX_PARAMS, 0.0);
  mish::detail::parallel_chunks(n, [&](size_t chunk, size_t begin, size_t end) {
    C z[kTile], g[kTile];
    double* acc = dbias ? &pb[chunk * channels] : nullptr;
    for (size_t t = begin; t < end; t += kTile) {
      const size_t len = std::min(kTile, end - t);
      add_bias(x, b, dt, t, len, channels, inner, z);
      for (size_t k = 0; k < len; ++k) g[k] = load_as<C>(dy, t + k, dt);
      fn(z, g, z, len, p, dparams ? &pp[chunk * MISH_MAX_PARAMS] : nullptr);
      size_t c = (t / inner) % channels, left = inner - t % inner;
      for (size_t k = 0; k < len;) {
        const size_t m = std::min(left, len - k);
        double s = 0;
        for (size_t j = 0; j < m; ++j) {
          store_as(dx, t + k + j, dt, z[k + j]);
          s += static_cast<double>(z[k + j]);
        }
        if (acc) acc[c] += s;
        k += m;
        c = c + 1 == channels ? 0 : c + 1;
        left = inner;
      }
    }
  });
  if (dbias) {
    for (size_t c = 0; c < channels; ++c) {
      double s = 0;
      for (size_t k = 0; k < chunks; ++k) s += pb[k * channels + c];
      store_as(dbias, c, dt, s);
    }
  }
  if (dparams) {
    for (size_t k = 0; k < chunks; ++k) {
      for (size_t j = 0; j < np; ++j) dparams[j] += pp[k * MISH_MAX_PARAMS + j];
    }
  }
  return MISH_OK;
}

// Checks of the bias calls; n = outer * channels * inner on success.
int check_bias(mish_activation act, mish_dtype dtype, size_t outer, size_t channels, size_t inner, size_t& n) {
  if (int s = check_common(act, dtype, 0)) return s;
  size_t oc = 0;
  if (__builtin_mul_overflow(outer, channels, &oc) || __builtin_mul_overflow(oc, inner, &n) || n > SIZE_MAX / 8) {
    return fail(MISH_ERR_BAD_PARAM, "outer * channels * inner is larger than any buffer");
  }
  return MISH_OK;
}

}  // namespace

extern "C" {

int mish_act_forward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams, const void* x,
                     void* y, size_t n) {
  return guarded([&]() -> int {
    if (int s = check_common(act, dtype, n)) return s;
    mish::scalar::Params p;
    std::string why;
    if (int s = mish::detail::make_params(act, params, nparams, p, why)) return fail(s, why);
    if (n == 0) return MISH_OK;
    if (!x || !y) return fail(MISH_ERR_NULL_POINTER, std::string(x ? "y" : "x") + " is NULL with n > 0");
    const size_t es = dtype_size(dtype);
    if (partial_overlap(x, y, n * es)) {
      return fail(MISH_ERR_OVERLAP, "y overlaps x without being the same buffer; use y == x for in place");
    }
    const auto fn = active_table().load(std::memory_order_relaxed)->fwd[act][dtype];
    mish::detail::parallel_for(n, [&](size_t b, size_t e) { fn(byte_ptr(x, b, es), byte_ptr(y, b, es), e - b, p); });
    return MISH_OK;
  });
}

int mish_act_backward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams, const void* x,
                      const void* dy, void* dx, size_t n, double* dparams) {
  return guarded([&]() -> int {
    if (int s = check_common(act, dtype, n)) return s;
    mish::scalar::Params p;
    std::string why;
    if (int s = mish::detail::make_params(act, params, nparams, p, why)) return fail(s, why);
    const size_t np = mish::detail::registry()[act].params.size();
    if (dparams) std::fill(dparams, dparams + np, 0.0);
    if (n == 0) return MISH_OK;
    if (!x || !dy || !dx) {
      return fail(MISH_ERR_NULL_POINTER, std::string(!x ? "x" : !dy ? "dy" : "dx") + " is NULL with n > 0");
    }
    const size_t es = dtype_size(dtype);
    if (partial_overlap(x, dx, n * es) || partial_overlap(dy, dx, n * es)) {
      return fail(MISH_ERR_OVERLAP, "dx overlaps x or dy without being the same buffer; use dx == x or dx == dy");
    }
    const auto fn = active_table().load(std::memory_order_relaxed)->bwd[act][dtype];
    if (!dparams || np == 0) {
      mish::detail::parallel_for(n, [&](size_t b, size_t e) {
        fn(byte_ptr(x, b, es), byte_ptr(dy, b, es), byte_ptr(dx, b, es), e - b, p, nullptr);
      });
      return MISH_OK;
    }
    // Parameter gradients: per-chunk partial sums, added in chunk order.
    const size_t chunks = (n + mish::detail::kGrain - 1) / mish::detail::kGrain;
    std::vector<double> partial(chunks * MISH_MAX_PARAMS, 0.0);
    mish::detail::parallel_chunks(n, [&](size_t k, size_t b, size_t e) {
      fn(byte_ptr(x, b, es), byte_ptr(dy, b, es), byte_ptr(dx, b, es), e - b, p, &partial[k * MISH_MAX_PARAMS]);
    });
    for (size_t k = 0; k < chunks; ++k) {
      for (size_t j = 0; j < np; ++j) dparams[j] += partial[k * MISH_MAX_PARAMS + j];
    }
    return MISH_OK;
  });
}

int mish_act_bias_forward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                          const void* x, const void* bias, void* y, size_t outer, size_t channels, size_t inner) {
  return guarded([&]() -> int {
    size_t n = 0;
    if (int s = check_bias(act, dtype, outer, channels, inner, n)) return s;
    mish::scalar::Params p;
    std::string why;
    if (int s = mish::detail::make_params(act, params, nparams, p, why)) return fail(s, why);
    if (n == 0) return MISH_OK;
    if (!x || !bias || !y) {
      return fail(MISH_ERR_NULL_POINTER, std::string(!x ? "x" : !bias ? "bias" : "y") + " is NULL with n > 0");
    }
    const size_t es = dtype_size(dtype);
    if (partial_overlap(x, y, n * es)) {
      return fail(MISH_ERR_OVERLAP, "y overlaps x without being the same buffer; use y == x for in place");
    }
    if (dtype == MISH_F64) return bias_forward<double>(act, dtype, p, x, bias, y, n, channels, inner);
    return bias_forward<float>(act, dtype, p, x, bias, y, n, channels, inner);
  });
}

int mish_act_bias_backward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                           const void* x, const void* bias, const void* dy, void* dx, void* dbias, size_t outer,
                           size_t channels, size_t inner, double* dparams) {
  return guarded([&]() -> int {
    size_t n = 0;
    if (int s = check_bias(act, dtype, outer, channels, inner, n)) return s;
    mish::scalar::Params p;
    std::string why;
    if (int s = mish::detail::make_params(act, params, nparams, p, why)) return fail(s, why);
    const size_t np = mish::detail::registry()[act].params.size();
    if (dparams) std::fill(dparams, dparams + np, 0.0);
    if (dbias) {
      for (size_t c = 0; c < channels; ++c) store_as(dbias, c, dtype, 0.0);
    }
    if (n == 0) return MISH_OK;
    if (!x || !bias || !dy || !dx) {
      return fail(MISH_ERR_NULL_POINTER,
                  std::string(!x ? "x" : !bias ? "bias" : !dy ? "dy" : "dx") + " is NULL with n > 0");
    }
    const size_t es = dtype_size(dtype);
    if (partial_overlap(x, dx, n * es) || partial_overlap(dy, dx, n * es)) {
      return fail(MISH_ERR_OVERLAP, "dx overlaps x or dy without being the same buffer; use dx == x or dx == dy");
    }
    const auto db = reinterpret_cast<uintptr_t>(dbias), d = reinterpret_cast<uintptr_t>(dx);
    if (dbias && db < d + n * es && d < db + channels * es) {
      return fail(MISH_ERR_OVERLAP, "dbias overlaps dx: use a separate buffer");
    }
    if (dtype == MISH_F64) {
      return bias_backward<double>(act, dtype, p, x, bias, dy, dx, dbias, n, channels, inner, dparams, np);
    }
    return bias_backward<float>(act, dtype, p, x, bias, dy, dx, dbias, n, channels, inner, dparams, np);
  });
}

int mish_cuda_built(void) { return mish::detail::cuda_built() ? 1 : 0; }

int mish_cuda_device_count(void) {
  try {
    return mish::detail::cuda_device_count();
  } catch (...) {
    return 0;
  }
}

int mish_cuda_act_forward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                          const void* x, void* y, size_t n, void* stream) {
  return guarded([&]() -> int {
    if (int s = check_common(act, dtype, n)) return s;
    mish::scalar::Params p;
    std::string why;
    if (int s = mish::detail::make_params(act, params, nparams, p, why)) return fail(s, why);
    if (n > 0 && (!x || !y)) return fail(MISH_ERR_NULL_POINTER, std::string(x ? "y" : "x") + " is NULL with n > 0");
    if (partial_overlap(x, y, n * dtype_size(dtype))) {
      return fail(MISH_ERR_OVERLAP, "y overlaps x without being the same buffer; use y == x for in place");
    }
    if (int s = check_device_alignment(dtype_size(dtype), {x, y})) return s;
    return cuda_result(mish::detail::cuda_forward(act, dtype, p, x, y, n, stream));
  });
}

int mish_cuda_act_backward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                           const void* x, const void* dy, void* dx, size_t n, double* dparams, void* stream) {
  return guarded([&]() -> int {
    if (int s = check_common(act, dtype, n)) return s;
    mish::scalar::Params p;
    std::string why;
    if (int s = mish::detail::make_params(act, params, nparams, p, why)) return fail(s, why);
    if (n > 0 && (!x || !dy || !dx)) {
      return fail(MISH_ERR_NULL_POINTER, std::string(!x ? "x" : !dy ? "dy" : "dx") + " is NULL with n > 0");
    }
    const size_t es = dtype_size(dtype);
    if (partial_overlap(x, dx, n * es) || partial_overlap(dy, dx, n * es)) {
      return fail(MISH_ERR_OVERLAP, "dx overlaps x or dy without being the same buffer; use dx == x or dx == dy");
    }
    if (int s = check_device_alignment(es, {x, dy, dx})) return s;
    const size_t np = mish::detail::registry()[act].params.size();
    return cuda_result(mish::detail::cuda_backward(act, dtype, p, x, dy, dx, n, dparams, np, stream));
  });
}

int mish_cuda_act_bias_forward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                               const void* x, const void* bias, void* y, size_t outer, size_t channels, size_t inner,
                               void* stream) {
  return guarded([&]() -> int {
    size_t n = 0;
    if (int s = check_bias(act, dtype, outer, channels, inner, n)) return s;
    mish::scalar::Params p;
    std::string why;
    if (int s = mish::detail::make_params(act, params, nparams, p, why)) return fail(s, why);
    if (n > 0 && (!x || !bias || !y)) {
      return fail(MISH_ERR_NULL_POINTER, std::string(!x ? "x" : !bias ? "bias" : "y") + " is NULL with n > 0");
    }
    if (partial_overlap(x, y, n * dtype_size(dtype))) {
      return fail(MISH_ERR_OVERLAP, "y overlaps x without being the same buffer; use y == x for in place");
    }
    if (int s = check_device_alignment(dtype_size(dtype), {x, bias, y})) return s;
    return cuda_result(mish::detail::cuda_bias_forward(act, dtype, p, x, bias, y, n, channels, inner, stream));
  });
}

int mish_cuda_act_bias_backward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                                const void* x, const void* bias, const void* dy, void* dx, void* dbias, size_t outer,
                                size_t channels, size_t inner, double* dparams, void* stream) {
  return guarded([&]() -> int {
    size_t n = 0;
    if (int s = check_bias(act, dtype, outer, channels, inner, n)) return s;
    mish::scalar::Params p;
    std::string why;
    if (int s = mish::detail::make_params(act, params, nparams, p, why)) return fail(s, why);
    if (n > 0 && (!x || !bias || !dy || !dx)) {
      return fail(MISH_ERR_NULL_POINTER,
                  std::string(!x ? "x" : !bias ? "bias" : !dy ? "dy" : "dx") + " is NULL with n > 0");
    }
    const size_t es = dtype_size(dtype);
    if (partial_overlap(x, dx, n * es) || partial_overlap(dy, dx, n * es)) {
      return fail(MISH_ERR_OVERLAP, "dx overlaps x or dy without being the same buffer; use dx == x or dx == dy");
    }
    if (int s = check_device_alignment(es, {x, bias, dy, dx, dbias ? dbias : dx})) return s;
    const size_t np = mish::detail::registry()[act].params.size();
    return cuda_result(mish::detail::cuda_bias_backward(act, dtype, p, x, bias, dy, dx, dbias, n, channels, inner,
                                                     dparams, np, stream));
  });
}

#define MISH_DEFINE_STABLE(SUFFIX, DT, TYPE)                                                  \
  int mish_forward_##SUFFIX(const TYPE* x, TYPE* y, size_t n) {                               \
    return mish_act_forward(MISH_ACT_MISH, DT, nullptr, 0, x, y, n);                          \
  }                                                                                           \
  int mish_backward_##SUFFIX(const TYPE* x, const TYPE* dy, TYPE* dx, size_t n) {             \
    return mish_act_backward(MISH_ACT_MISH, DT, nullptr, 0, x, dy, dx, n, nullptr);           \
  }
MISH_DEFINE_STABLE(f32, MISH_F32, float)
MISH_DEFINE_STABLE(f64, MISH_F64, double)
MISH_DEFINE_STABLE(bf16, MISH_BF16, uint16_t)
MISH_DEFINE_STABLE(f16, MISH_F16, uint16_t)
#undef MISH_DEFINE_STABLE

void mish_set_num_threads(int n) { mish::detail::set_num_threads(n); }
int mish_get_num_threads(void) { return mish::detail::num_threads(); }

const char* mish_version(void) { return MISH_VERSION_STRING; }

const char* mish_strerror(int status) {
  switch (status) {
    case MISH_OK: return "success";
    case MISH_ERR_NULL_POINTER: return "a buffer pointer is NULL while n > 0: pass valid buffers, or n = 0";
    case MISH_ERR_BAD_ACTIVATION: return "unknown activation id: use a MISH_ACT_* constant or mish_act_from_name()";
    case MISH_ERR_BAD_DTYPE: return "unknown dtype: use MISH_F32, MISH_F64, MISH_BF16 or MISH_F16";
    case MISH_ERR_BAD_PARAM:
      return "bad activation parameters: check their number and values (mish_last_error() says which)";
    case MISH_ERR_UNKNOWN_NAME: return "no such name: mish_act_name() / mish_simd_target_name() list the valid ones";
    case MISH_ERR_OVERLAP:
      return "output buffer partially overlaps an input: use separate buffers or exactly the same one (in place)";
    case MISH_ERR_TARGET_UNAVAILABLE:
      return "that SIMD target is not supported by this CPU or was not compiled in: see mish_simd_target_name()";
    case MISH_ERR_INTERNAL: return "internal error (a bug or out of memory): please report it with mish_last_error()";
    case MISH_ERR_CUDA:
      return "a CUDA call failed (no GPU or driver, a bad device pointer, or a build without CUDA): "
             "mish_last_error() has CUDA's message";
    default: return "unknown status code";
  }
}

const char* mish_last_error(void) { return g_last_error.c_str(); }

int mish_act_count(void) { return MISH_ACT_COUNT; }

const char* mish_act_name(mish_activation act) {
  if (static_cast<unsigned>(act) >= static_cast<unsigned>(MISH_ACT_COUNT)) return nullptr;
  return mish::detail::registry()[act].name;
}

int mish_act_from_name(const char* name, mish_activation* out) {
  if (!name || !out) return fail(MISH_ERR_NULL_POINTER, "name and out must not be NULL");
  const auto& reg = mish::detail::registry();
  for (size_t i = 0; i < reg.size(); ++i) {
    if (std::strcmp(reg[i].name, name) == 0) {
      *out = static_cast<mish_activation>(i);
      return MISH_OK;
    }
  }
  return fail(MISH_ERR_UNKNOWN_NAME, std::string("no activation named '") + name + "'");
}

int mish_act_num_params(mish_activation act) {
  if (static_cast<unsigned>(act) >= static_cast<unsigned>(MISH_ACT_COUNT)) return -1;
  return static_cast<int>(mish::detail::registry()[act].params.size());
}

const char* mish_act_param_name(mish_activation act, int k) {
  if (k < 0 || k >= mish_act_num_params(act)) return nullptr;
  return mish::detail::registry()[act].params[static_cast<size_t>(k)].name.c_str();
}

double mish_act_param_default(mish_activation act, int k) {
  if (k < 0 || k >= mish_act_num_params(act)) return 0.0;
  return mish::detail::registry()[act].params[static_cast<size_t>(k)].default_value;
}

const char* mish_dtype_name(mish_dtype dtype) {
  static const char* const names[] = {"f32", "f64", "bf16", "f16"};
  if (static_cast<unsigned>(dtype) >= static_cast<unsigned>(MISH_DTYPE_COUNT)) return nullptr;
  return names[dtype];
}

int mish_act_ulp_budget(mish_activation act, mish_dtype dtype, int backward) {
  if (static_cast<unsigned>(act) >= static_cast<unsigned>(MISH_ACT_COUNT)) return -1;
  const auto& info = mish::detail::registry()[act];
  switch (dtype) {
    case MISH_F32: return backward ? info.ulp_f32_bwd : info.ulp_f32_fwd;
    case MISH_F64: return backward ? info.ulp_f64_bwd : info.ulp_f64_fwd;
    case MISH_BF16:
    case MISH_F16: return 1;
    default: return -1;
  }
}

int mish_act_h16_permille(mish_activation act) {
  if (static_cast<unsigned>(act) >= static_cast<unsigned>(MISH_ACT_COUNT)) return -1;
  return mish::detail::registry()[act].h16_permille;
}

int mish_simd_target_count(void) { return static_cast<int>(mish::detail::available_targets().size()); }

const char* mish_simd_target_name(int i) {
  const auto& t = mish::detail::available_targets();
  if (i < 0 || static_cast<size_t>(i) >= t.size()) return nullptr;
  return t[static_cast<size_t>(i)].name;
}

const char* mish_simd_target(void) {
  const KernelTable* cur = active_table().load();
  for (const auto& t : mish::detail::available_targets()) {
    if (t.table == cur) return t.name;
  }
  return "unknown";
}

int mish_set_simd_target(const char* name) {
  const auto& targets = mish::detail::available_targets();
  if (!name || !*name || std::strcmp(name, "best") == 0) {
    active_table().store(targets.front().table);
    return MISH_OK;
  }
  for (const auto& t : targets) {
    if (strcasecmp(t.name, name) == 0) {
      active_table().store(t.table);
      return MISH_OK;
    }
  }
  std::string known;
  for (const auto& t : targets) known += std::string(known.empty() ? "" : ", ") + t.name;
  return fail(MISH_ERR_TARGET_UNAVAILABLE,
              std::string("SIMD target '") + name + "' is not available here; available: " + known);
}

}  // extern "C"
