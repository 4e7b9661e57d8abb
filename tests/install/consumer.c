/* A C user's program, built with pkg-config against the installed package. */
#include <math.h>
#include <mish/mish.h>
#include <stdio.h>

int main(void) {
  const float x[2] = {-1.192431f, 1.0f};
  float y[2];
  int s = mish_forward_f32(x, y, 2);
  if (s != MISH_OK) {
    fprintf(stderr, "%s\n", mish_strerror(s));
    return 1;
  }
  printf("C: mish(-1.192431) = %.6f\n", y[0]);
  return fabsf(y[0] + 0.308843f) < 1e-5f ? 0 : 1;
}
