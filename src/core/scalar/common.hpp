// Shared pieces of the scalar reference formulas.
//
// The scalar headers are the single source of math truth: the CPU kernels fall
// back to them, the CUDA kernels include them, and the tests instantiate them
// with `long double` as the fast oracle (itself checked against MPFR). So every
// function here is a template on the floating type T and is MISH_HD (host and
// device), with no libm call that CUDA lacks.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#if defined(__CUDACC__)
#define MISH_HD __host__ __device__ __forceinline__
#else
#define MISH_HD inline
#endif

namespace mish::scalar {

// Parameters of an activation, in registry order. Kept in double so that one
// value serves every dtype; each formula converts to T once.
struct Params {
  double p[2] = {0.0, 0.0};
};

// The next wider format, for formulas that need a few guard bits: float ->
// double, double -> long double on the host (CUDA devices have no long double).
template <class T>
struct WiderT {
  using type = T;
};
template <>
struct WiderT<float> {
  using type = double;
};
#if !defined(__CUDA_ARCH__)
template <>
struct WiderT<double> {
  using type = long double;
};
#endif
template <class T>
using Wider = typename WiderT<T>::type;

// The precision the slow paths (CPU scalar loop, CUDA kernels) evaluate a
// formula in for data of type T: float data in double, for one rounding at
// the end instead of several -- unless the functor picks its own working
// precision (kOwnPrecision, e.g. GELU), where asking for double would
// escalate it to long double.
template <class F, class = void>
struct OwnPrecision : std::false_type {};
template <class F>
struct OwnPrecision<F, std::void_t<decltype(F::kOwnPrecision)>> : std::true_type {};
template <class F, class T>
using Work = typename std::conditional<std::is_same<T, float>::value && !OwnPrecision<F>::value, double, T>::type;

// Per-type thresholds, derived from the format's precision and range.
template <class T>
struct Lim {
  static constexpr int kDigits = std::numeric_limits<T>::digits;
  // Below this, e^x is close to (or in) the subnormal range and loses relative
  // precision, so x * e^x is formed as (x * e^{x/2}) * e^{x/2}. It is
  // (min_exponent + 8) * ln 2: float -81.8, double -702, long double -11351.
  static constexpr T kSplit = T(std::numeric_limits<T>::min_exponent + 8) * T(0.6931471805599453);
  // Below this, x * e^x rounds to zero even in the subnormal range:
  // (min_exponent - digits - 16) * ln 2: float -114, double -755.
  static constexpr T kZero =
      T(std::numeric_limits<T>::min_exponent - kDigits - 16) * T(0.6931471805599453);
  // Above this, 1 - c * e^{-x} rounds to 1 for any c <= 2x (half the format's
  // digits times 2 ln 2 = digits * ln 2, plus room for the factor x):
  // float 25, double 45, long double 53.
  static constexpr T kOne = T(kDigits) * T(0.6931471805599453) + T(8);
};

template <class T>
MISH_HD bool is_nan(T x) {
  return !(x == x);
}

template <class T>
MISH_HD T abs_(T x) {
  return x < T(0) ? -x : x;
}

template <class T>
MISH_HD T max_abs(T a, T b) {
  return abs_(a) > abs_(b) ? abs_(a) : abs_(b);
}

// v, or x when x is NaN: piecewise formulas whose branches are constants must
// still propagate NaN.
template <class T>
MISH_HD T nan_or(T x, T v) {
  return is_nan(x) ? x : v;
}

// m * e^a without losing relative precision when e^a is subnormal (the result
// may be normal then: e.g. -90 * e^-90 in float). Below kZero the product is
// taken as a signed zero, which holds while |m| is not astronomically larger
// than |a| (true for every caller: m is x or x-sized, a is x or beta * x).
template <class T>
MISH_HD T mul_exp(T m, T a) {
  using std::exp;
  if (a < Lim<T>::kSplit) {
    if (a < Lim<T>::kZero) return nan_or(m, std::copysign(T(0), m));
    const T h = exp(a * T(0.5));
    return (m * h) * h;
  }
  return m * exp(a);
}

// m * sigmoid(z) = m / (1 + e^-z), from e = e^{-|z|} on both sides of 0 and
// through mul_exp in the far negative tail. NaN in z flows through.
template <class T>
MISH_HD T mul_sigmoid(T m, T z) {
  using std::exp;
  if (z < Lim<T>::kSplit) return mul_exp(m, z);
  const T e = exp(-abs_(z));
  return z >= T(0) ? m / (T(1) + e) : m * e / (T(1) + e);
}

// softplus(x) = ln(1 + e^x) without overflow or cancellation.
template <class T>
MISH_HD T softplus(T x) {
  using std::exp;
  using std::log1p;
  const T e = exp(-(x < T(0) ? -x : x));
  return (x > T(0) ? x : T(0)) + log1p(e);
}

// sigmoid(x) and sigmoid(x) * (1 - sigmoid(x)) from one exponential.
template <class T>
MISH_HD T sigmoid(T x) {
  using std::exp;
  if (x < Lim<T>::kSplit) return exp(x);  // 1 / (1 + e^-x) == e^x here
  const T e = exp(-(x < T(0) ? -x : x));
  return x >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
}

template <class T>
MISH_HD T sigmoid_slope(T x) {  // s (1 - s) = e / (1 + e)^2, e = e^{-|x|}
  using std::exp;
  const T ax = x < T(0) ? -x : x;
  if (-ax < Lim<T>::kSplit) return exp(-ax);
  const T e = exp(-ax);
  const T q = T(1) + e;
  return e / (q * q);
}

}  // namespace mish::scalar
