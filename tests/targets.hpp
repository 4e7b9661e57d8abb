// Test helpers: run a test body once per SIMD target the CPU supports.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mish/mish.h"

namespace mish::test {

inline std::vector<std::string> all_targets() {
  std::vector<std::string> v;
  for (int i = 0; i < mish_simd_target_count(); ++i) v.emplace_back(mish_simd_target_name(i));
  return v;
}

// Fixture parameterised by target name; selects it for the test and restores the best after.
class PerTarget : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ASSERT_EQ(mish_set_simd_target(GetParam().c_str()), MISH_OK) << mish_last_error(); }
  void TearDown() override { mish_set_simd_target(nullptr); }
};

inline std::string target_label(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace mish::test

#define MISH_INSTANTIATE_PER_TARGET(Suite) \
  INSTANTIATE_TEST_SUITE_P(Targets, Suite, ::testing::ValuesIn(mish::test::all_targets()), mish::test::target_label)
