#include "reference.hpp"

#include <mpfr.h>

#include <cmath>
#include <limits>

namespace mish::compare {
namespace {

struct Mp {
  mpfr_t v;
  Mp() { mpfr_init2(v, 160); }
  ~Mp() { mpfr_clear(v); }
  Mp(const Mp&) = delete;
  Mp& operator=(const Mp&) = delete;
  long double ld() const { return mpfr_get_ld(v, MPFR_RNDN); }
};

}  // namespace

Truth truth(double x) {
  Truth t;
  if (std::isnan(x)) {
    t.f = t.df = t.df_scale = std::numeric_limits<long double>::quiet_NaN();
    return t;
  }
  // Beyond |x| = 1e4 the answer is exact in long double: f = x and f' = 1
  // above; below, f and f' are about x e^x (under 1e-4000), which round to -0.
  if (x > 1e4) return {static_cast<long double>(x), 1.0L, 1.0L};
  if (x < -1e4) return {-0.0L, -0.0L, 0.0L};
  Mp X, e, sp, th, sech2, sig, term, tmp;
  mpfr_set_d(X.v, x, MPFR_RNDN);
  mpfr_exp(e.v, X.v, MPFR_RNDN);                // e^x
  mpfr_log1p(sp.v, e.v, MPFR_RNDN);             // softplus
  mpfr_tanh(th.v, sp.v, MPFR_RNDN);             // tanh(softplus)
  mpfr_mul(tmp.v, X.v, th.v, MPFR_RNDN);        // f
  t.f = tmp.ld();
  mpfr_sqr(sech2.v, th.v, MPFR_RNDN);
  mpfr_ui_sub(sech2.v, 1, sech2.v, MPFR_RNDN);  // sech^2 = 1 - tanh^2
  mpfr_add_ui(sig.v, e.v, 1, MPFR_RNDN);
  mpfr_div(sig.v, e.v, sig.v, MPFR_RNDN);       // sigmoid = e^x / (1 + e^x)
  mpfr_mul(term.v, X.v, sig.v, MPFR_RNDN);
  mpfr_mul(term.v, term.v, sech2.v, MPFR_RNDN);  // x sigmoid sech^2
  mpfr_add(tmp.v, th.v, term.v, MPFR_RNDN);
  t.df = tmp.ld();
  t.df_scale = std::fmax(std::fabs(t.df), std::fmax(std::fabs(th.ld()), std::fabs(term.ld())));
  return t;
}

}  // namespace mish::compare
