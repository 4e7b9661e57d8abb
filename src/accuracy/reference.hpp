// The fast reference: the scalar formulas evaluated in long double (64-bit
// significand, 11 bits more than double). tests/accuracy/test_oracle.cpp proves
// it against the MPFR oracle; the sweeps then use it as the truth for float,
// double and the 16-bit types.
#pragma once

#include "mish/mish.h"
#include "scalar/common.hpp"

namespace mish::accuracy {

using Ld = long double;

Ld ref_fwd(mish_activation act, Ld x, const scalar::Params& p);
// f'(x); dp (may be null) receives df/dparam_k.
Ld ref_bwd(mish_activation act, Ld x, const scalar::Params& p, Ld* dp = nullptr);
// The magnitude backward errors are measured against: max(|f'|, largest term of f').
Ld ref_bwd_scale(mish_activation act, Ld x, const scalar::Params& p);
// Likewise for df/dparam_k.
Ld ref_dparam_scale(mish_activation act, Ld x, const scalar::Params& p, int k);

// Parameters at their registry defaults.
scalar::Params default_params(mish_activation act);

}  // namespace mish::accuracy
