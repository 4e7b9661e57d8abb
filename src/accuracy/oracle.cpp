#include "oracle.hpp"

#include <boost/math/constants/constants.hpp>
#include <boost/multiprecision/mpfr.hpp>
#include <cmath>

namespace mish::accuracy {
namespace {

using Big = boost::multiprecision::number<boost::multiprecision::mpfr_float_backend<256>,
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

#define MISH_ACTIVATION(ID, NAME, FUNCTOR, PARAMS, U32F, U32B, U64F, U64B, ...) \
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

// d/dx (which < 0) or d/dp_which by one-sided differences with a step of 2^-80 relative: truncation error
// ~2^-80 |f''/f'|, rounding error ~2^-176: both far below long double's 2^-64.
Slope slope(mish_activation act, const Big& x, const Big& p0, const Big& p1, int which) {
  const Big& at = which < 0 ? x : (which == 0 ? p0 : p1);
  Big h = abs(at) * ldexp(Big(1), -80);
  if (h == 0) h = ldexp(Big(1), -80);
  auto g = [&](const Big& v) {
    if (which < 0) return eval(act, v, p0, p1);
    if (which == 0) return eval(act, x, v, p1);
    return eval(act, x, p0, v);
  };
  const Big mid = g(at);
  Slope s;
  s.left = to_ld((mid - g(at - h)) / h);
  s.right = to_ld((g(at + h) - mid) / h);
  return s;
}

}  // namespace

bool Slope::smooth() const {
  const long double a = std::fabs(left), b = std::fabs(right);
  return std::fabs(left - right) <= 1e-15L * (a > b ? a : b);
}

long double oracle_fwd(mish_activation act, long double x, const scalar::Params& p) {
  return to_ld(eval(act, Big(x), Big(p.p[0]), Big(p.p[1])));
}

Slope oracle_bwd(mish_activation act, long double x, const scalar::Params& p) {
  return slope(act, Big(x), Big(p.p[0]), Big(p.p[1]), -1);
}

Slope oracle_dparam(mish_activation act, long double x, const scalar::Params& p, int k) {
  return slope(act, Big(x), Big(p.p[0]), Big(p.p[1]), k);
}

}  // namespace mish::accuracy
