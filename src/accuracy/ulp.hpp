// Error measures: ULPs of the format under test, and 16-bit rounding checks.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "scalar/half.hpp"

namespace mish::accuracy {

// Spacing of T's values at magnitude |v| (subnormal spacing below the normal range).
template <class T>
long double ulp_of(long double v) {
  v = std::fabs(v);
  if (v < std::numeric_limits<T>::min()) return std::numeric_limits<T>::denorm_min();
  if (v > std::numeric_limits<T>::max()) v = std::numeric_limits<T>::max();
  int e;
  std::frexp(v, &e);  // v = m 2^e, m in [0.5, 1)
  return std::ldexp(1.0L, e - std::numeric_limits<T>::digits);
}

// |got - ref| in ULPs of T at max(|ref|, scale). NaN must match NaN; a result
// that rounds to infinity must be that infinity. Mismatches are +inf.
template <class T>
double ulp_error(T got, long double ref, long double scale = 0) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (std::isnan(ref)) return std::isnan(got) ? 0 : kInf;
  if (std::isnan(got)) return kInf;
  const T rounded = static_cast<T>(ref);
  if (std::isinf(rounded) || std::isinf(got)) return got == rounded ? 0 : kInf;
  const long double s = std::fabs(ref) > scale ? std::fabs(ref) : scale;
  return static_cast<double>(std::fabs(static_cast<long double>(got) - ref) / ulp_of<T>(s));
}

// 16-bit formats: bits <-> float, and the correctly rounded bits of an exact value.
struct Half {
  bool bf16;
  float to_f32(uint16_t h) const { return bf16 ? scalar::bf16_to_f32(h) : scalar::f16_to_f32(h); }
  uint16_t from_f32(float f) const { return bf16 ? scalar::f32_to_bf16(f) : scalar::f32_to_f16(f); }
  // Position on the number line (monotonic; -0 and +0 share 0).
  static int32_t order(uint16_t h) { return (h & 0x8000) ? -static_cast<int32_t>(h & 0x7FFF) : h; }
  static uint16_t from_order(int32_t o) { return o < 0 ? static_cast<uint16_t>(0x8000 | -o) : static_cast<uint16_t>(o); }

  // Round-to-nearest-even of ref (long double) without double rounding.
  uint16_t round(long double ref) const {
    if (std::isnan(ref)) return bf16 ? 0x7FC0 : 0x7E00;
    const uint16_t sign = std::signbit(ref) ? 0x8000 : 0;
    const uint16_t inf = bf16 ? 0x7F80 : 0x7C00;
    // Beyond the largest finite value plus half its ULP, IEEE rounding gives inf.
    const long double limit = bf16 ? std::ldexp(255.0L / 128 + 1.0L / 256, 127) : 65520.0L;
    if (std::fabs(ref) >= limit) return static_cast<uint16_t>(sign | inf);
    const int32_t c = order(from_f32(static_cast<float>(ref)));
    uint16_t best = 0;
    long double best_d = -1;
    for (int32_t o = c - 1; o <= c + 1; ++o) {
      if (o <= -inf || o >= inf) continue;
      const uint16_t h = from_order(o);
      const long double d = std::fabs(static_cast<long double>(to_f32(h)) - ref);
      if (best_d < 0 || d < best_d || (d == best_d && (h & 1) == 0)) best = h, best_d = d;
    }
    if ((best & 0x7FFF) == 0) best = static_cast<uint16_t>(sign);  // keep the sign of zero
    return best;
  }

  // Distance in ULPs between two bit patterns (NaN vs NaN is 0, NaN vs number is huge).
  int32_t distance(uint16_t a, uint16_t b) const {
    const bool na = std::isnan(to_f32(a)), nb = std::isnan(to_f32(b));
    if (na || nb) return na == nb ? 0 : 1 << 20;
    const int32_t d = order(a) - order(b);
    return d < 0 ? -d : d;
  }
};

}  // namespace mish::accuracy
