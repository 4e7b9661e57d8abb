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
// without FMA, as on SSE4) and kLn2Lo. e^r is a polynomial (kPoly, constant
// term first):
//   float:  the degree-6 minimax approximation of e^r on [-ln2/2, ln2/2]
//           (relative error 1.9e-9 = 0.03 ULP before rounding the
//           coefficients; computed by a Remez exchange for this project), one
//           multiply-add cheaper than Taylor's degree 7 at the same accuracy;
//   double: Taylor to degree 13, r^14/14! < 4.2e-18 (0.04 ULP).
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
  static constexpr int kDegree = 6;
  static constexpr float kPoly[kDegree + 1] = {1.0f,           1.0f,           0x1.fffffap-2f, 0x1.55540ap-3f,
                                               0x1.55589ap-5f, 0x1.126d0cp-7f, 0x1.6ab98p-10f};
  static constexpr int kMantBits = 23;
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
  static constexpr double kPoly[kDegree + 1] = {1.0,
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
  static constexpr int kMantBits = 52;
};

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
// q = round(x log2e) comes from adding kRound = 1.5 * 2^mant_bits + kShift:
// the adder rounds to an integer, and the low bits of k, shifted into the
// exponent field, are q + kShift (two's complement, modulo the lane width).
// Adding them to the bits of p(r) in [0.7, 1.42] multiplies it by
// 2^(q + kShift) with an integer add instead of a float multiply (which would
// compete with the polynomial for the FMA ports); in [kLo, kHi] the exponent
// stays in the normal range (see above), so the two are identical.
template <class D, class V = hn::VFromD<D>>
HWY_INLINE V ExpScaled(D d, V x) {
  using T = hn::TFromD<D>;
  using C = ExpConst<T>;
  const hn::RebindToSigned<D> di;
  const T round_const = static_cast<T>(std::ldexp(1.5, C::kMantBits) + C::kShift);
  const V k = hn::MulAdd(x, hn::Set(d, C::kLog2e), hn::Set(d, round_const));
  const V q = hn::Sub(k, hn::Set(d, round_const));
  V r = hn::NegMulAdd(q, hn::Set(d, C::kLn2Hi), x);
  r = hn::NegMulAdd(q, hn::Set(d, C::kLn2Lo), r);
  V p = hn::Set(d, C::kPoly[C::kDegree]);
  for (int j = C::kDegree - 1; j >= 0; --j) p = hn::MulAdd(p, r, hn::Set(d, C::kPoly[j]));
  return hn::BitCast(d, hn::Add(hn::BitCast(di, p), hn::ShiftLeft<C::kMantBits>(hn::BitCast(di, k))));
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
