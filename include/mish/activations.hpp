// libmish: the C++ API (a thin layer over mish.h that throws mish::Error).
//
//   std::vector<float> y(x.size());
//   mish::forward(mish::Spec::parse("mish"), x.data(), y.data(), x.size());
//   mish::Spec swish = mish::Spec::parse("swish:beta=1.5");
//   double dbeta;
//   mish::backward(swish, x.data(), dy.data(), dx.data(), x.size(), &dbeta);
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mish/mish.h"

namespace mish {

// A failed call: what() says what was wrong and what to do.
class MISH_API Error : public std::runtime_error {
 public:
  Error(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

// Strong types for the 16-bit formats (their bits).
struct bfloat16 {
  uint16_t bits;
};
struct float16 {
  uint16_t bits;
};

template <class T>
struct dtype_of;
template <>
struct dtype_of<float> {
  static constexpr mish_dtype value = MISH_F32;
};
template <>
struct dtype_of<double> {
  static constexpr mish_dtype value = MISH_F64;
};
template <>
struct dtype_of<bfloat16> {
  static constexpr mish_dtype value = MISH_BF16;
};
template <>
struct dtype_of<float16> {
  static constexpr mish_dtype value = MISH_F16;
};

// An activation with all its parameters ("swish:beta=1.5", "softplus:beta=2,threshold=10",
// or positionally "leaky_relu:0.3"). Aliases: "silu" = swish with beta 1.
struct MISH_API Spec {
  mish_activation id = MISH_ACT_MISH;
  std::vector<double> params;  // always the full list, defaults filled in

  Spec() = default;
  explicit Spec(mish_activation act);
  Spec(mish_activation act, std::vector<double> values);  // leading values, rest default
  static Spec parse(const std::string& text);             // throws Error naming the problem
  const char* name() const;
  std::string str() const;  // canonical text, parse(str()) == *this
  bool operator==(const Spec& o) const { return id == o.id && params == o.params; }
};

MISH_API std::vector<std::string> activation_names();

// Throws Error for a non-zero status, with mish_last_error()'s detail.
MISH_API void check(int status);

template <class T>
void forward(const Spec& s, const T* x, T* y, size_t n) {
  check(mish_act_forward(s.id, dtype_of<T>::value, s.params.data(), s.params.size(), x, y, n));
}

// dparams: nullptr or room for s.params.size() values (dL/dparam_k).
template <class T>
void backward(const Spec& s, const T* x, const T* dy, T* dx, size_t n, double* dparams = nullptr) {
  check(mish_act_backward(s.id, dtype_of<T>::value, s.params.data(), s.params.size(), x, dy, dx, n, dparams));
}

inline void set_num_threads(int n) { mish_set_num_threads(n); }
inline int num_threads() { return mish_get_num_threads(); }

MISH_API std::vector<std::string> simd_targets();  // usable here, best first
inline std::string simd_target() { return mish_simd_target(); }
inline void set_simd_target(const std::string& name) { check(mish_set_simd_target(name.c_str())); }

inline const char* version() { return mish_version(); }

}  // namespace mish
