// The C API's contract: argument checks, sizes, alignment, aliasing, and that
// every element's result is independent of where it sits in the array.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "mish/mish.h"
#include "targets.hpp"

namespace {

size_t esize(mish_dtype dt) { return dt == MISH_F64 ? 8 : dt == MISH_F32 ? 4 : 2; }

// n values in [-12, 12] (and a few specials) in dtype dt, as raw bytes.
std::vector<unsigned char> inputs(mish_dtype dt, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-12.f, 12.f);
  std::vector<unsigned char> out(n * esize(dt));
  for (size_t i = 0; i < n; ++i) {
    float f = u(rng);
    if (i % 97 == 5) f = NAN;
    if (i % 89 == 3) f = -INFINITY;
    unsigned char* p = out.data() + i * esize(dt);
    if (dt == MISH_F32) {
      std::memcpy(p, &f, 4);
    } else if (dt == MISH_F64) {
      const double v = f;
      std::memcpy(p, &v, 8);
    } else {
      uint32_t b;
      std::memcpy(&b, &f, 4);
      const uint16_t h = dt == MISH_BF16 ? static_cast<uint16_t>(b >> 16) : static_cast<uint16_t>(0x3C00 ^ (i & 0x83FF));
      std::memcpy(p, &h, 2);
    }
  }
  return out;
}

bool same_bits(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b, size_t es, size_t* at) {
  for (size_t i = 0; i * es < a.size(); ++i) {
    if (std::memcmp(a.data() + i * es, b.data() + i * es, es) != 0) {
      *at = i;
      return false;
    }
  }
  return true;
}

TEST(CApi, StableNamesRejectNullPointersWithNPositive) {
  float f = 1.f;
  double g = 1.0;
  uint16_t h = 0x3F80;
  EXPECT_EQ(mish_forward_f32(nullptr, &f, 1), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_forward_f32(&f, nullptr, 1), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_backward_f32(&f, nullptr, &f, 1), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_backward_f32(&f, &f, nullptr, 1), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_forward_f64(nullptr, &g, 3), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_backward_f64(&g, &g, nullptr, 3), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_forward_bf16(&h, nullptr, 2), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_backward_bf16(nullptr, &h, &h, 2), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_forward_f16(nullptr, &h, 2), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_backward_f16(&h, &h, nullptr, 2), MISH_ERR_NULL_POINTER);
  EXPECT_NE(std::string(mish_last_error()).find("NULL"), std::string::npos) << mish_last_error();
}

TEST(CApi, ZeroLengthIsFineEvenWithNullPointers) {
  EXPECT_EQ(mish_forward_f32(nullptr, nullptr, 0), MISH_OK);
  EXPECT_EQ(mish_backward_f64(nullptr, nullptr, nullptr, 0), MISH_OK);
  EXPECT_EQ(mish_forward_bf16(nullptr, nullptr, 0), MISH_OK);
  EXPECT_EQ(mish_backward_f16(nullptr, nullptr, nullptr, 0), MISH_OK);
  double dp[2] = {7, 7};
  EXPECT_EQ(mish_act_backward(MISH_ACT_SWISH, MISH_F32, nullptr, 0, nullptr, nullptr, nullptr, 0, dp), MISH_OK);
  EXPECT_EQ(dp[0], 0.0);  // an empty sum
}

TEST(CApi, BadIdsAndParamsAreReported) {
  float x = 1.f, y = 0.f;
  EXPECT_EQ(mish_act_forward(static_cast<mish_activation>(MISH_ACT_COUNT), MISH_F32, nullptr, 0, &x, &y, 1),
            MISH_ERR_BAD_ACTIVATION);
  EXPECT_EQ(mish_act_forward(static_cast<mish_activation>(MISH_ACT_COUNT + 7), MISH_F32, nullptr, 0, &x, &y, 1),
            MISH_ERR_BAD_ACTIVATION);
  EXPECT_EQ(mish_act_forward(MISH_ACT_MISH, static_cast<mish_dtype>(MISH_DTYPE_COUNT + 2), nullptr, 0, &x, &y, 1), MISH_ERR_BAD_DTYPE);
  const double zero = 0.0;
  EXPECT_EQ(mish_act_forward(MISH_ACT_CELU, MISH_F32, &zero, 1, &x, &y, 1), MISH_ERR_BAD_PARAM);
  EXPECT_NE(std::string(mish_last_error()).find("alpha"), std::string::npos) << mish_last_error();
  const double two[2] = {1, 2};
  EXPECT_EQ(mish_act_forward(MISH_ACT_SWISH, MISH_F32, two, 2, &x, &y, 1), MISH_ERR_BAD_PARAM);
  EXPECT_EQ(mish_act_forward(MISH_ACT_MISH, MISH_F32, two, 1, &x, &y, 1), MISH_ERR_BAD_PARAM);
  EXPECT_EQ(mish_act_forward(MISH_ACT_SWISH, MISH_F32, nullptr, 1, &x, &y, 1), MISH_ERR_NULL_POINTER);
  const double bad_range[2] = {1, -1};
  EXPECT_EQ(mish_act_forward(MISH_ACT_HARDTANH, MISH_F32, bad_range, 2, &x, &y, 1), MISH_ERR_BAD_PARAM);
  const double nan = NAN;
  EXPECT_EQ(mish_act_forward(MISH_ACT_SOFTPLUS, MISH_F32, &nan, 1, &x, &y, 1), MISH_ERR_BAD_PARAM);
  EXPECT_EQ(y, 0.f);  // nothing written on failure
}

TEST(CApi, PartialOverlapIsRefusedExactAliasIsAllowed) {
  std::vector<float> buf(64, 0.5f);
  EXPECT_EQ(mish_forward_f32(buf.data(), buf.data() + 1, 32), MISH_ERR_OVERLAP);
  EXPECT_EQ(mish_backward_f32(buf.data(), buf.data() + 40, buf.data() + 3, 32), MISH_ERR_OVERLAP);
  EXPECT_EQ(mish_forward_f32(buf.data(), buf.data() + 32, 32), MISH_OK);  // adjacent, no overlap
  EXPECT_EQ(mish_forward_f32(buf.data(), buf.data(), 32), MISH_OK);
}

TEST(CApi, EveryStatusHasAnExplanation) {
  EXPECT_STREQ(mish_strerror(MISH_OK), "success");
  for (int s = MISH_ERR_NULL_POINTER; s <= MISH_ERR_INTERNAL; ++s) {
    EXPECT_GT(std::strlen(mish_strerror(s)), 30u) << s;  // says what to do, too
  }
  EXPECT_STRNE(mish_strerror(1000), mish_strerror(MISH_OK));
}

TEST(CApi, RegistryIntrospection) {
  EXPECT_EQ(mish_act_count(), MISH_ACT_COUNT);
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    const char* name = mish_act_name(act);
    ASSERT_NE(name, nullptr);
    mish_activation back;
    ASSERT_EQ(mish_act_from_name(name, &back), MISH_OK);
    EXPECT_EQ(back, act);
    for (int k = 0; k < mish_act_num_params(act); ++k) EXPECT_NE(mish_act_param_name(act, k), nullptr);
    EXPECT_EQ(mish_act_param_name(act, mish_act_num_params(act)), nullptr);
    for (int d = 0; d < MISH_DTYPE_COUNT; ++d) EXPECT_GE(mish_act_ulp_budget(act, static_cast<mish_dtype>(d), 1), 0);
  }
  mish_activation out;
  EXPECT_EQ(mish_act_from_name("mihs", &out), MISH_ERR_UNKNOWN_NAME);
  EXPECT_EQ(mish_act_from_name(nullptr, &out), MISH_ERR_NULL_POINTER);
  EXPECT_EQ(mish_act_name(static_cast<mish_activation>(MISH_ACT_COUNT)), nullptr);
  EXPECT_EQ(mish_act_num_params(static_cast<mish_activation>(MISH_ACT_COUNT + 3)), -1);
  EXPECT_STREQ(mish_act_name(MISH_ACT_MISH), "mish");
  EXPECT_STREQ(mish_act_param_name(MISH_ACT_SOFTPLUS, 1), "threshold");
  EXPECT_EQ(mish_act_param_default(MISH_ACT_SOFTPLUS, 1), 20.0);
  EXPECT_STREQ(mish_dtype_name(MISH_BF16), "bf16");
  EXPECT_STRNE(mish_version(), "");
}

TEST(CApi, SimdTargetsCanBeListedAndChosen) {
  ASSERT_GE(mish_simd_target_count(), 1);
  EXPECT_EQ(mish_set_simd_target("no-such-target"), MISH_ERR_TARGET_UNAVAILABLE);
  EXPECT_NE(std::string(mish_last_error()).find("available"), std::string::npos);
  for (int i = 0; i < mish_simd_target_count(); ++i) {
    ASSERT_EQ(mish_set_simd_target(mish_simd_target_name(i)), MISH_OK);
    EXPECT_STREQ(mish_simd_target(), mish_simd_target_name(i));
  }
  EXPECT_EQ(mish_set_simd_target(nullptr), MISH_OK);
  EXPECT_STREQ(mish_simd_target(), mish_simd_target_name(0));
}

using Contract = mish::test::PerTarget;

// Sizes around the vector width, a prime, and odd offsets: each element must
// come out exactly as when computed alone (n = 1), whatever its position, in
// place or not. Backward must also give dx = dy * f' per element.
TEST_P(Contract, ResultsDoNotDependOnSizeAlignmentOrAliasing) {
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    for (int d = 0; d < MISH_DTYPE_COUNT; ++d) {
      const auto dt = static_cast<mish_dtype>(d);
      const size_t es = esize(dt);
      for (size_t n : {size_t(1), size_t(3), size_t(7), size_t(8), size_t(15), size_t(16), size_t(17), size_t(33),
                       size_t(1009)}) {
        for (size_t offset : {size_t(0), size_t(1)}) {
          SCOPED_TRACE(std::string(mish_act_name(act)) + "/" + mish_dtype_name(dt) + " n=" + std::to_string(n) +
                       " offset=" + std::to_string(offset));
          const auto xb = inputs(dt, n + offset, static_cast<uint32_t>(n * 31 + a));
          const auto dyb = inputs(dt, n + offset, static_cast<uint32_t>(n * 17 + a + 1));
          const unsigned char* x = xb.data() + offset * es;
          const unsigned char* dy = dyb.data() + offset * es;
          std::vector<unsigned char> y(n * es + 1), one(n * es), dx(n * es + 1), dx_one(n * es);
          ASSERT_EQ(mish_act_forward(act, dt, nullptr, 0, x, y.data() + 1, n), MISH_OK);
          ASSERT_EQ(mish_act_backward(act, dt, nullptr, 0, x, dy, dx.data() + 1, n, nullptr), MISH_OK);
          for (size_t i = 0; i < n; ++i) {
            ASSERT_EQ(mish_act_forward(act, dt, nullptr, 0, x + i * es, one.data() + i * es, 1), MISH_OK);
            ASSERT_EQ(mish_act_backward(act, dt, nullptr, 0, x + i * es, dy + i * es, dx_one.data() + i * es, 1,
                                        nullptr),
                      MISH_OK);
          }
          y.erase(y.begin());
          dx.erase(dx.begin());
          size_t at = 0;
          EXPECT_TRUE(same_bits(y, one, es, &at)) << "forward differs at " << at;
          EXPECT_TRUE(same_bits(dx, dx_one, es, &at)) << "backward differs at " << at;
          // in place: y == x, dx == x, dx == dy
          std::vector<unsigned char> inplace(x, x + n * es);
          ASSERT_EQ(mish_act_forward(act, dt, nullptr, 0, inplace.data(), inplace.data(), n), MISH_OK);
          EXPECT_TRUE(same_bits(inplace, one, es, &at)) << "in-place forward differs at " << at;
          std::vector<unsigned char> gx(x, x + n * es);
          ASSERT_EQ(mish_act_backward(act, dt, nullptr, 0, gx.data(), dy, gx.data(), n, nullptr), MISH_OK);
          EXPECT_TRUE(same_bits(gx, dx_one, es, &at)) << "backward with dx == x differs at " << at;
          std::vector<unsigned char> gdy(dy, dy + n * es);
          ASSERT_EQ(mish_act_backward(act, dt, nullptr, 0, x, gdy.data(), gdy.data(), n, nullptr), MISH_OK);
          EXPECT_TRUE(same_bits(gdy, dx_one, es, &at)) << "backward with dx == dy differs at " << at;
        }
      }
    }
  }
}

// dx = dy * f'(x): against the dy = 1 result times dy, for float (one rounding
// of the product in the kernel; f' itself is the same value).
TEST_P(Contract, BackwardScalesByUpstreamGradient) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-10.f, 10.f);
  const size_t n = 4099;
  std::vector<float> x(n), dy(n), ones(n, 1.f), g(n), dx(n);
  for (size_t i = 0; i < n; ++i) x[i] = u(rng), dy[i] = u(rng);
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    ASSERT_EQ(mish_act_backward(act, MISH_F32, nullptr, 0, x.data(), ones.data(), g.data(), n, nullptr), MISH_OK);
    ASSERT_EQ(mish_act_backward(act, MISH_F32, nullptr, 0, x.data(), dy.data(), dx.data(), n, nullptr), MISH_OK);
    for (size_t i = 0; i < n; ++i) {
      const double want = static_cast<double>(dy[i]) * g[i];
      EXPECT_NEAR(dx[i], want, std::fabs(want) * 2.4e-7 + 1e-38) << mish_act_name(act) << " x=" << x[i];
    }
  }
}

MISH_INSTANTIATE_PER_TARGET(Contract);

}  // namespace
