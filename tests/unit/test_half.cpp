// bfloat16 / binary16 conversions: the scalar ones against independent
// references, and the SIMD ones (inside the kernels) against the scalar ones.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "mish/mish.h"
#include "scalar/half.hpp"
#include "targets.hpp"
#include "ulp.hpp"

namespace {

using mish::scalar::bf16_to_f32;
using mish::scalar::f16_to_f32;
using mish::scalar::f32_to_bf16;
using mish::scalar::f32_to_f16;

float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(Half, WideningIsExact) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const _Float16 ref = [&] {
      _Float16 v;
      const uint16_t b = static_cast<uint16_t>(h);
      std::memcpy(&v, &b, 2);
      return v;
    }();
    const float got = f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(static_cast<float>(ref))) {
      EXPECT_TRUE(std::isnan(got)) << h;
    } else {
      EXPECT_EQ(got, static_cast<float>(ref)) << h;
      EXPECT_EQ(std::signbit(got), std::signbit(static_cast<float>(ref))) << h;
    }
    EXPECT_EQ(bf16_to_f32(static_cast<uint16_t>(h)) == from_bits(h << 16) ||
                  std::isnan(bf16_to_f32(static_cast<uint16_t>(h))),
              true);
  }
}

// Every 11th float bit pattern (390M inputs, all rounding cases) against the compiler's _Float16
// conversion and against the nearest-value definition for bfloat16.
TEST(Half, NarrowingRoundsToNearestEven) {
  for (uint64_t i = 0; i < (1ull << 32); i += 11) {
    const uint32_t u = static_cast<uint32_t>(i);
    const float f = from_bits(u);
    const uint16_t h = f32_to_f16(f);
    const _Float16 r = static_cast<_Float16>(f);
    uint16_t rb;
    std::memcpy(&rb, &r, 2);
    const uint16_t b = f32_to_bf16(f);
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(f16_to_f32(h))) << u;
      ASSERT_TRUE(std::isnan(bf16_to_f32(b))) << u;
      continue;
    }
    ASSERT_EQ(h, rb) << "f16 of bits " << std::hex << u;
    if (std::isinf(f)) {
      ASSERT_EQ(b, static_cast<uint16_t>(u >> 16));
      continue;
    }
    // bfloat16: the truncation t or t + 1, whichever is nearer (ties: even)
    const uint16_t t = static_cast<uint16_t>(u >> 16);
    const double lo = bf16_to_f32(t);
    // past the largest finite value the next step is infinity, whose place
    // for rounding is 2^128 (where the next binade would start)
    const uint16_t next = static_cast<uint16_t>(t + 1);
    const double hi = (next & 0x7FFF) == 0x7F80 ? std::copysign(0x1p128, lo) : bf16_to_f32(next);
    const double dlo = std::fabs(static_cast<double>(f) - lo), dhi = std::fabs(hi - static_cast<double>(f));
    const uint16_t want = (dlo < dhi || (dlo == dhi && (t & 1) == 0)) ? t : static_cast<uint16_t>(t + 1);
    ASSERT_EQ(b, want) << "bf16 of bits " << std::hex << u;
  }
}

using SimdHalf = mish::test::PerTarget;

// A 16-bit kernel widens, computes in float like the f32 kernel, and narrows:
// so its result must be exactly the scalar narrowing of the f32 result.
TEST_P(SimdHalf, KernelsNarrowLikeTheScalarConversions) {
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    for (mish_dtype dt : {MISH_BF16, MISH_F16}) {
      const mish::accuracy::Half half{dt == MISH_BF16};
      std::vector<uint16_t> x(65536), y(65536), dx(65536), ones(65536, half.from_f32(1.f));
      std::vector<float> xf(65536), yf(65536), dxf(65536), onesf(65536, 1.f);
      for (uint32_t i = 0; i < 65536; ++i) {
        x[i] = static_cast<uint16_t>(i);
        xf[i] = half.to_f32(x[i]);
      }
      ASSERT_EQ(mish_act_forward(act, dt, nullptr, 0, x.data(), y.data(), 65536), MISH_OK);
      ASSERT_EQ(mish_act_forward(act, MISH_F32, nullptr, 0, xf.data(), yf.data(), 65536), MISH_OK);
      ASSERT_EQ(mish_act_backward(act, dt, nullptr, 0, x.data(), ones.data(), dx.data(), 65536, nullptr), MISH_OK);
      ASSERT_EQ(mish_act_backward(act, MISH_F32, nullptr, 0, xf.data(), onesf.data(), dxf.data(), 65536, nullptr),
                MISH_OK);
      int bad = 0;
      for (uint32_t i = 0; i < 65536 && bad < 5; ++i) {
        if (y[i] != half.from_f32(yf[i]) && !(std::isnan(yf[i]) && std::isnan(half.to_f32(y[i])))) {
          ++bad;
          ADD_FAILURE() << mish_act_name(act) << "/" << mish_dtype_name(dt) << " fwd x=" << xf[i];
        }
        if (dx[i] != half.from_f32(dxf[i]) && !(std::isnan(dxf[i]) && std::isnan(half.to_f32(dx[i])))) {
          ++bad;
          ADD_FAILURE() << mish_act_name(act) << "/" << mish_dtype_name(dt) << " bwd x=" << xf[i];
        }
      }
    }
  }
}

MISH_INSTANTIATE_PER_TARGET(SimdHalf);

}  // namespace
