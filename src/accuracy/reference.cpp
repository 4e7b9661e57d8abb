#include "reference.hpp"

#include <type_traits>

#include "scalar/all.hpp"

namespace mish::accuracy {
namespace {

// Optional members of a functor: bwd_scale and dparam_scale.
template <class F, class = void>
struct HasBwdScale : std::false_type {};
template <class F>
struct HasBwdScale<F, std::void_t<decltype(F::template bwd_scale<Ld>(Ld(0), scalar::Params{}))>> : std::true_type {};
template <class F, class = void>
struct HasDparamScale : std::false_type {};
template <class F>
struct HasDparamScale<F, std::void_t<decltype(F::template dparam_scale<Ld>(Ld(0), scalar::Params{}, 0))>>
    : std::true_type {};

struct Entry {
  Ld (*fwd)(Ld, const scalar::Params&);
  Ld (*bwd)(Ld, const scalar::Params&, Ld*);
  Ld (*bwd_scale)(Ld, const scalar::Params&);
  Ld (*dparam_scale)(Ld, const scalar::Params&, int);
};

template <class F>
Entry make_entry() {
  Entry e;
  e.fwd = [](Ld x, const scalar::Params& p) { return F::template fwd<Ld>(x, p); };
  e.bwd = [](Ld x, const scalar::Params& p, Ld* dp) { return F::template bwd<Ld>(x, p, dp); };
  if constexpr (HasBwdScale<F>::value) {
    e.bwd_scale = [](Ld x, const scalar::Params& p) { return F::template bwd_scale<Ld>(x, p); };
  } else {
    e.bwd_scale = [](Ld x, const scalar::Params& p) { return scalar::abs_(F::template bwd<Ld>(x, p, nullptr)); };
  }
  if constexpr (HasDparamScale<F>::value) {
    e.dparam_scale = [](Ld x, const scalar::Params& p, int k) { return F::template dparam_scale<Ld>(x, p, k); };
  } else {
    e.dparam_scale = [](Ld x, const scalar::Params& p, int k) {
      Ld dp[MISH_MAX_PARAMS] = {};
      F::template bwd<Ld>(x, p, dp);
      return scalar::abs_(dp[k]);
    };
  }
  return e;
}

const Entry& entry(mish_activation act) {
  static const Entry table[] = {
#define MISH_ACTIVATION(ID, NAME, FUNCTOR, ...) make_entry<scalar::FUNCTOR>(),
#include "mish/activations.def"
#undef MISH_ACTIVATION
  };
  return table[act];
}

}  // namespace

Ld ref_fwd(mish_activation act, Ld x, const scalar::Params& p) { return entry(act).fwd(x, p); }
Ld ref_bwd(mish_activation act, Ld x, const scalar::Params& p, Ld* dp) { return entry(act).bwd(x, p, dp); }
Ld ref_bwd_scale(mish_activation act, Ld x, const scalar::Params& p) { return entry(act).bwd_scale(x, p); }
Ld ref_dparam_scale(mish_activation act, Ld x, const scalar::Params& p, int k) {
  return entry(act).dparam_scale(x, p, k);
}

scalar::Params default_params(mish_activation act) {
  scalar::Params p;
  for (int k = 0; k < mish_act_num_params(act); ++k) p.p[k] = mish_act_param_default(act, k);
  return p;
}

}  // namespace mish::accuracy
