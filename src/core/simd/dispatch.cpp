// The one translation unit compiled for every Highway target: it re-includes
// itself through foreach_target.h, so each target gets its own copy of the
// kernels (simd/kernels-inl.h), and then builds the list of targets this CPU
// can run. No -march flag is needed or wanted here (see DESIGN.md, pitfalls).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/dispatch.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "simd/kernels-inl.h"

#if HWY_ONCE
#include <hwy/targets.h>

namespace mish {
HWY_EXPORT(GetKernelTable);

namespace detail {

const std::vector<Target>& available_targets() {
  static const std::vector<Target> targets = [] {
    std::vector<Target> v;
    constexpr size_t kEntries = sizeof(HWY_DISPATCH_TABLE(GetKernelTable)) /
                                sizeof(HWY_DISPATCH_TABLE(GetKernelTable)[0]);
    for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
      size_t index = 0;
      if (kEntries > 1) {
        index = hwy::Num0BitsBelowLS1Bit_Nonzero64(
            static_cast<uint64_t>(HWY_CHOSEN_TARGET_SHIFT(target) | HWY_CHOSEN_TARGET_MASK_SCALAR));
      }
      if (index >= kEntries || HWY_DISPATCH_TABLE(GetKernelTable)[index] == nullptr) continue;
      v.push_back({hwy::TargetName(target), HWY_DISPATCH_TABLE(GetKernelTable)[index]()});
    }
    if (v.empty()) v.push_back({hwy::TargetName(HWY_STATIC_TARGET), HWY_STATIC_DISPATCH(GetKernelTable)()});
    return v;
  }();
  return targets;
}

}  // namespace detail
}  // namespace mish
#endif  // HWY_ONCE
