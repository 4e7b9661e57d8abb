// Piecewise activations: ReLU and its relatives, and the exponential-linear units.
//
// Conventions shared with PyTorch: at a kink the derivative takes the value of
// the flat side (relu'(0) = 0, hardtanh'(min) = 0). Every branch propagates NaN
// explicitly (comparisons with NaN are false and would otherwise pick a constant).
#pragma once

#include "common.hpp"

namespace mish::scalar {

struct Relu {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    return x < T(0) ? T(0) : x;
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    return x > T(0) ? T(1) : nan_or(x, T(0));
  }
};

// Leaky ReLU: x > 0 ? x : alpha x.  df/dalpha = x > 0 ? 0 : x.
struct LeakyRelu {
  static const char* check(const Params& p) {
    return std::isfinite(p.p[0]) ? nullptr : "alpha must be a finite number";
  }
  template <class T>
  MISH_HD static T fwd(T x, const Params& p) {
    return x > T(0) ? x : T(p.p[0]) * x;
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params& p, T* dp) {
    if (dp) dp[0] = x > T(0) ? T(0) : x;
    return x > T(0) ? T(1) : nan_or(x, T(p.p[0]));
  }
};

struct Relu6 {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    return x < T(0) ? T(0) : (x > T(6) ? T(6) : x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    return (x > T(0) && x < T(6)) ? T(1) : nan_or(x, T(0));
  }
};

// Hardtanh: clamp(x, min_val, max_val); the bounds get gradients too.
struct Hardtanh {
  static const char* check(const Params& p) {
    if (!std::isfinite(p.p[0]) || !std::isfinite(p.p[1])) return "min_val and max_val must be finite";
    return p.p[0] <= p.p[1] ? nullptr : "min_val must not be greater than max_val";
  }
  template <class T>
  MISH_HD static T fwd(T x, const Params& p) {
    const T lo = T(p.p[0]), hi = T(p.p[1]);
    return x < lo ? lo : (x > hi ? hi : x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params& p, T* dp) {
    const T lo = T(p.p[0]), hi = T(p.p[1]);
    if (dp) {
      dp[0] = x < lo ? T(1) : nan_or(x, T(0));
      dp[1] = x > hi ? T(1) : nan_or(x, T(0));
    }
    return (x > lo && x < hi) ? T(1) : nan_or(x, T(0));
  }
};

// ELU: x > 0 ? x : alpha (e^x - 1).  f' = alpha e^x,  df/dalpha = e^x - 1 on x <= 0.
struct Elu {
  static const char* check(const Params& p) {
    return std::isfinite(p.p[0]) ? nullptr : "alpha must be a finite number";
  }
  template <class T>
  MISH_HD static T fwd(T x, const Params& p) {
    using std::expm1;
    return x > T(0) ? x : T(p.p[0]) * expm1(x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params& p, T* dp) {
    using std::expm1;
    if (dp) dp[0] = x > T(0) ? T(0) : expm1(x);
    return x > T(0) ? T(1) : mul_exp(T(p.p[0]), x);
  }
};

// CELU: x > 0 ? x : alpha (e^{x/alpha} - 1).
//   f' = e^{x/alpha};  df/dalpha = (e^z - 1) - z e^z with z = x / alpha, which
//   cancels to -z^2/2 near z = 0; its error is measured against the larger term.
struct Celu {
  static const char* check(const Params& p) {
    return (std::isfinite(p.p[0]) && p.p[0] != 0.0) ? nullptr : "alpha must be a finite non-zero number";
  }
  template <class T>
  MISH_HD static T fwd(T x, const Params& p) {
    using std::expm1;
    return x > T(0) ? x : T(p.p[0]) * expm1(x / T(p.p[0]));
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params& p, T* dp) {
    using std::exp;
    using std::expm1;
    const T z = x / T(p.p[0]);
    if (dp) dp[0] = x > T(0) ? T(0) : expm1(z) - mul_exp(z, z);
    return x > T(0) ? T(1) : exp(z);
  }
  template <class T>
  static T dparam_scale(T x, const Params& p, int) {
    using std::expm1;
    const T z = x / T(p.p[0]);
    return x > T(0) ? T(0) : max_abs(expm1(z), mul_exp(z, z));
  }
};

// SELU: lambda (x > 0 ? x : alpha (e^x - 1)) with the self-normalising constants.
struct Selu {
  static constexpr double kLambda = 1.0507009873554804934193349852946;
  static constexpr double kAlpha = 1.6732632423543772848170429916717;
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    using std::expm1;
    return x > T(0) ? T(kLambda) * x : T(kLambda * kAlpha) * expm1(x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    return x > T(0) ? T(kLambda) : mul_exp(T(kLambda * kAlpha), x);
  }
};

}  // namespace mish::scalar
