// Smooth classics: GELU (erf and tanh forms), Softplus, Tanh, Sigmoid,
// Softsign, LogSigmoid.
#pragma once

#include <type_traits>

#include "common.hpp"

namespace mish::scalar {

// GELU (erf form): f(x) = x Phi(x),  Phi(x) = erfc(-x / sqrt 2) / 2,
//   f'(x) = Phi(x) + x phi(x),  phi(x) = e^{-x^2/2} / sqrt(2 pi).
// erfc(z) magnifies an error d in its argument into a relative error of about
// 2 z d (200 ULP at z = 10), so -x/sqrt2 is carried as z + dz (an error-free
// product plus the constant's own tail) and erfc(z + dz) is corrected to first
// order: erfc(z) - dz (2/sqrt pi) e^{-z^2}. Likewise x^2/2 in phi is split with
// fma. The far negative tail also needs range (Phi(-38) is subnormal in
// double), so float evaluates in double and double below -30 in long double
// (host only; see Wider). |x| > 40: Phi is 0 or 1 in every format.
struct Gelu {
  static constexpr bool kOwnPrecision = true;  // widens by itself (Wider)
  static const char* check(const Params&) { return nullptr; }

  template <class T>
  MISH_HD static T cdf(T x) {
    using std::erfc;
    using std::exp;
    using std::fma;
    const T c = T(0.707106781186547524400844362104849039L);
    const T c_lo = std::is_same<T, double>::value ? T(-4.833646656726456523305e-17L)
                                                  : T(1.895032558893252368534e-20L);
    const T z = -x * c;
    const T dz = fma(-x, c, -z) + (-x) * c_lo;
    const T g = T(1.128379167095512573896158903121545172L);  // 2 / sqrt(pi)
    return T(0.5) * (erfc(z) - dz * g * exp(-z * z));
  }

  template <class T>
  MISH_HD static T pdf(T x) {
    using std::exp;
    using std::fma;
    const T hi = x * x;
    const T lo = fma(x, x, -hi);
    return exp(T(-0.5) * hi) * (T(1) - T(0.5) * lo) * T(0.398942280401432677939946059934381868L);
  }

  // The formulas in T itself; fwd / bwd run them one format wider.
  template <class T>
  MISH_HD static T eval_fwd(T x) {
    if (x > T(40)) return x;
    if (x < T(-40)) return T(-0.0);
    return x * cdf(x);
  }
  template <class T>
  MISH_HD static T eval_bwd(T x) {
    if (x > T(40)) return T(1);
    if (x < T(-40)) return T(-0.0);
    return cdf(x) + x * pdf(x);
  }
  // float runs in double; double in long double only for x < -30, where Phi
  // approaches the subnormal range (long double is slow).
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    if constexpr (std::is_same<T, float>::value) return static_cast<T>(eval_fwd<double>(x));
    return x < T(-30) ? static_cast<T>(eval_fwd<Wider<T>>(x)) : eval_fwd<T>(x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    if constexpr (std::is_same<T, float>::value) return static_cast<T>(eval_bwd<double>(x));
    return x < T(-30) ? static_cast<T>(eval_bwd<Wider<T>>(x)) : eval_bwd<T>(x);
  }

  template <class T>
  static T bwd_scale(T x, const Params&) {
    if (abs_(x) > T(40)) return x > T(0) ? T(1) : T(0);
    return max_abs(cdf(x), x * pdf(x));
  }
};

// GELU (tanh approximation): x (1 + tanh(u)) / 2 with u = k (x + c x^3),
// rewritten as x sigmoid(t), t = 2u, so the negative tail does not cancel.
//   f'(x) = s + x s (1 - s) t',  t' = 2 k (1 + 3 c x^2).
// x > 10: s rounds to 1 (t > 87); x < -1e4: the result is 0 (and x^3 would overflow).
// In the negative tail e^t turns t's rounding error (|t| u, |t| up to ~700 in
// double) into a relative error of f, so t is carried as t + dt with
// error-free products (fma) and 2k split into two parts; e^{t + dt} = e^t (1 + dt).
struct GeluTanh {
  static constexpr bool kOwnPrecision = true;  // widens by itself (Wider)
  static constexpr double kC = 0.044715;  // a decimal constant by definition
  static const char* check(const Params&) { return nullptr; }

  // t = 2 sqrt(2/pi) (x + c x^3) as t + *lo.
  template <class T>
  MISH_HD static T arg(T x, T* lo) {
    using std::fma;
    const T k_hi = T(1.595769121605730711706272L);  // 2 sqrt(2/pi)
    const T k_lo = std::is_same<T, double>::value ? T(-9.969309e-17L) : T(5.351178e-20L);
    const T c = T(kC);
    const T a = x * x, a_lo = fma(x, x, -a);
    const T b = a * x, b_lo = fma(a, x, -b) + a_lo * x;  // x^3
    const T w = c * b, w_lo = fma(c, b, -w) + c * b_lo;  // c x^3
    const T s = x + w;
    const T s_lo = (abs_(x) > abs_(w) ? (x - s) + w : (w - s) + x) + w_lo;
    const T t = k_hi * s;
    *lo = fma(k_hi, s, -t) + k_hi * s_lo + k_lo * s;
    return t;
  }

  // float runs in double; double and wider in their own format (t is
  // compensated, so no wider format is needed).
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    if constexpr (std::is_same<T, float>::value) return static_cast<T>(eval_fwd<double>(x));
    return eval_fwd<T>(x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    if constexpr (std::is_same<T, float>::value) return static_cast<T>(eval_bwd<double>(x));
    return eval_bwd<T>(x);
  }

  template <class T>
  MISH_HD static T eval_fwd(T x) {
    if (x > T(10)) return x;
    if (x < T(-1e4)) return T(-0.0);
    T lo;
    const T t = arg(x, &lo);
    return mul_sigmoid(x, t) * (T(1) + lo * (T(1) - sigmoid(t)));  // d ln s / dt = 1 - s
  }

  template <class T>
  MISH_HD static T eval_bwd(T x) {
    if (x > T(10)) return T(1);
    if (x < T(-1e4)) return T(-0.0);
    T lo;
    const T t = arg(x, &lo);
    const T dt = T(2 * 0.797884560802865355879892119868763737L) * (T(1) + (T(3) * T(kC)) * x * x);
    const T corr = T(1) + lo * (T(1) - sigmoid(t));  // both terms carry e^t in the tail
    if (t < Lim<T>::kSplit) return mul_exp(T(1) + x * dt, t) * (T(1) + lo);
    return (sigmoid(t) + x * sigmoid_slope(t) * dt) * corr;
  }

  template <class T>
  static T bwd_scale(T x, const Params&) {
    if (x > T(10)) return T(1);
    if (x < T(-1e4)) return T(0);
    T lo;
    const T t = arg(x, &lo);
    const T dt = T(2 * 0.797884560802865355879892119868763737L) * (T(1) + (T(3) * T(kC)) * x * x);
    return max_abs(sigmoid(t), x * sigmoid_slope(t) * dt);
  }
};

// Softplus (PyTorch semantics): beta x > threshold ? x : ln(1 + e^{beta x}) / beta.
//   f' = sigmoid(beta x);  df/dbeta = (x s - sp(z) / beta) / beta, z = beta x,
//   rewritten for z > 0 as (-x sigmoid(-z) - ln(1 + e^-z) / beta) / beta
//   so the two terms do not cancel. The threshold gets a zero gradient.
struct Softplus {
  static const char* check(const Params& p) {
    if (!std::isfinite(p.p[0]) || p.p[0] == 0.0) return "beta must be a finite non-zero number";
    return std::isnan(p.p[1]) ? "threshold must not be NaN" : nullptr;
  }

  template <class T>
  MISH_HD static T fwd(T x, const Params& p) {
    const T b = T(p.p[0]);
    const T z = b * x;
    if (z > T(p.p[1])) return x;
    return softplus(z) / b;
  }

  template <class T>
  MISH_HD static T bwd(T x, const Params& p, T* dp) {
    using std::exp;
    using std::log1p;
    const T b = T(p.p[0]);
    const T z = b * x;
    if (z > T(p.p[1])) {
      if (dp) dp[0] = dp[1] = T(0);
      return T(1);
    }
    if (dp) {
      dp[0] = z > T(0) ? (-x * sigmoid(-z) - log1p(exp(-z)) / b) / b : (x * sigmoid(z) - softplus(z) / b) / b;
      dp[1] = nan_or(x, T(0));
    }
    return sigmoid(z);
  }

  template <class T>
  static T dparam_scale(T x, const Params& p, int k) {
    using std::exp;
    using std::log1p;
    const T b = T(p.p[0]);
    const T z = b * x;
    if (k != 0 || z > T(p.p[1])) return T(0);
    return z > T(0) ? max_abs(x * sigmoid(-z) / b, log1p(exp(-z)) / (b * b))
                    : max_abs(x * sigmoid(z) / b, softplus(z) / (b * b));
  }
};

// Tanh: f' = 1 - tanh^2 = 4 e / (1 + e)^2 with e = e^{-2|x|} (no cancellation
// when tanh rounds to +-1).
struct Tanh {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    using std::tanh;
    return tanh(x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    using std::exp;
    const T a = T(-2) * abs_(x);
    if (a < Lim<T>::kSplit) return mul_exp(T(4), a);
    const T e = exp(a);
    const T q = T(1) + e;
    return T(4) * e / (q * q);
  }
};

struct Sigmoid {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    return sigmoid(x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    return sigmoid_slope(x);
  }
};

// Softsign: x / (1 + |x|), written as sign(x) (1 - r) with r = 1 / (1 + |x|)
// for |x| >= 1 so that infinities give +-1;  f' = r^2 (r squared, not 1/(1+|x|)^2,
// which overflows to 0 while the true value is still a float).
struct Softsign {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    const T ax = abs_(x);
    if (ax < T(1)) return x / (T(1) + ax);
    const T v = T(1) - T(1) / (T(1) + ax);
    return x < T(0) ? -v : v;  // NaN: ax NaN -> v NaN
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    const T r = T(1) / (T(1) + abs_(x));
    return r * r;
  }
};

// LogSigmoid: -softplus(-x) = min(x, 0) - ln(1 + e^{-|x|});  f' = sigmoid(-x).
struct LogSigmoid {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    using std::exp;
    using std::log1p;
    return (x < T(0) ? x : T(0)) - log1p(exp(-abs_(x)));
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    return sigmoid(-x);
  }
};

}  // namespace mish::scalar
