// The CUDA entry points (mish/cuda.h): argument checks and the no-GPU error
// everywhere; on a machine with a GPU, every activation and dtype against the
// CPU core. (The exhaustive float check and the benchmarks are in
// scripts/gpu-check.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "mish/cuda.h"
#include "mish/mish.h"

#ifdef MISH_TEST_CUDA_RUNTIME
#include <cuda_runtime.h>
#endif

namespace {

TEST(CudaApi, BuiltAndDevices) {
#ifdef MISH_TEST_CUDA_RUNTIME
  EXPECT_EQ(mish_cuda_built(), 1);
#else
  EXPECT_EQ(mish_cuda_built(), 0);
#endif
  EXPECT_GE(mish_cuda_device_count(), 0);
  RecordProperty("cuda_devices", mish_cuda_device_count());
}

TEST(CudaApi, ArgumentsAreCheckedFirst) {
  float* fake = reinterpret_cast<float*>(uintptr_t{0x1000});  // never dereferenced: the checks fail first
  EXPECT_EQ(mish_cuda_act_forward(static_cast<mish_activation>(MISH_ACT_COUNT), MISH_F32, nullptr, 0, fake, fake, 4,
                                  nullptr),
            MISH_ERR_BAD_ACTIVATION);
  EXPECT_EQ(mish_cuda_act_forward(MISH_ACT_MISH, static_cast<mish_dtype>(7), nullptr, 0, fake, fake, 4, nullptr),
            MISH_ERR_BAD_DTYPE);
  EXPECT_EQ(mish_cuda_act_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, nullptr, fake, 4, nullptr),
            MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_cuda_act_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, fake, fake + 1, 4, nullptr), MISH_ERR_OVERLAP);
  const double nan_beta = NAN;
  EXPECT_EQ(mish_cuda_act_forward(MISH_ACT_SWISH, MISH_F32, &nan_beta, 1, fake, fake, 4, nullptr), MISH_ERR_BAD_PARAM);
  EXPECT_EQ(mish_cuda_act_backward(MISH_ACT_MISH, MISH_F32, nullptr, 0, fake, nullptr, fake, 4, nullptr, nullptr),
            MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_cuda_act_backward(MISH_ACT_MISH, MISH_F32, nullptr, 0, fake, fake, fake + 2, 4, nullptr, nullptr),
            MISH_ERR_OVERLAP);
  // device buffers must be element-aligned (GPUs fault on misaligned loads)
  const auto odd = reinterpret_cast<float*>(uintptr_t{0x1002});
  EXPECT_EQ(mish_cuda_act_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, odd, odd, 4, nullptr), MISH_ERR_BAD_PARAM);
  EXPECT_NE(std::string(mish_last_error()).find("aligned to its element size"), std::string::npos);
  // nothing to do is not an error, GPU or not (when CUDA is built)
  EXPECT_EQ(mish_cuda_act_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, nullptr, nullptr, 0, nullptr),
            mish_cuda_built() ? MISH_OK : MISH_ERR_CUDA);
}

TEST(CudaApi, NoGpuIsAClearError) {
  if (mish_cuda_built() && mish_cuda_device_count() > 0) GTEST_SKIP() << "a GPU is present";
  float* fake = reinterpret_cast<float*>(uintptr_t{0x1000});
  EXPECT_EQ(mish_cuda_act_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, fake, fake, 16, nullptr), MISH_ERR_CUDA);
  const std::string why = mish_last_error();
  EXPECT_FALSE(why.empty());
  if (mish_cuda_built()) {
    EXPECT_NE(why.find("CUDA: "), std::string::npos) << why;
  } else {
    EXPECT_NE(why.find("built without CUDA"), std::string::npos) << why;
  }
  EXPECT_NE(std::string(mish_strerror(MISH_ERR_CUDA)).find("CUDA"), std::string::npos);
}

#ifdef MISH_TEST_CUDA_RUNTIME

size_t esize(mish_dtype dt) { return dt == MISH_F64 ? 8 : dt == MISH_F32 ? 4 : 2; }

// ULP distance between two results of the same dtype (bits as ordered integers).
int64_t ordered(const unsigned char* p, mish_dtype dt) {
  if (dt == MISH_F64) {
    int64_t b;
    std::memcpy(&b, p, 8);
    return b < 0 ? INT64_MIN - b : b;
  }
  if (dt == MISH_F32) {
    int32_t b;
    std::memcpy(&b, p, 4);
    return b < 0 ? INT32_MIN - static_cast<int64_t>(b) : b;
  }
  int16_t b;
  std::memcpy(&b, p, 2);
  return b < 0 ? INT16_MIN - static_cast<int64_t>(b) : b;
}

bool is_nan(const unsigned char* p, mish_dtype dt) {
  if (dt == MISH_F64) {
    double v;
    std::memcpy(&v, p, 8);
    return std::isnan(v);
  }
  if (dt == MISH_F32) {
    float v;
    std::memcpy(&v, p, 4);
    return std::isnan(v);
  }
  uint16_t b;
  std::memcpy(&b, p, 2);
  return dt == MISH_BF16 ? (b & 0x7f80) == 0x7f80 && (b & 0x7f) : (b & 0x7c00) == 0x7c00 && (b & 0x3ff);
}

// Inputs: a dense grid over [-120, 120] and the values every kernel must get right.
std::vector<double> inputs() {
  std::vector<double> x;
  for (int i = -240000; i <= 240000; ++i) x.push_back(i / 2000.0);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (double v : {0.0, -0.0, inf, -inf, nan, 1e-30, -1e-30, 1e-310, -745.0, -103.0, 88.0, 710.0, -1.1924}) {
    x.push_back(v);
  }
  return x;
}

// The inputs as the dtype's bytes: the grid for float / double, every one of
// the 65,536 bit patterns for the 16-bit types.
std::vector<unsigned char> encode(const std::vector<double>& x, mish_dtype dt) {
  std::vector<unsigned char> out;
  if (dt == MISH_BF16 || dt == MISH_F16) {
    out.resize(65536 * 2);
    for (uint32_t b = 0; b < 65536; ++b) {
      const auto h = static_cast<uint16_t>(b);
      std::memcpy(&out[b * 2], &h, 2);
    }
    return out;
  }
  out.resize(x.size() * esize(dt));
  for (size_t i = 0; i < x.size(); ++i) {
    if (dt == MISH_F64) {
      std::memcpy(&out[i * 8], &x[i], 8);
    } else {
      const float f = static_cast<float>(x[i]);
      std::memcpy(&out[i * 4], &f, 4);
    }
  }
  return out;
}

TEST(CudaKernels, EveryActivationAndDtypeMatchesTheCpu) {
  if (mish_cuda_device_count() == 0) {
    GTEST_SKIP() << "no CUDA device here: the GPU checks run in scripts/gpu-check on a machine with one";
  }
  const std::vector<double> xs = inputs();
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    for (mish_dtype dt : {MISH_F32, MISH_F64, MISH_BF16, MISH_F16}) {
      const size_t es = esize(dt);
      const std::vector<unsigned char> x = encode(xs, dt);
      const size_t n = x.size() / es;
      std::vector<unsigned char> dy(x.size());
      for (size_t i = 0; i < n; ++i) std::memcpy(&dy[i * es], &x[((i * 7919) % n) * es], es);  // varied dy
      std::vector<unsigned char> cpu_y(x.size()), cpu_dx(x.size()), gpu_y(x.size()), gpu_dx(x.size());
      ASSERT_EQ(mish_act_forward(act, dt, nullptr, 0, x.data(), cpu_y.data(), n), MISH_OK);
      ASSERT_EQ(mish_act_backward(act, dt, nullptr, 0, x.data(), dy.data(), cpu_dx.data(), n, nullptr), MISH_OK);
      void *dx_ = nullptr, *dy_ = nullptr, *dout = nullptr;
      // at an offset of one element too: the scalar (unaligned) path
      ASSERT_EQ(cudaMalloc(&dx_, x.size() + 16), cudaSuccess);
      ASSERT_EQ(cudaMalloc(&dy_, x.size() + 16), cudaSuccess);
      ASSERT_EQ(cudaMalloc(&dout, x.size() + 16), cudaSuccess);
      for (size_t off : {size_t{0}, es}) {
        auto* gx = static_cast<unsigned char*>(dx_) + off;
        auto* gdy = static_cast<unsigned char*>(dy_) + off;
        auto* go = static_cast<unsigned char*>(dout) + off;
        ASSERT_EQ(cudaMemcpy(gx, x.data(), x.size(), cudaMemcpyHostToDevice), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(gdy, dy.data(), x.size(), cudaMemcpyHostToDevice), cudaSuccess);
        ASSERT_EQ(mish_cuda_act_forward(act, dt, nullptr, 0, gx, go, n, nullptr), MISH_OK) << mish_last_error();
        ASSERT_EQ(cudaMemcpy(gpu_y.data(), go, x.size(), cudaMemcpyDeviceToHost), cudaSuccess);
        ASSERT_EQ(mish_cuda_act_backward(act, dt, nullptr, 0, gx, gdy, go, n, nullptr, nullptr), MISH_OK);
        ASSERT_EQ(cudaMemcpy(gpu_dx.data(), go, x.size(), cudaMemcpyDeviceToHost), cudaSuccess);
        // both within their contract of the exact value: at most the sum of the budgets apart
        const int64_t fwd_tol = 2 * mish_act_ulp_budget(act, dt, 0) + 1;
        const int64_t bwd_tol = 2 * mish_act_ulp_budget(act, dt, 1) + 2;
        size_t bad_f = 0, bad_b = 0;
        for (size_t i = 0; i < n; ++i) {
          const unsigned char *cy = &cpu_y[i * es], *gy = &gpu_y[i * es];
          if (is_nan(cy, dt) != is_nan(gy, dt) ||
              (!is_nan(cy, dt) && std::llabs(ordered(cy, dt) - ordered(gy, dt)) > fwd_tol)) {
            ++bad_f;
          }
          const unsigned char *cd = &cpu_dx[i * es], *gd = &gpu_dx[i * es];
          if (is_nan(cd, dt) != is_nan(gd, dt) ||
              (!is_nan(cd, dt) && std::llabs(ordered(cd, dt) - ordered(gd, dt)) > bwd_tol)) {
            ++bad_b;  // (in ULPs of the result itself: stricter than the contract near roots of f')
          }
        }
        EXPECT_EQ(bad_f, 0u) << mish_act_name(act) << " " << mish_dtype_name(dt) << " offset " << off;
        EXPECT_LE(bad_b, n / 10000) << mish_act_name(act) << " " << mish_dtype_name(dt) << " offset " << off;
      }
      cudaFree(dx_);
      cudaFree(dy_);
      cudaFree(dout);
    }
  }
}

TEST(CudaKernels, ParameterGradientsMatchTheCpu) {
  if (mish_cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device here";
  const size_t n = 1 << 20;
  std::vector<float> x(n), dy(n), dx(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(static_cast<double>(i) / n * 20 - 10);
    dy[i] = static_cast<float>(std::sin(static_cast<double>(i)));
  }
  const double beta = 1.5;
  double cpu = 0, gpu = 0;
  ASSERT_EQ(mish_act_backward(MISH_ACT_SWISH, MISH_F32, &beta, 1, x.data(), dy.data(), dx.data(), n, &cpu), MISH_OK);
  void *gx, *gdy, *gdx, *gp;
  ASSERT_EQ(cudaMalloc(&gx, n * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&gdy, n * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&gdx, n * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&gp, sizeof(double)), cudaSuccess);
  cudaMemcpy(gx, x.data(), n * 4, cudaMemcpyHostToDevice);
  cudaMemcpy(gdy, dy.data(), n * 4, cudaMemcpyHostToDevice);
  ASSERT_EQ(mish_cuda_act_backward(MISH_ACT_SWISH, MISH_F32, &beta, 1, gx, gdy, gdx, n, static_cast<double*>(gp),
                                   nullptr),
            MISH_OK);
  cudaMemcpy(&gpu, gp, sizeof(double), cudaMemcpyDeviceToHost);
  EXPECT_NEAR(gpu, cpu, 1e-6 * std::fabs(cpu) + 1e-9);
  cudaFree(gx);
  cudaFree(gdy);
  cudaFree(gdx);
  cudaFree(gp);
}

#endif  // MISH_TEST_CUDA_RUNTIME

}  // namespace
