// Storage types and their vector loads / stores (per target).
//
// 16-bit types are widened to float for computing and narrowed with
// round-to-nearest-even. Highway 1.0.3's DemoteTo truncates bfloat16 and, on
// targets without F16C, binary16 too, so the narrowing is done here in integer
// lanes, bit-identical to scalar/half.hpp on every target.
#if defined(MISH_SIMD_CONVERT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISH_SIMD_CONVERT_INL_H_
#undef MISH_SIMD_CONVERT_INL_H_
#else
#define MISH_SIMD_CONVERT_INL_H_
#endif

#include <hwy/highway.h>

#include "scalar/half.hpp"
#include "storage.hpp"

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class S, class D>
HWY_INLINE hn::VFromD<D> LoadS(D d, const typename Storage<S>::Elem* p) {
  if constexpr (std::is_same<S, Bf16>::value) {
    const hn::Rebind<uint16_t, D> du16;
    const hn::RebindToUnsigned<D> du32;
    return hn::BitCast(d, hn::ShiftLeft<16>(hn::PromoteTo(du32, hn::LoadU(du16, p))));
  } else if constexpr (std::is_same<S, F16>::value) {
    const hn::Rebind<uint16_t, D> du16;
#if HWY_TARGET <= HWY_AVX2  // F16C: exact, including inf and NaN
    const hn::Rebind<hwy::float16_t, D> df16;
    return hn::PromoteTo(d, hn::BitCast(df16, hn::LoadU(du16, p)));
#else  // Highway's emulation maps inf/NaN to finite values; widen by hand
    const hn::RebindToSigned<D> di;
    const auto h = hn::BitCast(di, hn::PromoteTo(hn::RebindToUnsigned<D>(), hn::LoadU(du16, p)));
    const auto mag = hn::And(h, hn::Set(di, 0x7FFF));
    const auto sign = hn::ShiftLeft<16>(hn::And(h, hn::Set(di, 0x8000)));
    // normal: rebias the exponent (+112); inf/NaN: exponent all ones
    const auto normal = hn::Add(hn::ShiftLeft<13>(mag), hn::Set(di, 112 << 23));
    const auto special = hn::Or(hn::ShiftLeft<13>(mag), hn::Set(di, 0x7F800000));
    auto bits = hn::IfThenElse(hn::Gt(mag, hn::Set(di, 0x7BFF)), special, normal);
    // zero / subnormal: mantissa * 2^-24, exactly (no float denormal arithmetic)
    const auto sub = hn::BitCast(di, hn::Mul(hn::ConvertTo(d, mag), hn::Set(d, 5.9604644775390625e-8f)));
    bits = hn::IfThenElse(hn::Lt(mag, hn::Set(di, 0x0400)), sub, bits);
    return hn::BitCast(d, hn::Or(bits, sign));
#endif
  } else {
    return hn::LoadU(d, p);
  }
}

// float lanes -> bfloat16 bits (in int32 lanes), round to nearest even.
template <class D>
HWY_INLINE hn::VFromD<hn::RebindToSigned<D>> ToBf16Bits(D /* d */, hn::VFromD<D> v) {
  const hn::RebindToSigned<D> di;
  const auto u = hn::BitCast(di, v);
  const auto a = hn::And(u, hn::Set(di, 0x7FFFFFFF));
  const auto hi = hn::ShiftRight<16>(hn::BitCast(hn::RebindToUnsigned<D>(), u));
  const auto odd = hn::And(hn::BitCast(di, hi), hn::Set(di, 1));
  const auto rounded = hn::BitCast(
      di, hn::ShiftRight<16>(hn::BitCast(hn::RebindToUnsigned<D>(), hn::Add(hn::Add(u, hn::Set(di, 0x7FFF)), odd))));
  const auto qnan = hn::Or(hn::BitCast(di, hi), hn::Set(di, 0x40));
  return hn::IfThenElse(hn::Gt(a, hn::Set(di, 0x7F800000)), qnan, rounded);
}

// float lanes -> binary16 bits (in int32 lanes), round to nearest even.
template <class D>
HWY_INLINE hn::VFromD<hn::RebindToSigned<D>> ToF16Bits(D d, hn::VFromD<D> v) {
  const hn::RebindToSigned<D> di;
  const hn::RebindToUnsigned<D> du;
  const auto u = hn::BitCast(di, v);
  const auto a = hn::And(u, hn::Set(di, 0x7FFFFFFF));
  const auto sign = hn::And(hn::BitCast(di, hn::ShiftRight<16>(hn::BitCast(du, u))), hn::Set(di, 0x8000));
  // normal half: rebias the exponent and round at bit 13
  const auto odd = hn::And(hn::ShiftRight<13>(a), hn::Set(di, 1));
  const auto normal = hn::ShiftRight<13>(hn::Add(hn::Add(a, hn::Set(di, 0xFFF - 0x38000000)), odd));
  // subnormal half: let the float adder round the 2^-24 unit (see half.hpp)
  const auto sub = hn::Sub(hn::BitCast(di, hn::Add(hn::BitCast(d, a), hn::Set(d, 0.5f))), hn::Set(di, 0x3F000000));
  auto r = hn::IfThenElse(hn::Gt(a, hn::Set(di, 0x38800000 - 1)), normal, sub);
  r = hn::IfThenElse(hn::Gt(a, hn::Set(di, 0x477FF000 - 1)), hn::Set(di, 0x7C00), r);
  const auto nan = hn::Or(hn::Set(di, 0x7E00), hn::And(hn::ShiftRight<13>(a), hn::Set(di, 0x3FF)));
  r = hn::IfThenElse(hn::Gt(a, hn::Set(di, 0x7F800000)), nan, r);
  return hn::Or(r, sign);
}

template <class S, class D>
HWY_INLINE void StoreS(D d, hn::VFromD<D> v, typename Storage<S>::Elem* p) {
  if constexpr (std::is_same<S, Bf16>::value || std::is_same<S, F16>::value) {
    const hn::Rebind<uint16_t, D> du16;
    const auto bits = std::is_same<S, Bf16>::value ? ToBf16Bits(d, v) : ToF16Bits(d, v);
    hn::StoreU(hn::DemoteTo(du16, bits), du16, p);
  } else {
    hn::StoreU(v, d, p);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SIMD_CONVERT_INL_H_
