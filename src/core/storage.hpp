// Element types the kernels read and write, and the type they compute in.
#pragma once

#include <cstdint>
#include <type_traits>

#include "scalar/half.hpp"

namespace mish {

struct Bf16 {};  // bfloat16 bits in uint16_t
struct F16 {};   // IEEE binary16 bits in uint16_t

template <class S>
struct Storage {
  using Elem = S;
  using T = S;
  static T load(Elem v) { return v; }
  static Elem store(T v) { return v; }
};
template <>
struct Storage<Bf16> {
  using Elem = uint16_t;
  using T = float;
  static T load(Elem v) { return scalar::bf16_to_f32(v); }
  static Elem store(T v) { return scalar::f32_to_bf16(v); }
};
template <>
struct Storage<F16> {
  using Elem = uint16_t;
  using T = float;
  static T load(Elem v) { return scalar::f16_to_f32(v); }
  static Elem store(T v) { return scalar::f32_to_f16(v); }
};

}  // namespace mish
