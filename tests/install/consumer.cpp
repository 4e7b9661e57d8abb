// A user's program, built against the installed package.
#include <mish/activations.hpp>

#include <cmath>
#include <cstdio>

int main() {
  const float x[3] = {-1.192431f, 0.0f, 2.0f};
  float y[3];
  mish::forward(mish::Spec::parse("mish"), x, y, 3);
  std::printf("mish(-1.192431) = %.6f (version %s)\n", y[0], mish::version());
  return std::fabs(y[0] + 0.308843f) < 1e-5f && y[1] == 0.0f ? 0 : 1;
}
