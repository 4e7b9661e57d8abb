// Vector math building blocks shared by the hand-written kernels (per target).
//
// Included once per Highway target from dispatch.cpp, hence the toggle guard.
#if defined(MISH_SIMD_VMATH_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISH_SIMD_VMATH_INL_H_
#undef MISH_SIMD_VMATH_INL_H_
#else
#define MISH_SIMD_VMATH_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Constants of the scaled exponential, per lane type.
//
// ExpScaled returns t = e^x * 2^kShift for x in [kLo, kHi]. The shift keeps t a
// normal number down to x = kLo, where e^x itself would be subnormal or zero:
// the Mish and Swish tails need x * e^x to full relative precision there
// (f(-90) = -90 e^-90 is a normal float although e^-90 is not). Callers undo
// the shift with one exact multiply by 2^-kShift at the end.
//   float:  kLo = -114 (x e^x rounds to 0 below), kHi = 25; q in [-165, 37],
//           q + 48 stays in the normal exponent range, and t (e+2) at kHi is
//           e^50 * 2^48 < 2^128.
//   double: kLo = -755, kHi = 45, shift 128: the same reasoning.
// Range reduction (Cody-Waite): x = q ln2 + r, |r| <= ln2/2, with ln2 split
// into kLn2Hi (few significant bits, so q * kLn2Hi and x - q * kLn2Hi are exact
// without FMA, as on SSE4) and kLn2Lo. e^r is its Taylor polynomial to one
// degree past the format's need: float r^8/8! < 5.3e-9 (0.04 ULP) at ln2/2,
// double r^14/14! < 4.2e-18 (0.04 ULP).
template <typename T>
struct ExpConst;

template <>
struct ExpConst<float> {
  static constexpr float kLo = -114.0f, kHi = 25.0f;
  static constexpr float kIdentity = 12.5f;  // Mish(x) rounds to x above (Lim<float>::kOne / 2)
  static constexpr float kBwdOne = 22.0f;    // Mish'(x) rounds to 1 above: 4x e^-x < 2^-25
  static constexpr int kShift = 48;
  static constexpr float kLog2e = 1.44269504088896341f;
  static constexpr float kLn2Hi = 0.693359375f;  // 355/512
  static constexpr float kLn2Lo = -2.12194440e-4f;
  static constexpr int kDegree = 7;
  static constexpr int kMantBits = 23, kBias = 127;
};

template <>
struct ExpConst<double> {
  static constexpr double kLo = -755.0, kHi = 45.0;
  static constexpr double kIdentity = 22.5;  // Mish(x) rounds to x above (Lim<double>::kOne / 2)
  static constexpr double kBwdOne = 45.0;    // Mish'(x) rounds to 1 above: 4x e^-x < 2^-54
  static constexpr int kShift = 128;
  static constexpr double kLog2e = 1.4426950408889634074;
  static constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 32 significant bits
  static constexpr double kLn2Lo = 1.90821492927058770002e-10;
  static constexpr int kDegree = 13;
  static constexpr int kMantBits = 52, kBias = 1023;
};

// 1/k! for k = 0..13, as the Taylor coefficients of e^r.
constexpr double kInvFact[14] = {1.0,
                                 1.0,
                                 0.5,
                                 1.0 / 6,
                                 1.0 / 24,
                                 1.0 / 120,
                                 1.0 / 720,
                                 1.0 / 5040,
                                 1.0 / 40320,
                                 1.0 / 362880,
                                 1.0 / 3628800,
                                 1.0 / 39916800,
                                 1.0 / 479001600,
                                 1.0 / 6227020800.0};

// 2^kShift * 2^-kShift, as vectors.
template <class D>
HWY_INLINE hn::VFromD<D> ShiftUp(D d) {
  using T = hn::TFromD<D>;
  return hn::Set(d, static_cast<T>(std::ldexp(1.0, ExpConst<T>::kShift)));
}
template <class D>
HWY_INLINE hn::VFromD<D> ShiftDown(D d) {
  using T = hn::TFromD<D>;
  return hn::Set(d, static_cast<T>(std::ldexp(1.0, -ExpConst<T>::kShift)));
}

// t = e^x * 2^kShift for x in [kLo, kHi] (callers clamp below with ClampExpLo;
// above kHi the value is meaningless and callers discard it).
// q = round(x log2e) comes from adding kRound = 1.5 * 2^mant_bits (+ bias +
// shift): the adder rounds to an integer, whose low bits, shifted into the
// exponent field, are already the biased exponent of 2^(q + kShift).
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V ExpScaled(D d, V x) {
  using T = hn::TFromD<D>;
  using C = ExpConst<T>;
  const hn::RebindToSigned<D> di;
  const T round_const = static_cast<T>(std::ldexp(1.5, C::kMantBits) + C::kBias + C::kShift);
  const V k = hn::MulAdd(x, hn::Set(d, C::kLog2e), hn::Set(d, round_const));
  const V q = hn::Sub(k, hn::Set(d, round_const));
  V r = hn::NegMulAdd(q, hn::Set(d, C::kLn2Hi), x);
  r = hn::NegMulAdd(q, hn::Set(d, C::kLn2Lo), r);
  V p = hn::Set(d, static_cast<T>(kInvFact[C::kDegree]));
  for (int k_ = C::kDegree - 1; k_ >= 0; --k_) {
    p = hn::MulAdd(p, r, hn::Set(d, static_cast<T>(kInvFact[k_])));
  }
  return hn::Mul(p, hn::BitCast(d, hn::ShiftLeft<C::kMantBits>(hn::BitCast(di, k))));
}

// x clamped below at kLo (NaN becomes kLo: x86 max returns its second operand).
// Callers replace the lanes above kHi and NaN lanes with a select (those lanes
// may hold inf or NaN meanwhile, which is harmless).
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V ClampExpLo(D d, V x) {
  using T = hn::TFromD<D>;
  return hn::Max(x, hn::Set(d, ExpConst<T>::kLo));
}


}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SIMD_VMATH_INL_H_
