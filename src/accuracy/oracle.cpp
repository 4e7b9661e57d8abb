#include "oracle.hpp"

#include <boost/math/constants/constants.hpp>
#include <boost/multiprecision/mpfr.hpp>
#include <cmath>

namespace mish::accuracy {
namespace {

using Big = boost::multiprecision::number<boost::multiprecision::mpfr_float_backend<0>,
                                          boost::multiprecision::et_off>;

Big pi() { return boost::math::constants::pi<Big>(); }

// The registry's definitions, one function each: def_<ID>(x, p0, p1).
using boost::multiprecision::abs;
using boost::multiprecision::atan;
using boost::multiprecision::erf;
using boost::multiprecision::exp;
using boost::multiprecision::log;
using boost::multiprecision::log1p;
using boost::multiprecision::sqrt;
using boost::multiprecision::tanh;

#define MISH_ACTIVATION(ID, NAME, FUNCTOR, PARAMS, U32F, U32B, U64F, U64B, H16, ...) \
  Big def_##ID(const Big& x, const Big& p0, const Big& p1) {                    \
    (void)p0;                                                                   \
    (void)p1;                                                                   \
    return __VA_ARGS__;                                                         \
  }
#include "mish/activations.def"
#undef MISH_ACTIVATION

using Def = Big (*)(const Big&, const Big&, const Big&);
constexpr Def kDefs[] = {
#define MISH_ACTIVATION(ID, ...) &def_##ID,
#include "mish/activations.def"
#undef MISH_ACTIVATION
};

Big eval(mish_activation act, const Big& x, const Big& p0, const Big& p1) {
  // Make sure huge exponents (exp(1e30)) are representable rather than inf.
  static thread_local bool init = [] {
    mpfr_set_emax(mpfr_get_emax_max());
    mpfr_set_emin(mpfr_get_emin_min());
    return true;
  }();
  (void)init;
  return kDefs[act](x, p0, p1);
}

long double to_ld(const Big& v) { return v.convert_to<long double>(); }

// Evaluates fn() at 256, 512, ... bits until two precisions agree to 2^-100
// (and, for a non-zero argument, the value is non-zero): the naive textbook
// forms cancel catastrophically (1 + erf(-30), e^{-1e-310} - 1, ln(1 + e^-700))
// and need as many bits as the cancellation eats.
template <class Fn>
long double adaptive(Fn fn, bool zero_suspect) {
  long double prev = 0;
  bool have_prev = false;
  for (unsigned bits = 256; bits <= 16384; bits *= 2) {
    Big::default_precision(bits);
    const long double v = to_ld(fn());
    if (have_prev && (v == prev || std::fabs(v - prev) <= std::ldexp(std::fabs(v), -100)) &&
        !(zero_suspect && v == 0) && !std::isnan(v)) {
      return v;
    }
    if (have_prev && std::isnan(v) && std::isnan(prev)) return v;
    prev = v;
    have_prev = true;
  }
  return prev;
}

// d/dx (which < 0) or d/dp_which by one-sided differences with a step of 2^-80
// relative: truncation error ~2^-80 |f''/f'|, far below long double's 2^-64.
long double slope(mish_activation act, long double x, const scalar::Params& p, int which, int side) {
  return adaptive(
      [&] {
        const Big bx(x), b0(p.p[0]), b1(p.p[1]);
        const Big& at = which < 0 ? bx : (which == 0 ? b0 : b1);
        Big h = abs(at) * ldexp(Big(1), -80);
        if (h == 0) h = ldexp(Big(1), -80);
        auto g = [&](const Big& v) {
          if (which < 0) return eval(act, v, b0, b1);
          if (which == 0) return eval(act, bx, v, b1);
          return eval(act, bx, b0, v);
        };
        return side < 0 ? Big((g(at) - g(at - h)) / h) : Big((g(at + h) - g(at)) / h);
      },
      false);
}

}  // namespace

bool Slope::smooth() const {
  const long double a = std::fabs(left), b = std::fabs(right);
  return std::fabs(left - right) <= 1e-15L * (a > b ? a : b);
}

long double oracle_fwd(mish_activation act, long double x, const scalar::Params& p) {
  return adaptive([&] { return eval(act, Big(x), Big(p.p[0]), Big(p.p[1])); }, x != 0);
}

Slope oracle_bwd(mish_activation act, long double x, const scalar::Params& p) {
  return {slope(act, x, p, -1, -1), slope(act, x, p, -1, 1)};
}

Slope oracle_dparam(mish_activation act, long double x, const scalar::Params& p, int k) {
  return {slope(act, x, p, k, -1), slope(act, x, p, k, 1)};
}

}  // namespace mish::accuracy
