// The truth the peers are measured against: Mish and its derivative at x,
// evaluated with MPFR at 160 bits and rounded once to long double (far finer
// than the float and bf16 results it judges).
#pragma once

namespace mish::compare {

struct Truth {
  long double f = 0;         // x tanh(softplus(x))
  long double df = 0;        // f'(x) = tanh(sp) + x sigmoid(x) sech^2(sp)
  long double df_scale = 0;  // max(|f'|, |tanh(sp)|, |x sigmoid(x) sech^2(sp)|): backward errors
                             // are ULPs at this magnitude (f' crosses zero at x = -1.19)
};

Truth truth(double x);

}  // namespace mish::compare
