// The MPFR oracle: each activation's textbook definition (the DEFINITION
// column of activations.def) evaluated with MPFR numbers through
// Boost.Multiprecision at as many bits as it takes to converge (256 and up),
// and derivatives by one-sided differences. Slow (tens of microseconds a point,
// more where the naive form cancels) and independent of our formulas: it is
// what proves the long-double reference right.
#pragma once

#include "mish/mish.h"
#include "scalar/common.hpp"

namespace mish::accuracy {

// f(x), rounded to long double.
long double oracle_fwd(mish_activation act, long double x, const scalar::Params& p);

// A derivative from the left and from the right; they differ only at a kink.
struct Slope {
  long double left, right;
  bool smooth() const;
};
Slope oracle_bwd(mish_activation act, long double x, const scalar::Params& p);
Slope oracle_dparam(mish_activation act, long double x, const scalar::Params& p, int k);

}  // namespace mish::accuracy
