// Fused bias + activation on the CPU: the same results as adding the bias and
// calling the activation (in the compute type, one rounding for 16-bit data),
// dbias as the sum of dx per channel, both layouts, every dtype and target,
// the same sums for any thread count, and the argument checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "mish/mish.h"
#include "scalar/half.hpp"
#include "targets.hpp"

namespace {

using mish::test::PerTarget;

struct Layout {
  size_t outer, channels, inner;
};

// Values of a dtype, from doubles (16-bit: from the float, rounded to nearest even).
std::vector<unsigned char> make(const std::vector<double>& v, mish_dtype dt) {
  const size_t es = dt == MISH_F64 ? 8 : dt == MISH_F32 ? 4 : 2;
  std::vector<unsigned char> out(v.size() * es);
  for (size_t i = 0; i < v.size(); ++i) {
    if (dt == MISH_F64) {
      std::memcpy(&out[i * 8], &v[i], 8);
    } else if (dt == MISH_F32) {
      const float f = static_cast<float>(v[i]);
      std::memcpy(&out[i * 4], &f, 4);
    } else {
      const float f = static_cast<float>(v[i]);
      const uint16_t h = dt == MISH_BF16 ? mish::scalar::f32_to_bf16(f) : mish::scalar::f32_to_f16(f);
      std::memcpy(&out[i * 2], &h, 2);
    }
  }
  return out;
}

double get(const std::vector<unsigned char>& b, size_t i, mish_dtype dt) {
  if (dt == MISH_F64) {
    double d;
    std::memcpy(&d, &b[i * 8], 8);
    return d;
  }
  if (dt == MISH_F32) {
    float f;
    std::memcpy(&f, &b[i * 4], 4);
    return f;
  }
  uint16_t h;
  std::memcpy(&h, &b[i * 2], 2);
  return dt == MISH_BF16 ? mish::scalar::bf16_to_f32(h) : mish::scalar::f16_to_f32(h);
}

class Bias : public PerTarget {};

TEST_P(Bias, MatchesAddThenActivation) {
  for (const Layout l : {Layout{3, 5, 4097}, Layout{4099, 6, 1}, Layout{2, 1, 7}, Layout{1, 70000, 1}}) {
    const size_t n = l.outer * l.channels * l.inner;
    std::vector<double> xv(n), bv(l.channels), dyv(n);
    for (size_t i = 0; i < n; ++i) {
      xv[i] = std::sin(0.37 * static_cast<double>(i)) * 6;
      dyv[i] = std::cos(0.11 * static_cast<double>(i));
    }
    for (size_t c = 0; c < l.channels; ++c) bv[c] = 0.25 * static_cast<double>(c % 9) - 1;
    for (mish_dtype dt : {MISH_F32, MISH_F64, MISH_BF16, MISH_F16}) {
      for (mish_activation act : {MISH_ACT_MISH, MISH_ACT_SWISH, MISH_ACT_GELU, MISH_ACT_RELU}) {
        const auto x = make(xv, dt), b = make(bv, dt), dy = make(dyv, dt);
        // the reference: z = x + b in the compute type, then the activation in it
        const mish_dtype cdt = dt == MISH_F64 ? MISH_F64 : MISH_F32;
        std::vector<double> z(n), g(n);
        for (size_t i = 0; i < n; ++i) z[i] = get(x, i, dt) + get(b, (i / l.inner) % l.channels, dt);
        for (size_t i = 0; i < n; ++i) g[i] = get(dy, i, dt);
        if (cdt == MISH_F32) {
          for (auto& v : z) v = static_cast<float>(v);
        }
        auto zc = make(z, cdt), gc = make(g, cdt);
        std::vector<unsigned char> yc(zc.size()), dxc(zc.size());
        double dp_ref = 0;
        ASSERT_EQ(mish_act_forward(act, cdt, nullptr, 0, zc.data(), yc.data(), n), MISH_OK);
        ASSERT_EQ(mish_act_backward(act, cdt, nullptr, 0, zc.data(), gc.data(), dxc.data(), n, &dp_ref), MISH_OK);
        std::vector<unsigned char> y(x.size()), dx(x.size()), db(b.size());
        double dp = 0;
        ASSERT_EQ(mish_act_bias_forward(act, dt, nullptr, 0, x.data(), b.data(), y.data(), l.outer, l.channels,
                                        l.inner),
                  MISH_OK)
            << mish_last_error();
        ASSERT_EQ(mish_act_bias_backward(act, dt, nullptr, 0, x.data(), b.data(), dy.data(), dx.data(), db.data(),
                                         l.outer, l.channels, l.inner, &dp),
                  MISH_OK)
            << mish_last_error();
        const auto want_y = make([&] {
          std::vector<double> v(n);
          for (size_t i = 0; i < n; ++i) v[i] = get(yc, i, cdt);
          return v;
        }(), dt);
        std::vector<double> sums(l.channels, 0.0), want_dx_v(n);
        for (size_t i = 0; i < n; ++i) {
          want_dx_v[i] = get(dxc, i, cdt);
          sums[(i / l.inner) % l.channels] += want_dx_v[i];
        }
        const auto want_dx = make(want_dx_v, dt);
        ASSERT_EQ(y, want_y) << mish_act_name(act) << " " << mish_dtype_name(dt) << " " << l.inner;
        ASSERT_EQ(dx, want_dx) << mish_act_name(act) << " " << mish_dtype_name(dt) << " " << l.inner;
        for (size_t c = 0; c < l.channels; ++c) {
          const double tol = dt == MISH_F64 ? 1e-12 : dt == MISH_F32 ? 1e-6 : 8e-3;  // the dtype's rounding of the sum
          ASSERT_NEAR(get(db, c, dt), sums[c], tol * (std::fabs(sums[c]) + 1)) << mish_act_name(act) << " c " << c;
        }
        EXPECT_NEAR(dp, dp_ref, 1e-9 * (std::fabs(dp_ref) + 1));
      }
    }
  }
}

TEST_P(Bias, SameSumsForAnyThreadCount) {
  const size_t outer = 64, channels = 3, inner = 4096, n = outer * channels * inner;
  std::vector<float> x(n), dy(n), dx(n), b = {0.5f, -1.f, 2.f};
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(std::sin(0.001 * static_cast<double>(i)) * 4);
    dy[i] = static_cast<float>(std::cos(0.003 * static_cast<double>(i)));
  }
  const double beta = 1.3;
  float db1[3], db2[3];
  double dp1 = 0, dp2 = 0;
  const int before = mish_get_num_threads();
  mish_set_num_threads(1);
  ASSERT_EQ(mish_act_bias_backward(MISH_ACT_SWISH, MISH_F32, &beta, 1, x.data(), b.data(), dy.data(), dx.data(), db1,
                                   outer, channels, inner, &dp1),
            MISH_OK);
  mish_set_num_threads(2);
  ASSERT_EQ(mish_act_bias_backward(MISH_ACT_SWISH, MISH_F32, &beta, 1, x.data(), b.data(), dy.data(), dx.data(), db2,
                                   outer, channels, inner, &dp2),
            MISH_OK);
  mish_set_num_threads(before);
  EXPECT_EQ(std::memcmp(db1, db2, sizeof db1), 0);
  EXPECT_EQ(dp1, dp2);
  EXPECT_NE(dp1, 0.0);
}

TEST_P(Bias, InPlace) {
  std::vector<float> x = {-2.f, -1.f, 0.f, 1.f, 2.f, 3.f}, b = {1.f, -1.f}, y(6);
  ASSERT_EQ(mish_act_bias_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, x.data(), b.data(), y.data(), 3, 2, 1),
            MISH_OK);
  ASSERT_EQ(mish_act_bias_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, x.data(), b.data(), x.data(), 3, 2, 1),
            MISH_OK);
  EXPECT_EQ(x, y);
}

MISH_INSTANTIATE_PER_TARGET(Bias);

TEST(BiasApi, BadArgumentsAreErrors) {
  float x[4] = {}, b[2] = {}, y[4];
  EXPECT_EQ(mish_act_bias_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, x, nullptr, y, 2, 2, 1), MISH_ERR_NULL_POINTER);
  EXPECT_NE(std::string(mish_last_error()).find("bias"), std::string::npos);
  EXPECT_EQ(mish_act_bias_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, x, b, y, SIZE_MAX / 2, 4, 1),
            MISH_ERR_BAD_PARAM);
  EXPECT_EQ(mish_act_bias_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, x, b, x + 1, 1, 2, 2), MISH_ERR_OVERLAP);
  EXPECT_EQ(mish_act_bias_forward(MISH_ACT_MISH, MISH_F32, nullptr, 0, nullptr, nullptr, nullptr, 0, 2, 1), MISH_OK);
  EXPECT_EQ(mish_act_bias_forward(static_cast<mish_activation>(MISH_ACT_COUNT), MISH_F32, nullptr, 0, x, b, y, 2, 2, 1),
            MISH_ERR_BAD_ACTIVATION);
  float db[2] = {7, 7};
  EXPECT_EQ(mish_act_bias_backward(MISH_ACT_MISH, MISH_F32, nullptr, 0, x, b, x, y, db, 0, 2, 1, nullptr), MISH_OK);
  EXPECT_EQ(db[0], 0.f);  // nothing to sum: zero
  EXPECT_EQ(mish_act_bias_backward(MISH_ACT_MISH, MISH_F32, nullptr, 0, x, b, x, y, y + 1, 2, 2, 1, nullptr),
            MISH_ERR_OVERLAP);
}

}  // namespace
