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
    V y = hn::Div(hn::Mul(xc, vs), den);
    if constexpr (sizeof(T) == 4) {
      // den's rounding error lo, exactly (both subtractions are exact while
      // den < 2^(S + 24), i.e. x < 8.3; above, lo is off by an ULP of den, which
      // costs at most one ULP where the other errors are tiny), divided out to
      // first order: y (1 + lo / den), with 1/den from the approximate
      // reciprocal (12+ bits suffice for a correction of 2^-24). Takes f32
      // from 3.15 to 2.5 ULP for 5 ops.
      const V lo = hn::Sub(hn::Sub(den, two_up), vs);
      y = hn::MulAdd(lo, hn::Mul(y, hn::ApproximateReciprocal(den)), y);
    }
    return hn::IfThenElse(hn::Le(x, hn::Set(d, ExpConst<T>::kIdentity)), y, x);
  }

  // f' = v / D + 4 x e (1 + e) / D^2 = (v D + 4 x e (1 + e)) / D^2, D = v + 2,
  // with D^2 = fma(v, v + 4, 4) so that D's rounding enters once. One division.
  // For x < 0 the terms are scaled by 2^S (the tail needs it); for x >= 0 they
  // are not, so v D ~ e^{4x} stays finite up to kBwdOne, above which f' = 1.
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Bwd(D d, V x, const scalar::Params&, V*) {
    using T = hn::TFromD<D>;
    const V xc = ClampExpLo(d, x);
    const V t = ExpScaled(d, xc);
    const V e = hn::Mul(t, ShiftDown(d));
    const V vs = hn::MulAdd(t, e, hn::Add(t, t));  // t (e + 2) = v 2^S
    const V v = hn::Mul(vs, ShiftDown(d));
    const V den = hn::Add(v, hn::Set(d, T(2)));
    const V den2 = hn::MulAdd(v, hn::Add(v, hn::Set(d, T(4))), hn::Set(d, T(4)));
    const V b = hn::Mul(hn::Mul(hn::Set(d, T(4)), xc), hn::MulAdd(t, e, t));  // 4 x e (1 + e) 2^S
    const auto neg = hn::Lt(xc, hn::Zero(d));
    const V num = hn::MulAdd(hn::IfThenElse(neg, vs, v), den, hn::IfThenElse(neg, b, hn::Mul(b, ShiftDown(d))));
    const V g = hn::Mul(hn::Div(num, den2), hn::IfThenElse(neg, ShiftDown(d), hn::Set(d, T(1))));
    const V r = hn::IfThenElse(hn::Le(x, hn::Set(d, ExpConst<T>::kBwdOne)), g, hn::Set(d, T(1)));
    return hn::IfThenElse(hn::IsNaN(x), x, r);
  }
};

// Sigmoid pieces of z from one scaled exponential, e = e^{-|z|}, r = 1 / (1 + e):
//   s = r (z >= 0),  s 2^S = t r (z < 0),  s (1 - s) 2^S = t r^2.
template <class D, class V = hn::VFromD<D>>
struct SigmoidParts {
  V t, r;
  hn::Mask<D> neg;  // z < 0
};

template <class D, class V = hn::VFromD<D>>
HWY_INLINE SigmoidParts<D> Sigmoid2S(D d, V z) {
  using T = hn::TFromD<D>;
  const V t = ExpScaled(d, ClampExpArg(d, hn::Neg(hn::Abs(z))));
  const V e = hn::Mul(t, ShiftDown(d));
  const V r = hn::Div(hn::Set(d, T(1)), hn::Add(hn::Set(d, T(1)), e));
  return {t, r, hn::Lt(z, hn::Zero(d))};
}

// x sigmoid(z): x r for z >= 0 (no scaling, so huge x cannot overflow), and
// (x t r) 2^-S for z < 0; below kLo a signed zero (x may be -inf there).
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V SwishFwd(D d, V x, V z) {
  using T = hn::TFromD<D>;
  const SigmoidParts<D> sp = Sigmoid2S(d, z);
  const V neg = hn::Mul(hn::Mul(hn::Mul(x, sp.t), sp.r), ShiftDown(d));
  const V y = hn::IfThenElse(sp.neg, neg, hn::Mul(x, sp.r));
  return hn::IfThenElse(hn::Lt(z, hn::Set(d, ExpConst<T>::kLo)), hn::CopySign(hn::Zero(d), x), y);
}

// f' = s + z s (1 - s) and x^2 s (1 - s), for Swish(beta) with z = beta x.
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V SwishBwd(D d, V x, V z, V* dbeta) {
  using T = hn::TFromD<D>;
  const SigmoidParts<D> sp = Sigmoid2S(d, z);
  const V slope_up = hn::Mul(hn::Mul(sp.t, sp.r), sp.r);
  const V s_up = hn::Mul(hn::IfThenElse(sp.neg, sp.t, ShiftUp(d)), sp.r);
  V g = hn::Mul(hn::MulAdd(z, slope_up, s_up), ShiftDown(d));
  const auto big = hn::Gt(z, hn::Set(d, ExpConst<T>::kHi));
  const auto small = hn::Lt(z, hn::Set(d, ExpConst<T>::kLo));
  g = hn::IfThenZeroElse(small, hn::IfThenElse(big, hn::Set(d, T(1)), g));
  if (dbeta) {
    const V db = hn::Mul(hn::Mul(x, hn::Mul(x, slope_up)), ShiftDown(d));
    *dbeta = hn::IfThenZeroElse(hn::Or(big, small), db);
  }
  return g;
}

template <>
struct VecOps<scalar::Swish> {
  static constexpr bool kVector = true;
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Fwd(D d, V x, const scalar::Params& p) {
    using T = hn::TFromD<D>;
    const V z = hn::Mul(hn::Set(d, T(p.p[0])), x);
    // z NaN with x not NaN: beta = 0 and x = +-inf, where f = x / 2
    return hn::IfThenElse(hn::IsNaN(z), hn::Mul(x, hn::Set(d, T(0.5))), SwishFwd(d, x, z));
  }
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Bwd(D d, V x, const scalar::Params& p, V* dp) {
    using T = hn::TFromD<D>;
    const V z = hn::Mul(hn::Set(d, T(p.p[0])), x);
    return SwishBwd(d, x, z, dp);
  }
};

// E-Swish: beta x sigmoid(x);  f' = beta (s + x s (1 - s)),  df/dbeta = x s.
template <>
struct VecOps<scalar::ESwish> {
  static constexpr bool kVector = true;
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Fwd(D d, V x, const scalar::Params& p) {
    using T = hn::TFromD<D>;
    return hn::Mul(hn::Set(d, T(p.p[0])), SwishFwd(d, x, x));
  }
  template <class D, class V = hn::VFromD<D>>
  static HWY_INLINE V Bwd(D d, V x, const scalar::Params& p, V* dp) {
    using T = hn::TFromD<D>;
    if (dp) *dp = SwishFwd(d, x, x);
    return hn::Mul(hn::Set(d, T(p.p[0])), SwishBwd(d, x, x, static_cast<V*>(nullptr)));
  }
};

// ---------------------------------------------------------------------------
// Loop drivers.

template <class S>
using ElemT = typename Storage<S>::Elem;
template <class S>
using CompT = typename Storage<S>::T;

// The scalar formulas run in double for float data: one rounding at the end
// instead of several (they are the slow path anyway).
template <class T>
using Wide = typename std::conditional<std::is_same<T, float>::value, double, T>::type;

constexpr size_t kPad = 64;  // elements in a tail buffer: more than any vector's lanes

template <class F, class S>
void FwdKernel(const void* xv, void* yv, size_t n, const scalar::Params& p) {
  using E = ElemT<S>;
  using T = CompT<S>;
  const E* x = static_cast<const E*>(xv);
  E* y = static_cast<E*>(yv);
  if constexpr (VecOps<F>::kVector) {
    const hn::ScalableTag<T> d;
    const size_t N = hn::Lanes(d);
    size_t i = 0;
    for (; i + N <= n; i += N) StoreS<S>(d, VecOps<F>::Fwd(d, LoadS<S>(d, x + i), p), y + i);
    if (i < n) {
      E buf[kPad] = {};
      std::memcpy(buf, x + i, (n - i) * sizeof(E));
      StoreS<S>(d, VecOps<F>::Fwd(d, LoadS<S>(d, buf), p), buf);
      std::memcpy(y + i, buf, (n - i) * sizeof(E));
    }
  } else {
    using W = Wide<T>;
    for (size_t i = 0; i < n; ++i) {
      y[i] = Storage<S>::store(static_cast<T>(F::template fwd<W>(Storage<S>::load(x[i]), p)));
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
  if constexpr (VecOps<F>::kVector) {
    const hn::ScalableTag<T> d;
    using V = hn::VFromD<decltype(d)>;
    const size_t N = hn::Lanes(d);
    size_t i = 0;
    if (!dparams) {
      for (; i + N <= n; i += N) {
        const V g = VecOps<F>::Bwd(d, LoadS<S>(d, x + i), p, static_cast<V*>(nullptr));
        StoreS<S>(d, hn::Mul(LoadS<S>(d, dy + i), g), dx + i);
      }
    } else {
      V acc = hn::Zero(d);
      size_t in_block = 0;
      for (; i + N <= n; i += N) {
        V dpv = hn::Zero(d);
        const V dyv_ = LoadS<S>(d, dy + i);
        const V g = VecOps<F>::Bwd(d, LoadS<S>(d, x + i), p, &dpv);
        StoreS<S>(d, hn::Mul(dyv_, g), dx + i);
        acc = hn::MulAdd(dyv_, dpv, acc);
        if ((in_block += N) >= kBlock) {
          dparams[0] += static_cast<double>(hn::GetLane(hn::SumOfLanes(d, acc)));
          acc = hn::Zero(d);
          in_block = 0;
        }
      }
      dparams[0] += static_cast<double>(hn::GetLane(hn::SumOfLanes(d, acc)));
    }
    if (i < n) {
      E bx[kPad] = {}, bdy[kPad] = {};
      std::memcpy(bx, x + i, (n - i) * sizeof(E));
      std::memcpy(bdy, dy + i, (n - i) * sizeof(E));
      V dpv = hn::Zero(d);
      const V dyv_ = LoadS<S>(d, bdy);
      const V g = VecOps<F>::Bwd(d, LoadS<S>(d, bx), p, dparams ? &dpv : nullptr);
      StoreS<S>(d, hn::Mul(dyv_, g), bx);
      std::memcpy(dx + i, bx, (n - i) * sizeof(E));
      if (dparams) dparams[0] += static_cast<double>(hn::GetLane(hn::SumOfLanes(d, hn::Mul(dyv_, dpv))));
    }
  } else {
    using W = Wide<T>;
    for (size_t i = 0; i < n; ++i) {
      const W xi = Storage<S>::load(x[i]);
      const W dyi = Storage<S>::load(dy[i]);
      W dp[MISH_MAX_PARAMS] = {};
      const W g = F::template bwd<W>(xi, p, dparams ? dp : nullptr);
      dx[i] = Storage<S>::store(static_cast<T>(dyi * g));
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
    t.lanes_f32 = hn::Lanes(hn::ScalableTag<float>());
    return t;
  }();
  return &table;
}

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SIMD_KERNELS_INL_H_
