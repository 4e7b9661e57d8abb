// Hand-written vector kernels (Mish, the Swish family) and the loop drivers
// that run every registry activation, per Highway target.
//
// Activations without a VecOps specialisation run their scalar reference
// formula in a plain loop compiled for the target (the compiler vectorises
// what it can). Tails shorter than a vector go through the same vector code on
// a padded copy, so a result never depends on where in the array a value sits.
#if defined(MISH_SIMD_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISH_SIMD_KERNELS_INL_H_
#undef MISH_SIMD_KERNELS_INL_H_
#else
#define MISH_SIMD_KERNELS_INL_H_
#endif

#include <hwy/highway.h>

#include <cmath>
#include <cstring>

#include "kernel_table.hpp"
#include "scalar/all.hpp"
#include "simd/convert-inl.h"
#include "simd/vmath-inl.h"
#include "storage.hpp"


HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct VecOps {
  static constexpr bool kVector = false;
};

// The rounding error of a * b (a * b - RN(a * b)), exactly: one fma where the
// target has it, Dekker's product with Veltkamp splitting otherwise (SSE4 and
// older emulate MulAdd with two roundings).
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V ProductError(D d, V a, V b, V p) {
#if HWY_NATIVE_FMA
  (void)d;
  return hn::MulSub(a, b, p);
#else
  using T = hn::TFromD<D>;
  const V split = hn::Set(d, T(sizeof(T) == 4 ? 4097.0 : 134217729.0));  // 2^ceil(digits/2) + 1
  auto halves = [&](V v, V* hi) {
    const V c = hn::Mul(v, split);
    *hi = hn::Sub(c, hn::Sub(c, v));
    return hn::Sub(v, *hi);
  };
  V a_hi, b_hi;
  const V a_lo = halves(a, &a_hi), b_lo = halves(b, &b_hi);
  V err = hn::Sub(hn::Mul(a_hi, b_hi), p);
  err = hn::Add(err, hn::Mul(a_hi, b_lo));
  err = hn::Add(err, hn::Mul(a_lo, b_hi));
  return hn::Add(err, hn::Mul(a_lo, b_lo));
#endif
}

// Mish, vector form of scalar::Mish (same formula, see its comment):
//   t = e^xc 2^S (ExpScaled), e = t 2^-S,  vs = v 2^S = t (e + 2) = fma(t, e, 2t)
//   f = xc vs / (vs + 2^(S+1))   (= x v / (v + 2), scale cancelling in the ratio)
// Working on t instead of e keeps x e^x exact in the far negative tail with no
// branch (the division then rounds straight into the subnormal range). Above
// kIdentity the result is x (also for +inf and NaN, via the final select).
template <>
struct VecOps<scalar::Mish> {
  static constexpr bool kVector = true;

  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Fwd(D d, V x, const scalar::Params&) {
    using T = hn::TFromD<D>;
    const V two_up = hn::Add(ShiftUp(d), ShiftUp(d));
    const V xc = ClampExpLo(d, x);  // lanes above kIdentity are replaced by x
    const V t = ExpScaled(d, xc);
    const V vs = hn::MulAdd(t, hn::Mul(t, ShiftDown(d)), hn::Add(t, t));
    const V den = hn::Add(vs, two_up);
    const V num = hn::Mul(xc, vs);
    V y = hn::Div(num, den);
    if constexpr (sizeof(T) == 4) {
      // f32 divides out the rounding errors of num (exact, by ProductError)
      // and of den (exact: both subtractions are exact while den < 2^(S + 24),
      // i.e. x < 8.3; above, off by an ULP of den, which costs at most one ULP
      // where the other errors are tiny), to first order:
      //   y = (num + num_lo) / (den - den_err) ~ y0 + (num_lo + y0 den_err) / den
      // with 1/den from the approximate reciprocal (12+ bits are plenty for a
      // correction of 2^-23). Takes f32 from 3.4 to under 3 ULP (exhaustive).
      // (The division runs on its own unit; replacing it by rcp14 and a
      // residual costs more multiply-adds, the kernel's bottleneck.)
      const V den_err = hn::Sub(hn::Sub(den, two_up), vs);
      const V res = hn::MulAdd(y, den_err, ProductError(d, xc, vs, num));
      // (CopySign: -0 + +0 would turn f(-inf) = -0 into +0)
      y = hn::CopySign(hn::MulAdd(res, hn::ApproximateReciprocal(den), y), y);
    }
    return hn::IfThenElse(hn::Le(x, hn::Set(d, ExpConst<T>::kIdentity)), y, x);
  }

  // With e = e^x, D = e^2 + 2e + 2 and D^2 by Horner, 4 + e (8 + e (8 + e (4 + e))):
  //   x < 0:  f' = e B / D^2,  B = e (e (e + 4) + (6 + 4x)) + 4 (1 + x)
  //   x >= 0: f' = 1 + Q / D^2, Q = e ((4x - 2) e + 4 (x - 1)) - 4
  // f' has a root at x = -1.19: the B form cancels far less near it than
  // n/D + 4xe(1+e)/D^2 does (4 (1 + x) is exact there; B's terms are 1.15x |B|
  // at the edge of |x + 1.19| < 0.25, against 4.4x for the usual sum), and the
  // multiplier t (scaled by 2^S) keeps the tail exact. On x >= 0, 1 + Q/D^2
  // adds a small, well-conditioned correction to 1. One division for both.
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Bwd(D d, V x, const scalar::Params&, V*) {
    using T = hn::TFromD<D>;
    const V xc = ClampExpLo(d, x);
    const V t = ExpScaled(d, xc);
    const V e = hn::Mul(t, ShiftDown(d));
    const V four_x = hn::Mul(hn::Set(d, T(4)), xc);
    const auto neg = hn::Lt(xc, hn::Zero(d));
    // B (x < 0) or Q (x >= 0), as one Horner chain in e with selected coefficients
    const V c2 = hn::IfThenElse(neg, hn::Add(e, hn::Set(d, T(4))), hn::Sub(four_x, hn::Set(d, T(2))));
    const V c1 = hn::IfThenElse(neg, hn::Add(four_x, hn::Set(d, T(6))), hn::Sub(four_x, hn::Set(d, T(4))));
    const V c0 = hn::IfThenElse(neg, hn::Mul(hn::Set(d, T(4)), hn::Add(xc, hn::Set(d, T(1)))), hn::Set(d, T(-4)));
    const V poly = hn::MulAdd(e, hn::MulAdd(e, c2, c1), c0);
    V den2 = hn::Add(e, hn::Set(d, T(4)));
    den2 = hn::MulAdd(e, den2, hn::Set(d, T(8)));
    den2 = hn::MulAdd(e, den2, hn::Set(d, T(8)));
    den2 = hn::MulAdd(e, den2, hn::Set(d, T(4)));
    const V g0 = hn::Div(hn::IfThenElse(neg, hn::Mul(t, poly), poly), den2);
    const V g = hn::IfThenElse(neg, hn::Mul(g0, ShiftDown(d)), hn::Add(g0, hn::Set(d, T(1))));
    const V r = hn::IfThenElse(hn::Le(x, hn::Set(d, ExpConst<T>::kBwdOne)), g, hn::Set(d, T(1)));
    return hn::IfThenElse(hn::IsNaN(x), x, r);
  }
};

// Sigmoid pieces of z from one scaled exponential, e = e^{-|z|}, q = 1 + e, r = 1 / q:
//   s = r (z >= 0),  s 2^S = t r (z < 0),  s (1 - s) 2^S = t r^2.
template <class D, class V = hn::VFromD<D>>
struct SigmoidParts {
  V t, q, r;  // q = 1 + e, r = 1 / q
  hn::Mask<D> neg;  // z < 0
};

template <class D, class V = hn::VFromD<D>>
HWY_INLINE SigmoidParts<D> Sigmoid2S(D d, V z, V z_lo) {
  using T = hn::TFromD<D>;
  V t = ExpScaled(d, ClampExpLo(d, hn::Neg(hn::Abs(z))));  // -|z| <= 0 < kHi
  const auto neg = hn::Lt(z, hn::Zero(d));
  // z_lo: what z = beta x lost to rounding; e^{-|z + z_lo|} = t (1 -+ z_lo).
  // Without it the error of e^z grows like |z| ULP (80 ULP at z = -80).
  t = hn::MulAdd(t, hn::IfThenElse(neg, z_lo, hn::Neg(z_lo)), t);
  const V e = hn::Mul(t, ShiftDown(d));
  const V q = hn::Add(hn::Set(d, T(1)), e);
  return {t, q, hn::Div(hn::Set(d, T(1)), q), neg};
}

// beta x as z + z_lo exactly, with beta (a double) split into two lane values.
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V ScaledArg(D d, double beta, V x, V* z_lo) {
  using T = hn::TFromD<D>;
  const T b_hi = static_cast<T>(beta);
  const V vb = hn::Set(d, b_hi);
  const V z = hn::Mul(vb, x);
  const V lo = hn::MulAdd(hn::Set(d, static_cast<T>(beta - static_cast<double>(b_hi))), x, ProductError(d, vb, x, z));
  *z_lo = hn::IfThenZeroElse(hn::IsNaN(lo), lo);  // x = +-inf: inf - inf
  return z;
}

// x sigmoid(z): x r for z >= 0 (no scaling, so huge x cannot overflow), and
// (x t r) 2^-S for z < 0; below kLo a signed zero (x may be -inf there).
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V SwishFwd(D d, V x, V z, V z_lo) {
  using T = hn::TFromD<D>;
  const SigmoidParts<D> sp = Sigmoid2S(d, z, z_lo);
  const V neg = hn::Mul(hn::Mul(hn::Mul(x, sp.t), sp.r), ShiftDown(d));
  const V y = hn::IfThenElse(sp.neg, neg, hn::Mul(x, sp.r));
  return hn::IfThenElse(hn::Lt(z, hn::Set(d, ExpConst<T>::kLo)), hn::CopySign(hn::Zero(d), x), y);
}

// f' = s + z s (1 - s) and x^2 s (1 - s), for Swish(beta) with z = beta x.
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V SwishBwd(D d, V x, V z, V z_lo, V* dbeta) {
  using T = hn::TFromD<D>;
  const SigmoidParts<D> sp = Sigmoid2S(d, z, z_lo);
  // s (1 - s) = t / (1 + e)^2: one division by the square rounds less than
  // t r r (r's own two roundings would count twice)
  const V slope_up = hn::Div(sp.t, hn::Mul(sp.q, sp.q));
  const V s_up = hn::Mul(hn::IfThenElse(sp.neg, sp.t, ShiftUp(d)), sp.r);
  V g = hn::Mul(hn::MulAdd(z, slope_up, s_up), ShiftDown(d));
  const auto big = hn::Gt(z, hn::Set(d, ExpConst<T>::kHi));
  const auto small = hn::Lt(z, hn::Set(d, ExpConst<T>::kLo));
  g = hn::IfThenZeroElse(small, hn::IfThenElse(big, hn::Set(d, T(1)), g));
  if (dbeta) {
    // x^2 e^{-|z|} stays meaningful until |z| leaves the exponential's range
    const V db = hn::Mul(hn::Mul(x, hn::Mul(x, slope_up)), ShiftDown(d));
    const auto out = hn::Gt(hn::Abs(z), hn::Set(d, -ExpConst<T>::kLo));
    *dbeta = hn::IfThenZeroElse(out, db);
  }
  return g;
}

template <>
struct VecOps<scalar::Swish> {
  static constexpr bool kVector = true;
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Fwd(D d, V x, const scalar::Params& p) {
    using T = hn::TFromD<D>;
    V z_lo;
    const V z = ScaledArg(d, p.p[0], x, &z_lo);
    // z NaN with x not NaN: beta = 0 and x = +-inf, where f = x / 2
    return hn::IfThenElse(hn::IsNaN(z), hn::Mul(x, hn::Set(d, T(0.5))), SwishFwd(d, x, z, z_lo));
  }
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Bwd(D d, V x, const scalar::Params& p, V* dp) {
    V z_lo;
    const V z = ScaledArg(d, p.p[0], x, &z_lo);
    return SwishBwd(d, x, z, z_lo, dp);
  }
};

// E-Swish: beta x sigmoid(x);  f' = beta (s + x s (1 - s)),  df/dbeta = x s.
template <>
struct VecOps<scalar::ESwish> {
  static constexpr bool kVector = true;
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Fwd(D d, V x, const scalar::Params& p) {
    using T = hn::TFromD<D>;
    return hn::Mul(hn::Set(d, T(p.p[0])), SwishFwd(d, x, x, hn::Zero(d)));
  }
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Bwd(D d, V x, const scalar::Params& p, V* dp) {
    using T = hn::TFromD<D>;
    if (dp) *dp = SwishFwd(d, x, x, hn::Zero(d));
    return hn::Mul(hn::Set(d, T(p.p[0])), SwishBwd(d, x, x, hn::Zero(d), static_cast<V*>(nullptr)));
  }
};

// Kernels that compute float (and 16-bit) data in double lanes (the driver
// promotes and demotes). Default: none.
template <class F>
struct WideOps {
  static constexpr bool kVector = false;
};

// GELU (erf form) for float data, in double lanes:
//   a = |x| / sqrt2,  E = e^{-a^2},  Phi(x) = erfc(a)/2 (x <= 0) or 1 - erfc(a)/2,
//   erfc(a) = 1 - (2/sqrt pi) a E sum_k (2a^2)^k / (2k+1)!!   for a <= 2.5 (34 terms: 1e-14)
//   erfc(a) = E / (sqrt pi (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))))  above (continued
//             fraction, 20 levels by the forward recurrence: 1.3e-11 at a = 2.5)
//   f = x Phi,  f' = Phi + x E / sqrt(2 pi)   (E is also e^{-x^2/2})
// Double carries every rounding far below float's; each branch of a is only
// evaluated when some lane needs it. |x| > 16: Phi is 0 or 1 for float.
// Measured: 0.5 ULP (correctly rounded) in float, 3x the scalar path's speed.
template <>
struct WideOps<scalar::Gelu> {
  // 2 double lanes (SSE4 and older) do not beat the scalar libm path
  static constexpr bool kVector = HWY_TARGET <= HWY_AVX2;
  static constexpr int kSeries = 34, kFraction = 20;

  struct Coefficients {
    double c[kSeries + 1];
    constexpr Coefficients() : c() {
      c[0] = 1.0;
      for (int k = 1; k <= kSeries; ++k) c[k] = c[k - 1] / (2 * k + 1);
    }
  };

  template <class DD, class V = hn::VFromD<DD>>
  static HWY_INLINE void Parts(DD dd, V x, V* cdf, V* e_out) {
    static constexpr Coefficients kC;
    const V a = hn::Min(hn::Mul(hn::Abs(x), hn::Set(dd, 0.70710678118654752440)), hn::Set(dd, 11.0));
    const V a2 = hn::Mul(a, a);
    const V e = hn::Mul(ExpScaled(dd, hn::Neg(a2)), ShiftDown(dd));
    const auto large = hn::Gt(a, hn::Set(dd, 2.5));
    V erfc_small = hn::Zero(dd), erfc_large = hn::Zero(dd);
    if (!hn::AllTrue(dd, large)) {
      const V u = hn::Add(a2, a2);
      V sum = hn::Set(dd, kC.c[kSeries]);
      for (int k = kSeries - 1; k >= 0; --k) sum = hn::MulAdd(sum, u, hn::Set(dd, kC.c[k]));
      const V erf = hn::Mul(hn::Mul(hn::Mul(a, e), sum), hn::Set(dd, 1.1283791670955125739));
      erfc_small = hn::Sub(hn::Set(dd, 1.0), erf);
    }
    if (!hn::AllFalse(dd, large)) {
      V a_prev = hn::Set(dd, 1.0), a_cur = a, b_prev = hn::Zero(dd), b_cur = hn::Set(dd, 1.0);
      for (int n = 1; n <= kFraction; ++n) {
        const V k = hn::Set(dd, 0.5 * n);
        const V a_next = hn::MulAdd(a, a_cur, hn::Mul(k, a_prev));
        const V b_next = hn::MulAdd(a, b_cur, hn::Mul(k, b_prev));
        a_prev = a_cur, a_cur = a_next, b_prev = b_cur, b_cur = b_next;
      }
      erfc_large = hn::Div(hn::Mul(e, b_cur), hn::Mul(hn::Set(dd, 1.7724538509055160273), a_cur));
    }
    const V half = hn::Mul(hn::Set(dd, 0.5), hn::IfThenElse(large, erfc_large, erfc_small));
    *cdf = hn::IfThenElse(hn::Gt(x, hn::Zero(dd)), hn::Sub(hn::Set(dd, 1.0), half), half);
    *e_out = e;
  }

  template <class DD, class V = hn::VFromD<DD>>
  static HWY_INLINE V Fwd(DD dd, V x) {
    V cdf, e;
    Parts(dd, x, &cdf, &e);
    const V y = hn::Mul(x, cdf);
    const V tail = hn::IfThenElse(hn::Gt(x, hn::Zero(dd)), x, hn::CopySign(hn::Zero(dd), x));
    const V r = hn::IfThenElse(hn::Gt(hn::Abs(x), hn::Set(dd, 16.0)), tail, y);
    return hn::IfThenElse(hn::IsNaN(x), x, r);
  }

  template <class DD, class V = hn::VFromD<DD>>
  static HWY_INLINE V Bwd(DD dd, V x) {
    V cdf, e;
    Parts(dd, x, &cdf, &e);
    const V g = hn::MulAdd(hn::Mul(x, e), hn::Set(dd, 0.39894228040143267794), cdf);
    const V tail = hn::IfThenElse(hn::Gt(x, hn::Zero(dd)), hn::Set(dd, 1.0), hn::Zero(dd));
    const V r = hn::IfThenElse(hn::Gt(hn::Abs(x), hn::Set(dd, 16.0)), tail, g);
    return hn::IfThenElse(hn::IsNaN(x), x, r);
  }
};

// Mish for float data on targets without FMA (SSE4 and older, scalar): there
// every multiply-add rounds twice, which took the float backward to 5.5 ULP
// (x = -0.163, exhaustive). The same vector code in double lanes rounds once
// at the end instead: both directions come out correctly rounded or nearly.
template <>
struct WideOps<scalar::Mish> {
  static constexpr bool kVector = !HWY_NATIVE_FMA;

  template <class DD, class V = hn::VFromD<DD>>
  static HWY_INLINE V Fwd(DD dd, V x) {
    return VecOps<scalar::Mish>::Fwd(dd, x, scalar::Params{});
  }
  template <class DD, class V = hn::VFromD<DD>>
  static HWY_INLINE V Bwd(DD dd, V x) {
    return VecOps<scalar::Mish>::Bwd(dd, x, scalar::Params{}, static_cast<V*>(nullptr));
  }
};

// ---------------------------------------------------------------------------
// Loop drivers.

template <class S>
using ElemT = typename Storage<S>::Elem;
template <class S>
using CompT = typename Storage<S>::T;

// The scalar formulas run in scalar::Work<F, T> (double for float data).
template <class F, class T>
using Wide = scalar::Work<F, T>;

// Element access that allows any alignment (the API accepts buffers at any
// byte offset; a plain E* access there would be undefined behaviour).
template <class E>
HWY_INLINE E Get(const E* p, size_t i) {
  E v;
  std::memcpy(&v, p + i, sizeof(E));
  return v;
}
template <class E>
HWY_INLINE void Put(E* p, size_t i, E v) {
  std::memcpy(p + i, &v, sizeof(E));
}

constexpr size_t kPad = 64;  // elements in a tail buffer: more than any vector's lanes

// Runs step(x, dy, out) on every full vector of N elements, then once on a
// zero-padded copy of the tail, so that the tail goes through the same code
// (a result never depends on where in the array a value sits). dy may be null.
template <class E, class Step>
HWY_INLINE void ForEachVector(const E* x, const E* dy, E* out, size_t n, size_t N, Step step) {
  size_t i = 0;
  for (; i + N <= n; i += N) step(x + i, dy ? dy + i : nullptr, out + i);
  if (i < n) {
    E bx[kPad] = {}, bdy[kPad] = {};
    std::memcpy(bx, x + i, (n - i) * sizeof(E));
    if (dy) std::memcpy(bdy, dy + i, (n - i) * sizeof(E));
    step(bx, dy ? bdy : nullptr, bx);
    std::memcpy(out + i, bx, (n - i) * sizeof(E));
  }
}

// Double lanes to float (round to nearest even), keeping infinities: Highway's
// scalar target saturates +-inf to +-FLT_MAX in DemoteTo. (Finite results of
// the wide kernels never exceed the float range: |f(x)| <= |x|, |f'| < 2.)
template <class DF, class VD>
HWY_INLINE hn::VFromD<DF> DemoteF64(DF df, VD v) {
#if HWY_TARGET == HWY_SCALAR
  const double raw = hn::GetLane(v);
  if (std::isinf(raw)) return hn::Set(df, static_cast<float>(raw));
#endif
  return hn::DemoteTo(df, v);
}

template <class F, class S>
void FwdKernel(const void* xv, void* yv, size_t n, const scalar::Params& p) {
  using E = ElemT<S>;
  using T = CompT<S>;
  const E* x = static_cast<const E*>(xv);
  E* y = static_cast<E*>(yv);
  if constexpr (!std::is_same<S, double>::value && WideOps<F>::kVector) {
    const hn::ScalableTag<double> dd;
    const hn::Rebind<float, decltype(dd)> df;  // half-width floats, one per double lane
    ForEachVector(x, static_cast<const E*>(nullptr), y, n, hn::Lanes(dd), [&](const E* in, const E*, E* out) {
      StoreS<S>(df, DemoteF64(df, WideOps<F>::Fwd(dd, hn::PromoteTo(dd, LoadS<S>(df, in)))), out);
    });
  } else if constexpr (VecOps<F>::kVector) {
    const hn::ScalableTag<T> d;
    ForEachVector(x, static_cast<const E*>(nullptr), y, n, hn::Lanes(d), [&](const E* in, const E*, E* out) {
      StoreS<S>(d, VecOps<F>::Fwd(d, LoadS<S>(d, in), p), out);
    });
  } else {
    using W = Wide<F, T>;
    for (size_t i = 0; i < n; ++i) {
      Put(y, i, Storage<S>::store(static_cast<T>(F::template fwd<W>(Storage<S>::load(Get(x, i)), p))));
    }
  }
}

// Parameter gradients are summed in float vectors over blocks of kBlock
// elements, then in double (so the rounding error grows with the block, not n).
constexpr size_t kBlock = 1024;

template <class F, class S>
void BwdKernel(const void* xv, const void* dyv, void* dxv, size_t n, const scalar::Params& p,
               double* dparams) {
  using E = ElemT<S>;
  using T = CompT<S>;
  const E* x = static_cast<const E*>(xv);
  const E* dy = static_cast<const E*>(dyv);
  E* dx = static_cast<E*>(dxv);
  if constexpr (!std::is_same<S, double>::value && WideOps<F>::kVector) {
    (void)dparams;  // no parameters
    const hn::ScalableTag<double> dd;
    const hn::Rebind<float, decltype(dd)> df;
    ForEachVector(x, dy, dx, n, hn::Lanes(dd), [&](const E* in, const E* gin, E* out) {
      // f' rounded to float first, as the float path does, so that 16-bit
      // results are the float results narrowed
      const auto g = DemoteF64(df, WideOps<F>::Bwd(dd, hn::PromoteTo(dd, LoadS<S>(df, in))));
      StoreS<S>(df, hn::Mul(LoadS<S>(df, gin), g), out);
    });
  } else if constexpr (VecOps<F>::kVector) {
    const hn::ScalableTag<T> d;
    using V = hn::VFromD<decltype(d)>;
    const size_t N = hn::Lanes(d);
    V acc = hn::Zero(d);
    size_t in_block = 0;
    auto flush = [&] {
      dparams[0] += static_cast<double>(hn::GetLane(hn::SumOfLanes(d, acc)));
      acc = hn::Zero(d);
      in_block = 0;
    };
    if (!dparams) {
      ForEachVector(x, dy, dx, n, N, [&](const E* in, const E* gin, E* out) {
        const V g = VecOps<F>::Bwd(d, LoadS<S>(d, in), p, static_cast<V*>(nullptr));
        StoreS<S>(d, hn::Mul(LoadS<S>(d, gin), g), out);
      });
      return;
    }
    ForEachVector(x, dy, dx, n, N, [&](const E* in, const E* gin, E* out) {
      const V dyv_ = LoadS<S>(d, gin);
      V dpv = hn::Zero(d);  // padded tail lanes have dy = 0: they add nothing
      StoreS<S>(d, hn::Mul(dyv_, VecOps<F>::Bwd(d, LoadS<S>(d, in), p, &dpv)), out);
      acc = hn::MulAdd(dyv_, dpv, acc);
      if ((in_block += N) >= kBlock) flush();
    });
    flush();
  } else {
    using W = Wide<F, T>;
    for (size_t i = 0; i < n; ++i) {
      const W xi = Storage<S>::load(Get(x, i));
      const W dyi = Storage<S>::load(Get(dy, i));
      W dp[MISH_MAX_PARAMS] = {};
      const W g = F::template bwd<W>(xi, p, dparams ? dp : nullptr);
      Put(dx, i, Storage<S>::store(static_cast<T>(dyi * g)));
      if (dparams) {
        for (int k = 0; k < MISH_MAX_PARAMS; ++k) dparams[k] += static_cast<double>(dyi) * dp[k];
      }
    }
  }
}

// Vector kernels report one parameter gradient at most (dparams[0]); the
// activations with two parameters run the scalar formula.
template <class F>
void FillRow(detail::KernelTable& t, int act) {
  t.fwd[act][MISH_F32] = &FwdKernel<F, float>;
  t.fwd[act][MISH_F64] = &FwdKernel<F, double>;
  t.fwd[act][MISH_BF16] = &FwdKernel<F, Bf16>;
  t.fwd[act][MISH_F16] = &FwdKernel<F, F16>;
  t.bwd[act][MISH_F32] = &BwdKernel<F, float>;
  t.bwd[act][MISH_F64] = &BwdKernel<F, double>;
  t.bwd[act][MISH_BF16] = &BwdKernel<F, Bf16>;
  t.bwd[act][MISH_F16] = &BwdKernel<F, F16>;
}

inline const detail::KernelTable* GetKernelTable() {
  static const detail::KernelTable table = [] {
    detail::KernelTable t{};
#define MISH_ACTIVATION(ID, NAME, FUNCTOR, ...) FillRow<scalar::FUNCTOR>(t, MISH_ACT_##ID);
#include "mish/activations.def"
#undef MISH_ACTIVATION
    return t;
  }();
  return &table;
}

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SIMD_KERNELS_INL_H_
