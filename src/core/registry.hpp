// Registry metadata (names, parameters, checks, ULP budgets) expanded from
// include/mish/activations.def.
#pragma once

#include <string>
#include <vector>

#include "mish/mish.h"
#include "scalar/common.hpp"

namespace mish::detail {

struct ParamInfo {
  std::string name;
  double default_value;
};

struct ActivationInfo {
  const char* name;
  std::vector<ParamInfo> params;
  const char* (*check)(const scalar::Params&);  // nullptr, or what is wrong
  int ulp_f32_fwd, ulp_f32_bwd, ulp_f64_fwd, ulp_f64_bwd;
  int h16_permille;  // 16-bit results correctly rounded, per mille
};

// Indexed by mish_activation.
const std::vector<ActivationInfo>& registry();

// Fills p from the defaults and the first nparams values, then validates.
// Returns MISH_OK or MISH_ERR_BAD_PARAM with `why` set.
int make_params(mish_activation act, const double* values, size_t nparams, scalar::Params& p, std::string& why);

}  // namespace mish::detail
