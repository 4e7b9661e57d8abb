// Special values and hazards, all activations, dtypes and targets: NaN in ->
// NaN out, limits at +-inf, signed zeros for Mish, finite wherever the true
// value is, the inputs that broke other libraries (x <= -87, subnormals, near
// ln(FLT_MAX)/2 and /4, the root of f'); and parameter gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "reference.hpp"
#include "sweep.hpp"
#include "targets.hpp"
#include "ulp.hpp"

namespace {

using mish::accuracy::Ld;
using Special = mish::test::PerTarget;

template <class T>
void check_hazards(mish_activation act, mish_dtype dt) {
  const auto p = mish::accuracy::default_params(act);
  std::vector<T> x;
  for (double h : mish::accuracy::hazard_points()) x.push_back(static_cast<T>(h));
  // near ln(FLT_MAX)/2 and /4, and the float exp range edges, densely
  for (double c : {44.36, 22.18, 88.72, -87.34, -103.97}) {
    for (int k = -20; k <= 20; ++k) x.push_back(static_cast<T>(c + k * 0.01));
  }
  const size_t n = x.size();
  if (n == 0) return;  // (also quiets a GCC 12 -Wfree-nonheap-object false positive)
  std::vector<T> y(n), g(n), ones(n, T(1));
  const size_t np = static_cast<size_t>(mish_act_num_params(act));
  ASSERT_EQ(mish_act_forward(act, dt, p.p, np, x.data(), y.data(), n), MISH_OK);
  ASSERT_EQ(mish_act_backward(act, dt, p.p, np, x.data(), ones.data(), g.data(), n, nullptr), MISH_OK);
  const int bf = mish_act_ulp_budget(act, dt, 0), bb = mish_act_ulp_budget(act, dt, 1);
  for (size_t i = 0; i < n; ++i) {
    const Ld f = mish::accuracy::ref_fwd(act, x[i], p);
    const Ld d = mish::accuracy::ref_bwd(act, x[i], p);
    EXPECT_LE(mish::accuracy::ulp_error<T>(y[i], f), bf) << "f(" << x[i] << ") = " << y[i] << ", want " << static_cast<double>(f);
    EXPECT_LE(mish::accuracy::ulp_error<T>(g[i], d, mish::accuracy::ref_bwd_scale(act, x[i], p)), bb)
        << "f'(" << x[i] << ") = " << g[i] << ", want " << static_cast<double>(d);
    if (std::isnan(x[i])) {
      EXPECT_TRUE(std::isnan(y[i]) && std::isnan(g[i])) << "NaN must propagate";
    }
    if (std::isfinite(static_cast<T>(f))) {
      EXPECT_TRUE(std::isfinite(y[i])) << "f(" << x[i] << ")";
    }
  }
}

TEST_P(Special, HazardsAndLimitsEveryActivation) {
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    SCOPED_TRACE(mish_act_name(act));
    check_hazards<float>(act, MISH_F32);
    check_hazards<double>(act, MISH_F64);
  }
}

// The list from the Mish contract, in every dtype.
template <class T, class Conv>
void mish_specials(mish_dtype dt, Conv to_t, float (*to_f)(T)) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> xs = {NAN, inf, -inf, 0.0f, -0.0f};
  std::vector<T> x, y(xs.size()), g(xs.size()), ones(xs.size(), to_t(1.0f));
  for (float v : xs) x.push_back(to_t(v));
  ASSERT_EQ(mish_act_forward(MISH_ACT_MISH, dt, nullptr, 0, x.data(), y.data(), x.size()), MISH_OK);
  ASSERT_EQ(mish_act_backward(MISH_ACT_MISH, dt, nullptr, 0, x.data(), ones.data(), g.data(), x.size(), nullptr),
            MISH_OK);
  EXPECT_TRUE(std::isnan(to_f(y[0])));
  EXPECT_TRUE(std::isnan(to_f(g[0])));
  EXPECT_EQ(to_f(y[1]), inf);
  EXPECT_EQ(to_f(g[1]), 1.0f);
  EXPECT_EQ(to_f(y[2]), 0.0f);
  EXPECT_TRUE(std::signbit(to_f(y[2]))) << "f(-inf) must be -0";
  EXPECT_EQ(to_f(g[2]), 0.0f);
  EXPECT_EQ(to_f(y[3]), 0.0f);
  EXPECT_FALSE(std::signbit(to_f(y[3])));
  EXPECT_EQ(to_f(y[4]), 0.0f);
  EXPECT_TRUE(std::signbit(to_f(y[4]))) << "f(-0) must be -0";
  EXPECT_NEAR(to_f(g[3]), 0.6f, 0.004f);  // f'(0) = 0.6 (bf16 rounds to 0.6016)
}

TEST_P(Special, MishSpecialValuesAllDtypes) {
  mish_specials<float>(MISH_F32, [](float v) { return v; }, [](float v) { return v; });
  mish_specials<double>(MISH_F64, [](float v) { return static_cast<double>(v); },
                        [](double v) { return static_cast<float>(v); });
  mish_specials<uint16_t>(MISH_BF16, mish::scalar::f32_to_bf16, mish::scalar::bf16_to_f32);
  mish_specials<uint16_t>(MISH_F16, mish::scalar::f32_to_f16, mish::scalar::f16_to_f32);
}

// Mish of x <= -87 in float: tiny but exact, not 0 or garbage (x e^x is a
// normal float down to about -93 and a subnormal down to -103.9).
TEST_P(Special, MishFarNegativeTailKeepsRelativeAccuracy) {
  std::vector<float> x, y;
  for (float v = -87.0f; v > -104.0f; v -= 0.0625f) x.push_back(v);
  y.resize(x.size());
  ASSERT_EQ(mish_forward_f32(x.data(), y.data(), x.size()), MISH_OK);
  for (size_t i = 0; i < x.size(); ++i) {
    const Ld want = mish::accuracy::ref_fwd(MISH_ACT_MISH, x[i], {});
    EXPECT_LT(y[i], 0.0f) << x[i];
    EXPECT_LE(mish::accuracy::ulp_error<float>(y[i], want), 3) << x[i];
  }
}

// Parameter gradients: per element (n = 1) against the reference, and summed
// over a batch against the reference sum, for every parameterised activation.
TEST_P(Special, ParameterGradients) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-8, 8);
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    const int np = mish_act_num_params(act);
    if (np == 0) continue;
    SCOPED_TRACE(mish_act_name(act));
    auto p = mish::accuracy::default_params(act);
    if (act != MISH_ACT_HARDTANH) p.p[0] = 1.3 * p.p[0] + 0.2;  // not only the defaults
    const size_t n = 5003;
    std::vector<float> x(n), dy(n), dx(n);
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(u(rng)), dy[i] = static_cast<float>(u(rng));
    double dp[MISH_MAX_PARAMS];
    ASSERT_EQ(mish_act_backward(act, MISH_F32, p.p, static_cast<size_t>(np), x.data(), dy.data(), dx.data(), n, dp),
              MISH_OK);
    for (int k = 0; k < np; ++k) {
      Ld want = 0, mag = 0;
      for (size_t i = 0; i < n; ++i) {
        Ld d[MISH_MAX_PARAMS] = {};
        mish::accuracy::ref_bwd(act, x[i], p, d);
        want += dy[i] * d[k];
        mag += std::fabs(dy[i] * mish::accuracy::ref_dparam_scale(act, x[i], p, k));
        mag += std::fabs(dy[i] * d[k]);
      }
      // per-term error <= (budget + 1) ULP, plus float accumulation over
      // blocks of 1024 (64 terms a lane at 16 lanes, 256 at 4): bound 260 u
      EXPECT_LE(std::fabs(dp[k] - static_cast<double>(want)), static_cast<double>(mag) * 270 * 0x1p-24)
          << "dparam " << k << " = " << dp[k] << ", want " << static_cast<double>(want);
      // per element
      for (size_t i = 0; i < 300; ++i) {
        float one_dx;
        const float one = 1.0f;
        double one_dp[MISH_MAX_PARAMS];
        ASSERT_EQ(mish_act_backward(act, MISH_F32, p.p, static_cast<size_t>(np), &x[i], &one, &one_dx, 1, one_dp),
                  MISH_OK);
        Ld d[MISH_MAX_PARAMS] = {};
        mish::accuracy::ref_bwd(act, x[i], p, d);
        const Ld scale = mish::accuracy::ref_dparam_scale(act, x[i], p, k);
        // a parameter gradient takes a few more roundings than f' (x^2 s (1 - s))
        EXPECT_LE(mish::accuracy::ulp_error<float>(static_cast<float>(one_dp[k]), d[k], scale),
                  mish_act_ulp_budget(act, MISH_F32, 1) + 4)
            << "df/dp" << k << " at x = " << x[i] << ": " << one_dp[k] << ", want " << static_cast<double>(d[k]);
      }
    }
  }
}

MISH_INSTANTIATE_PER_TARGET(Special);

}  // namespace
