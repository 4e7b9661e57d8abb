// Scalar bfloat16 / binary16 <-> float conversions (bits in uint16_t).
//
// Narrowing rounds to nearest, ties to even (truncation, which some libraries
// use for bfloat16, is biased and up to 1 ULP off); NaN stays NaN (quiet),
// overflow goes to infinity as IEEE rounding demands. The SIMD versions in
// simd/convert-inl.h compute the same bits and are tested against these over
// every input.
#pragma once

#include <cstdint>
#include <cstring>

#include "common.hpp"

namespace mish::scalar {

MISH_HD uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

MISH_HD float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

MISH_HD float bf16_to_f32(uint16_t h) {
  return f32_from_bits(static_cast<uint32_t>(h) << 16);
}

MISH_HD uint16_t f32_to_bf16(float f) {
  const uint32_t u = f32_bits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 0x0040u);  // quiet NaN
  // Adding 0x7FFF plus the lowest kept bit rounds half to even; a carry into
  // the exponent is the correct rounding up (to infinity at the top).
  return static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

MISH_HD float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t man = h & 0x3FFu;
  if (exp == 0x1Fu) return f32_from_bits(sign | 0x7F800000u | (man << 13));  // inf / NaN
  if (exp == 0) {
    // zero or subnormal: man * 2^-24, exact in float
    const float v = static_cast<float>(man) * 5.9604644775390625e-8f;
    return sign ? -v : v;
  }
  return f32_from_bits(sign | ((exp + 112u) << 23) | (man << 13));
}

MISH_HD uint16_t f32_to_f16(float f) {
  const uint32_t u = f32_bits(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u | ((a >> 13) & 0x3FFu));  // NaN
  if (a >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // >= 65520 rounds to inf
  if (a >= 0x38800000u) {  // normal half: rebias exponent (127 - 15 = 112), round at bit 13
    const uint32_t r = a - 0x38000000u + 0xFFFu + ((a >> 13) & 1u);
    return static_cast<uint16_t>(sign | (r >> 13));
  }
  // Subnormal half (or zero): adding 0.5f puts the value's 2^-24 unit in the
  // last mantissa bit, so the FPU's own round-to-nearest-even does the work.
  const float v = f32_from_bits(a) + 0.5f;
  return static_cast<uint16_t>(sign | (f32_bits(v) - 0x3F000000u));
}

}  // namespace mish::scalar
