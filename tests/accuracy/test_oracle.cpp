// The long-double reference formulas against the MPFR oracle (each
// activation's textbook definition at 256 bits). This is what makes the
// reference fit to measure double-precision ULPs: it must agree with MPFR to
// within 2^-56 relative (1/8 ULP of double), derivatives and parameter
// gradients included.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "oracle.hpp"
#include "reference.hpp"
#include "sweep.hpp"

namespace {

using mish::accuracy::Ld;
constexpr Ld kTol = 1.0L / (1ull << 56);

std::vector<Ld> points() {
  std::vector<Ld> v;
  for (double h : mish::accuracy::hazard_points()) {
    if (std::isfinite(h) && std::fabs(h) < 800) v.push_back(h);
  }
  for (int i = 0; i <= 300; ++i) {  // log-spaced magnitudes 1e-8 .. 120, both signs
    const Ld m = std::pow(10.0L, -8.0L + 10.08L * i / 300);
    v.push_back(m);
    v.push_back(-m);
  }
  for (int i = 0; i <= 200; ++i) v.push_back(-3.0L + 6.0L * i / 200 + 0.001L);  // dense around 0
  return v;
}

// Parameter sets: the defaults, plus one more for each parameterised activation.
std::vector<mish::scalar::Params> param_sets(mish_activation act) {
  std::vector<mish::scalar::Params> v{mish::accuracy::default_params(act)};
  if (mish_act_num_params(act) > 0) {
    auto p = v[0];
    p.p[0] = act == MISH_ACT_HARDTANH ? -0.5 : 1.5 * p.p[0] + 0.25;
    v.push_back(p);
  }
  return v;
}

// Values far below double's subnormal range only ever round to zero, so they
// need not agree (the reference flushes some of them early).
constexpr Ld kNegligible = 0x1p-1100L;

bool close(Ld got, Ld want, Ld scale, Ld floor = 0) {
  if (std::isnan(want)) return std::isnan(got);
  const Ld s = std::fmax(std::fabs(want), scale);
  return std::fabs(got - want) <= std::fmax(std::fmax(kTol * s, floor), kNegligible);
}

// The oracle's differences resolve a slope only to about 2^-176 |f| / |h|
// (at its 256-bit start, step 2^-80 of the variable); below that it may read 0.
Ld resolution(Ld f, Ld var) { return std::ldexp(std::fabs(f), -160) / std::fmax(std::fabs(var), 1e-30L); }

bool matches(Ld got, const mish::accuracy::Slope& s, Ld scale, Ld floor) {
  return close(got, s.left, scale, floor) || close(got, s.right, scale, floor);
}

class Oracle : public ::testing::TestWithParam<int> {};

TEST_P(Oracle, LongDoubleReferenceAgreesWithMpfr) {
  const auto act = static_cast<mish_activation>(GetParam());
  const int np = mish_act_num_params(act);
  for (const auto& p : param_sets(act)) {
    int failures = 0;
    for (const Ld x : points()) {
      if (failures > 4) break;
      const Ld f = mish::accuracy::ref_fwd(act, x, p);
      const Ld want_f = mish::accuracy::oracle_fwd(act, x, p);
      if (!close(f, want_f, 0)) {
        ++failures;
        ADD_FAILURE() << mish_act_name(act) << " f(" << static_cast<double>(x) << ") = " << static_cast<double>(f)
                      << ", MPFR " << static_cast<double>(want_f) << " (p0=" << p.p[0] << ")";
      }
      Ld dp[MISH_MAX_PARAMS] = {};
      const Ld g = mish::accuracy::ref_bwd(act, x, p, dp);
      const auto want_g = mish::accuracy::oracle_bwd(act, x, p);
      if (!matches(g, want_g, mish::accuracy::ref_bwd_scale(act, x, p), resolution(want_f, x))) {
        ++failures;
        ADD_FAILURE() << mish_act_name(act) << " f'(" << static_cast<double>(x) << ") = " << static_cast<double>(g)
                      << ", MPFR " << static_cast<double>(want_g.left) << " / " << static_cast<double>(want_g.right)
                      << " (p0=" << p.p[0] << ")";
      }
      for (int k = 0; k < np; ++k) {
        const auto want_k = mish::accuracy::oracle_dparam(act, x, p, k);
        if (!matches(dp[k], want_k, mish::accuracy::ref_dparam_scale(act, x, p, k), resolution(want_f, p.p[k]))) {
          ++failures;
          ADD_FAILURE() << mish_act_name(act) << " df/dp" << k << "(" << static_cast<double>(x)
                        << ") = " << static_cast<double>(dp[k]) << ", MPFR " << static_cast<double>(want_k.left)
                        << " / " << static_cast<double>(want_k.right) << " (p0=" << p.p[0] << ")";
        }
      }
    }
  }
}

// Limits at +-infinity: the reference at +-inf against the oracle far out
// (2^40: far enough for every limit here to show to 1e-20, near enough that the
// naive definitions do not overflow MPFR's exponent range).
TEST_P(Oracle, LimitsAtInfinity) {
  const auto act = static_cast<mish_activation>(GetParam());
  const auto p = mish::accuracy::default_params(act);
  for (int sign : {-1, 1}) {
    const Ld far = sign * std::ldexp(1.0L, 40);
    const Ld inf = sign > 0 ? std::numeric_limits<Ld>::infinity() : -std::numeric_limits<Ld>::infinity();
    const Ld f_inf = mish::accuracy::ref_fwd(act, inf, p);
    const Ld f_far = mish::accuracy::oracle_fwd(act, far, p);
    if (std::fabs(f_far) > std::ldexp(1.0L, 30)) {  // grows without bound
      EXPECT_EQ(f_inf, std::copysign(std::numeric_limits<Ld>::infinity(), f_far)) << mish_act_name(act) << " f(" << sign << "inf)";
    } else {
      EXPECT_NEAR(static_cast<double>(f_inf), static_cast<double>(f_far), 1e-9) << mish_act_name(act) << " f(" << sign << "inf)";
    }
    const Ld g_inf = mish::accuracy::ref_bwd(act, inf, p);
    const auto g_far = mish::accuracy::oracle_bwd(act, far, p);
    EXPECT_NEAR(static_cast<double>(g_inf), static_cast<double>(g_far.right), 1e-9)
        << mish_act_name(act) << " f'(" << sign << "inf)";
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, Oracle, ::testing::Range(0, static_cast<int>(MISH_ACT_COUNT)),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(mish_act_name(static_cast<mish_activation>(i.param)));
                         });

}  // namespace
