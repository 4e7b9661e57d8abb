// The Mish paper's family of Mish-like candidates (its Figure 2).
#pragma once

#include "common.hpp"

namespace mish::scalar {

// tanh(x) softplus(x).  f' = sech^2(x) sp(x) + tanh(x) sigmoid(x),
// sech^2 = 4 e / (1 + e)^2 with e = e^{-2|x|}. Above kOne f' rounds to 1 (and
// sech^2 * sp would be 0 * inf at x = inf).
struct TanhSoftplus {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T sech2(T x) {
    using std::exp;
    const T a = T(-2) * abs_(x);
    if (a < Lim<T>::kSplit) return mul_exp(T(4), a);
    const T e = exp(a);
    const T r = T(1) / (T(1) + e);
    return T(4) * e * r * r;
  }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    using std::tanh;
    return tanh(x) * softplus(x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    using std::tanh;
    if (x > Lim<T>::kOne) return T(1);
    return sech2(x) * softplus(x) + tanh(x) * sigmoid(x);
  }
  template <class T>
  static T bwd_scale(T x, const Params&) {
    using std::tanh;
    if (x > Lim<T>::kOne) return T(1);
    return max_abs(sech2(x) * softplus(x), tanh(x) * sigmoid(x));
  }
};

// atan(x) softplus(x).  f' = sp(x) / (1 + x^2) + atan(x) sigmoid(x).
// Above 1/eps, f' = pi/2 + O(1/x^2) rounds to pi/2 (and would be inf/inf at inf).
struct AtanSoftplus {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    using std::atan;
    return atan(x) * softplus(x);
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    using std::atan;
    if (x > T(1) / std::numeric_limits<T>::epsilon()) return T(1.570796326794896619231321691639751442L);
    return softplus(x) / (T(1) + x * x) + atan(x) * sigmoid(x);
  }
  template <class T>
  static T bwd_scale(T x, const Params&) {
    using std::atan;
    if (x > T(1) / std::numeric_limits<T>::epsilon()) return T(1.570796326794896619231321691639751442L);
    return max_abs(softplus(x) / (T(1) + x * x), atan(x) * sigmoid(x));
  }
};

// x ln(1 + tanh(e^x)).  With u = e^x: f' = ln(1 + tanh u) + x u (1 - tanh u),
// 1 - tanh u = 2 / (1 + e^{2u}). Below kSplit f = x u and f' = u (1 + x) to
// full precision; above 10, tanh(u) is 1 in every format and f' = ln 2.
struct XLog1pTanhExp {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    using std::exp;
    using std::log1p;
    using std::tanh;
    if (x < Lim<T>::kSplit) return mul_exp(x, x);
    return x * log1p(tanh(exp(x)));
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    using std::exp;
    using std::log1p;
    using std::tanh;
    if (x > T(10)) return T(0.693147180559945309417232121458176568L);
    if (x < Lim<T>::kSplit) return mul_exp(T(1) + x, x);
    const T u = exp(x);
    return log1p(tanh(u)) + x * u * (T(2) / (T(1) + exp(T(2) * u)));
  }
  template <class T>
  static T bwd_scale(T x, const Params&) {
    using std::exp;
    using std::log1p;
    using std::tanh;
    if (x > T(10)) return T(0.693147180559945309417232121458176568L);
    if (x < Lim<T>::kSplit) return mul_exp(T(1) + abs_(x), x);
    const T u = exp(x);
    return max_abs(log1p(tanh(u)), x * u * (T(2) / (T(1) + exp(T(2) * u))));
  }
};

// x ln(1 + atan(e^x)).  f' = ln(1 + atan u) + x u / ((1 + u^2)(1 + atan u)),
// u / (1 + u^2) = 1 / (u + 1/u) (no overflow). Above kOne the second term is
// below half an ULP of the first, which is ln(1 + pi/2).
struct XLog1pAtanExp {
  static const char* check(const Params&) { return nullptr; }
  template <class T>
  MISH_HD static T fwd(T x, const Params&) {
    using std::atan;
    using std::exp;
    using std::log1p;
    if (x < Lim<T>::kSplit) return mul_exp(x, x);
    return x * log1p(atan(exp(x)));
  }
  template <class T>
  MISH_HD static T term(T x) {
    using std::atan;
    using std::exp;
    const T u = exp(x);
    return x / ((u + T(1) / u) * (T(1) + atan(u)));
  }
  template <class T>
  MISH_HD static T bwd(T x, const Params&, T*) {
    using std::atan;
    using std::exp;
    using std::log1p;
    if (x > Lim<T>::kOne) return T(0.944215705696055391799944358734827392L);
    if (x < Lim<T>::kSplit) return mul_exp(T(1) + x, x);
    return log1p(atan(exp(x))) + term(x);
  }
  template <class T>
  static T bwd_scale(T x, const Params&) {
    using std::atan;
    using std::exp;
    using std::log1p;
    if (x > Lim<T>::kOne) return T(0.944215705696055391799944358734827392L);
    if (x < Lim<T>::kSplit) return mul_exp(T(1) + abs_(x), x);
    return max_abs(log1p(atan(exp(x))), term(x));
  }
};

}  // namespace mish::scalar
