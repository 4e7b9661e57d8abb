/* The activation registry on NVIDIA GPUs: the same formulas (the scalar
 * headers shared with the CPU), the same dtypes, rules and accuracy contract
 * as mish_act_forward / mish_act_backward, on device buffers.
 *
 * Present in libmish when it was built with CUDA (MISH_ENABLE_CUDA; the CUDA
 * runtime is linked statically, so libmish needs no CUDA library at run time
 * and a machine without a GPU simply reports MISH_ERR_CUDA). Check with
 * mish_cuda_built().
 *
 * x, dy, y, dx: device pointers aligned to their element size (as every
 * cudaMalloc'd buffer and tensor is; MISH_ERR_BAD_PARAM otherwise). Buffers
 * that share their offset from a 16-byte boundary use 16-byte loads/stores. stream: a cudaStream_t, or NULL for the legacy
 * default stream. The calls are asynchronous: they check their arguments and
 * the launch, and errors of the running kernel surface at the next
 * synchronisation, as with any CUDA kernel.
 * dparams: NULL, or a DEVICE array of mish_act_num_params(act) doubles that
 * receives dL/dparam_k = sum_i dy_i * df(x_i)/dparam_k (overwritten). */
#ifndef MISH_CUDA_H_
#define MISH_CUDA_H_

#include "mish/mish.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this libmish has the CUDA kernels, 0 otherwise (then every call below
 * returns MISH_ERR_CUDA). */
MISH_API int mish_cuda_built(void);
/* Number of usable CUDA devices (0 without a GPU or driver, or without CUDA). */
MISH_API int mish_cuda_device_count(void);

MISH_API int mish_cuda_act_forward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                                   const void* x, void* y, size_t n, void* stream);
MISH_API int mish_cuda_act_backward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                                    const void* x, const void* dy, void* dx, size_t n, double* dparams,
                                    void* stream);

/* Fused bias + activation on the GPU (as mish_act_bias_forward / _backward;
 * dbias: NULL or a device array of `channels` values of the dtype). */
MISH_API int mish_cuda_act_bias_forward(mish_activation act, mish_dtype dtype, const double* params, size_t nparams,
                                        const void* x, const void* bias, void* y, size_t outer, size_t channels,
                                        size_t inner, void* stream);
MISH_API int mish_cuda_act_bias_backward(mish_activation act, mish_dtype dtype, const double* params,
                                         size_t nparams, const void* x, const void* bias, const void* dy, void* dx,
                                         void* dbias, size_t outer, size_t channels, size_t inner, double* dparams,
                                         void* stream);

#ifdef __cplusplus
}
#endif

#endif /* MISH_CUDA_H_ */
