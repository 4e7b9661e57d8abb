/* libmish: the C API.
 *
 * Every function is thread-safe, never throws and never aborts: it returns 0
 * (MISH_OK) on success and one of the MISH_ERR_* codes otherwise, with
 * mish_strerror() giving a sentence that says what was wrong and what to do.
 *
 * Buffers: any alignment; n = 0 is allowed (pointers may then be NULL); the
 * output may be the same buffer as an input (in place), but must not overlap
 * it partially (MISH_ERR_OVERLAP). 16-bit types are passed as their bits:
 * bfloat16 (the upper half of a float32) and IEEE 754 binary16; they are
 * computed in float32 and stored with round-to-nearest-even.
 *
 * Backward computes dx = dy * f'(x) elementwise and, for activations with
 * parameters, dL/dparam_k = sum_i dy_i * df(x_i)/dparam_k (summed in double).
 */
#ifndef MISH_MISH_H_
#define MISH_MISH_H_

#include <stddef.h>
#include <stdint.h>

#include "mish/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Stable: values never change meaning. */
enum {
  MISH_OK = 0,
  MISH_ERR_NULL_POINTER = 1,       /* a NULL buffer with n > 0 */
  MISH_ERR_BAD_ACTIVATION = 2,     /* activation id out of range */
  MISH_ERR_BAD_DTYPE = 3,          /* dtype out of range */
  MISH_ERR_BAD_PARAM = 4,          /* too many parameters, or a value the activation rejects */
  MISH_ERR_UNKNOWN_NAME = 5,       /* no activation / SIMD target by that name */
  MISH_ERR_OVERLAP = 6,            /* output partially overlaps an input */
  MISH_ERR_TARGET_UNAVAILABLE = 7, /* SIMD target not supported by this CPU or build */
  MISH_ERR_INTERNAL = 8,           /* a bug or out of memory; please report it */
  MISH_ERR_CUDA = 9                /* a CUDA call failed, no GPU, or no CUDA in this build (mish/cuda.h) */
};

/* ---- Mish, the stable names ---------------------------------------------- */
MISH_API int mish_forward_f32(const float* x, float* y, size_t n);
MISH_API int mish_backward_f32(const float* x, const float* dy, float* dx, size_t n);
MISH_API int mish_forward_f64(const double* x, double* y, size_t n);
MISH_API int mish_backward_f64(const double* x, const double* dy, double* dx, size_t n);
MISH_API int mish_forward_bf16(const uint16_t* x, uint16_t* y, size_t n); /* bfloat16 bits */
MISH_API int mish_backward_bf16(const uint16_t* x, const uint16_t* dy, uint16_t* dx, size_t n);
MISH_API int mish_forward_f16(const uint16_t* x, uint16_t* y, size_t n); /* IEEE binary16 bits */
MISH_API int mish_backward_f16(const uint16_t* x, const uint16_t* dy, uint16_t* dx, size_t n);

/* Threads used for large inputs (work is split only above a grain of about
 * 32K elements). n <= 0: hardware concurrency (the default). */
MISH_API void mish_set_num_threads(int n);
MISH_API int mish_get_num_threads(void);

MISH_API const char* mish_version(void);
MISH_API const char* mish_strerror(int status);
/* The detailed message of the last failed call on this thread ("" if none),
 * e.g. "celu: alpha must be a finite non-zero number (got alpha=0)". */
MISH_API const char* mish_last_error(void);

/* ---- Any activation of the registry --------------------------------------- */
typedef enum mish_activation {
#define MISH_ACTIVATION(ID, ...) MISH_ACT_##ID,
#include "mish/activations.def"
#undef MISH_ACTIVATION
  MISH_ACT_COUNT
} mish_activation;

typedef enum mish_dtype { MISH_F32 = 0, MISH_F64 = 1, MISH_BF16 = 2, MISH_F16 = 3, MISH_DTYPE_COUNT } mish_dtype;

#define MISH_MAX_PARAMS 2

/* params: NULL / nparams = 0 for the defaults, else the first nparams
 * parameters in registry order (the rest keep their defaults). */
MISH_API int mish_act_forward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                              const void* x, void* y, size_t n);
/* dparams: NULL, or room for mish_act_num_params(act) doubles (overwritten). */
MISH_API int mish_act_backward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                               const void* x, const void* dy, void* dx, size_t n, double* dparams);

/* Fused bias + activation, the epilogue of a convolution or linear layer:
 *   y[o][c][i] = f(x[o][c][i] + bias[c])   for o < outer, c < channels, i < inner
 * NCHW: outer = N, channels = C, inner = H*W; NHWC, or a (rows, features)
 * matrix: outer = rows, channels = C (features), inner = 1. bias holds
 * `channels` values of the same dtype. x + bias is formed in the compute type
 * (float for 16-bit data, and not rounded to 16 bits before f). */
MISH_API int mish_act_bias_forward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                                   const void* x, const void* bias, void* y, size_t outer, size_t channels,
                                   size_t inner);
/* dx = dy * f'(x + bias); dbias (NULL, or `channels` values of the dtype):
 * dbias[c] = sum over o, i of dx[o][c][i], summed in double from the unrounded
 * products; dparams as in mish_act_backward. */
MISH_API int mish_act_bias_backward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                                    const void* x, const void* bias, const void* dy, void* dx, void* dbias,
                                    size_t outer, size_t channels, size_t inner, double* dparams);

/* Registry introspection. Names are those of the registry ("mish", "swish", ...). */
MISH_API int mish_act_count(void);
MISH_API const char* mish_act_name(mish_activation act); /* NULL if out of range */
MISH_API int mish_act_from_name(const char* name, mish_activation* out);
MISH_API int mish_act_num_params(mish_activation act); /* -1 if out of range */
MISH_API const char* mish_act_param_name(mish_activation act, int k);
MISH_API double mish_act_param_default(mish_activation act, int k);
MISH_API const char* mish_dtype_name(mish_dtype dtype);
/* The documented and tested max error of forward (backward = 0) or backward
 * (backward = 1), in ULPs of the dtype at the default parameters (backward:
 * ULPs of max(|f'|, largest term of f'); see docs/ACCURACY.md). 16-bit dtypes:
 * 1 (and >= 99.9% correctly rounded). -1 for an invalid activation or dtype. */
MISH_API int mish_act_ulp_budget(mish_activation act, mish_dtype dtype, int backward);
/* 16-bit dtypes: the tested minimum share of the 65,536 inputs whose result is
 * the correctly rounded exact value, per mille (999 = 99.9%); -1 if invalid. */
MISH_API int mish_act_h16_permille(mish_activation act);

/* ---- SIMD targets ---------------------------------------------------------
 * One binary carries kernels for several instruction sets (e.g. AVX3, AVX2,
 * SSE4, SSSE3, SCALAR on x86) and picks the best the CPU supports. These
 * functions list the usable ones and switch between them (for tests and
 * benchmarks; the switch is process-wide). */
MISH_API int mish_simd_target_count(void);
MISH_API const char* mish_simd_target_name(int i); /* best first; NULL if out of range */
MISH_API const char* mish_simd_target(void);       /* the one in use */
MISH_API int mish_set_simd_target(const char* name); /* NULL or "" or "best": the best */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MISH_MISH_H_ */
