// Mish and the Swish family: x * g(x) with g from one exponential.
#pragma once

#include "common.hpp"

namespace mish::scalar {

// Mish: f(x) = x tanh(softplus(x)).
//
// With e = e^x, n = e (e + 2) and d = n + 2:
//   tanh(softplus x) = n / d                     (no 1 - small cancellation)
//   f'(x) = n / d + 4 x e (1 + e) / d^2           (sech^2(sp) * sigmoid folded)
// Thresholds (Lim<T>): above kOne/2 the ratio n/d rounds to 1 (and n would
// overflow float near x = 44), so f = x; below kSplit e^x loses precision to
// the subnormal range, and f = x e^x (1 + O(e)) is formed by mul_exp.
// f'(x) has a simple root at x = -1.1924: the two terms cancel there, so its
// error is measured in ULPs of the larger term (bwd_scale), see ACCURACY.md;
// bwd regroups them so that the cancellation is mild (see there).
struct Mish {
  static const char* check(const Params&) { return nullptr; }

  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    using std::exp;
    if (x > Lim<T>::kOne * T(0.5)) return x;  // also +inf
    if (x < Lim<T>::kSplit) return mul_exp(x, x);
    const T e = exp(x);
    const T n = e * (e + T(2));
    return x * (n / (n + T(2)));  // NaN flows through e
  }

  // f' = n/d + 4xe(1+e)/d^2 regrouped over d^2 = 4 + e(8 + e(8 + e(4 + e))):
  //   x < 0:  e B / d^2,  B = e (e (e + 4) + (6 + 4x)) + 4 (1 + x)
  //   x >= 0: 1 + Q / d^2, Q = e ((4x - 2) e + 4 (x - 1)) - 4
  // Near the root of f' the usual sum cancels 4.4-fold at |x + 1.19| = 0.25;
  // B only 1.15-fold, with 4 (1 + x) exact. (The SIMD kernel does the same.)
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    using std::exp;
    if (x > Lim<T>::kOne) return T(1);
    if (x < Lim<T>::kSplit) return mul_exp(T(1) + x, x);  // e (1 + x) + O(e^2)
    const T e = exp(x);
    const T d2 = T(4) + e * (T(8) + e * (T(8) + e * (T(4) + e)));
    if (x < T(0)) {
      const T b = e * (e * (e + T(4)) + (T(6) + T(4) * x)) + T(4) * (T(1) + x);
      return e * b / d2;
    }
    const T q = e * ((T(4) * x - T(2)) * e + T(4) * (x - T(1))) - T(4);
    return T(1) + q / d2;  // d2 may overflow to inf above x = 22 (float): f' = 1 then
  }

  template <class T>
  static T bwd_scale(T x, const Params&) {
    using std::exp;
    if (x > Lim<T>::kOne) return T(1);
    if (x < Lim<T>::kSplit) return mul_exp(T(1) + abs_(x), x);
    const T e = exp(x);
    const T n = e * (e + T(2));
    const T d = n + T(2);
    return max_abs(n / d, T(4) * x * e * (T(1) + e) / (d * d));
  }
};

// Swish: f(x) = x sigmoid(beta x); SiLU is beta = 1.
//   f'(x)   = s + z s (1 - s),  z = beta x, s = sigmoid(z)
//   df/dbeta = x^2 s (1 - s)
// s (1 - s) = e / (1 + e)^2 with e = e^{-|z|}; both branches of s use the same e.
struct Swish {
  static const char* check(const Params& p) {
    return std::isfinite(p.p[0]) ? nullptr : "beta must be a finite number";
  }

  template <class T>
  MISH_HD static T fwd(T x, const Params& p) {
    const T z = T(p.p[0]) * x;
    if (is_nan(z)) return x * T(0.5);  // x NaN, or beta = 0 with x = inf (x / 2)
    return mul_sigmoid(x, z);
  }

  template <class T>
  MISH_HD static T bwd(T x, const Params& p, T* dp) {
    using std::exp;
    const T z = T(p.p[0]) * x;
    if (z > Lim<T>::kOne) {
      if (dp) dp[0] = x * mul_exp(x, -z);  // x^2 e^{-z}: tiny, but often not 0
      return T(1);
    }
    if (z < Lim<T>::kSplit) {
      if (dp) dp[0] = x * mul_exp(x, z);
      return mul_exp(T(1) + z, z);
    }
    const T e = exp(-abs_(z));
    const T r = T(1) / (T(1) + e);
    const T s = z >= T(0) ? r : e * r;
    const T slope = e * r * r;
    if (dp) dp[0] = x * (x * slope);
    return s + z * slope;
  }

  template <class T>
  static T bwd_scale(T x, const Params& p) {
    const T z = T(p.p[0]) * x;
    return max_abs(sigmoid(z), z * sigmoid_slope(z));
  }
};

// E-Swish: f(x) = beta x sigmoid(x).  f' = beta (s + x s (1 - s)),  df/dbeta = x s.
struct ESwish {
  static const char* check(const Params& p) { return Swish::check(p); }

  template <class T>
  MISH_HD static T fwd(T x, const Params& p) {
    return T(p.p[0]) * mul_sigmoid(x, x);
  }

  template <class T>
  MISH_HD static T bwd(T x, const Params& p, T* dp) {
    if (dp) dp[0] = mul_sigmoid(x, x);
    Params one;
    one.p[0] = 1.0;
    return T(p.p[0]) * Swish::bwd<T>(x, one, nullptr);
  }

  template <class T>
  static T bwd_scale(T x, const Params& p) {
    Params one;
    one.p[0] = 1.0;
    return abs_(T(p.p[0])) * Swish::bwd_scale<T>(x, one);
  }
};

}  // namespace mish::scalar
