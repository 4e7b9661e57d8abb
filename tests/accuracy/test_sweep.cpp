// The accuracy contract, on every SIMD target the CPU supports: each registry
// activation within its documented ULP budget (activations.def) in float
// (strided bit-pattern sweep) and double (sampled), and the 16-bit contract
// (>= 99.9% correctly rounded unless the registry says less, never more than
// 1 ULP off) over all inputs.
// `mish accuracy --exhaustive` runs the full 2^32 sweep.
#include <gtest/gtest.h>

#include "reference.hpp"
#include "sweep.hpp"
#include "targets.hpp"

namespace {

using Sweep = mish::test::PerTarget;

mish::accuracy::SweepOptions options(mish_activation act) {
  mish::accuracy::SweepOptions o;
  o.params = mish::accuracy::default_params(act);
  o.stride = act == MISH_ACT_MISH ? 1021 : 65521;  // Mish: 4.2M floats; others 65K
  o.f64_points = act == MISH_ACT_MISH ? 1u << 20 : 1u << 16;
  o.threads = 2;
  return o;
}

TEST_P(Sweep, EveryActivationWithinBudget) {
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    for (int d = 0; d < MISH_DTYPE_COUNT; ++d) {
      const auto dt = static_cast<mish_dtype>(d);
      SCOPED_TRACE(std::string(mish_act_name(act)) + "/" + mish_dtype_name(dt));
      const auto r = mish::accuracy::sweep(act, dt, options(act));
      if (dt == MISH_F32 || dt == MISH_F64) {
        EXPECT_LE(r.fwd.ulp, mish_act_ulp_budget(act, dt, 0)) << "forward worst at x = " << r.fwd.x;
        EXPECT_LE(r.bwd.ulp, mish_act_ulp_budget(act, dt, 1)) << "backward worst at x = " << r.bwd.x;
      } else {
        EXPECT_LE(r.fwd.ulp, 1) << "forward worst at x = " << r.fwd.x;
        EXPECT_LE(r.bwd.ulp, 1) << "backward worst at x = " << r.bwd.x;
        EXPECT_GE(r.fwd_exact, mish_act_h16_permille(act) / 1000.0);
        EXPECT_GE(r.bwd_exact, mish_act_h16_permille(act) / 1000.0);
      }
    }
  }
}

// Mish's own contract, word for word: f32 backward <= 5 ULP of f' outside
// |x + 1.1924| < 0.25 and absolute error <= 3e-7 inside; f64 <= 4 ULP outside
// and the same absolute bound scaled by 2^-29 (the ratio of the epsilons).
TEST_P(Sweep, MishBackwardAroundTheRootOfItsDerivative) {
  auto o = options(MISH_ACT_MISH);
  o.window_lo = -1.1924 - 0.25;
  o.window_hi = -1.1924 + 0.25;
  const auto r32 = mish::accuracy::sweep(MISH_ACT_MISH, MISH_F32, o);
  EXPECT_LE(r32.bwd_plain.ulp, 5) << "at x = " << r32.bwd_plain.x;
  EXPECT_LE(r32.bwd_window.ulp, 3e-7) << "at x = " << r32.bwd_window.x;
  EXPECT_LE(r32.fwd.ulp, 3) << "at x = " << r32.fwd.x;
  const auto r64 = mish::accuracy::sweep(MISH_ACT_MISH, MISH_F64, o);
  EXPECT_LE(r64.bwd_plain.ulp, 4) << "at x = " << r64.bwd_plain.x;
  EXPECT_LE(r64.bwd_window.ulp, 3e-7 / (1 << 29)) << "at x = " << r64.bwd_window.x;
  EXPECT_LE(r64.fwd.ulp, 4) << "at x = " << r64.fwd.x;
}

MISH_INSTANTIATE_PER_TARGET(Sweep);

}  // namespace
