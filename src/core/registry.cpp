#include "registry.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "scalar/all.hpp"

namespace mish::detail {
namespace {

// "beta=1,threshold=20" -> [{beta, 1}, {threshold, 20}]. The strings are the
// registry's own, so a malformed one is a programming error caught by tests.
std::vector<ParamInfo> parse_spec(const char* spec) {
  std::vector<ParamInfo> out;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t eq = item.find('=');
    out.push_back({item.substr(0, eq), std::strtod(item.c_str() + eq + 1, nullptr)});
  }
  return out;
}

}  // namespace

const std::vector<ActivationInfo>& registry() {
  static const std::vector<ActivationInfo> table = {
#define MISH_ACTIVATION(ID, NAME, FUNCTOR, PARAMS, U32F, U32B, U64F, U64B, H16, ...) \
  {NAME, parse_spec(PARAMS), &scalar::FUNCTOR::check, U32F, U32B, U64F, U64B, H16},
#include "mish/activations.def"
#undef MISH_ACTIVATION
  };
  return table;
}

int make_params(mish_activation act, const double* values, size_t nparams, scalar::Params& p, std::string& why) {
  const ActivationInfo& info = registry()[act];
  if (nparams > info.params.size()) {
    why = std::string(info.name) + " takes " + std::to_string(info.params.size()) + " parameter(s), got " +
          std::to_string(nparams);
    return MISH_ERR_BAD_PARAM;
  }
  if (nparams > 0 && values == nullptr) {
    why = "params is NULL but nparams is " + std::to_string(nparams);
    return MISH_ERR_NULL_POINTER;
  }
  for (size_t k = 0; k < info.params.size(); ++k) p.p[k] = k < nparams ? values[k] : info.params[k].default_value;
  if (const char* bad = info.check(p)) {
    std::ostringstream os;
    os << info.name << ": " << bad << " (got";
    for (size_t k = 0; k < info.params.size(); ++k) os << ' ' << info.params[k].name << '=' << p.p[k];
    os << ')';
    why = os.str();
    return MISH_ERR_BAD_PARAM;
  }
  return MISH_OK;
}

}  // namespace mish::detail
