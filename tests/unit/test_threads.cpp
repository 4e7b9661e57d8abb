// Threading: large inputs split over threads give bit-identical results, and
// parameter gradients are reproducible whatever the thread count.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "mish/mish.h"

namespace {

class Threads : public ::testing::Test {
 protected:
  void TearDown() override { mish_set_num_threads(0); }
};

TEST_F(Threads, SettingAndDefault) {
  mish_set_num_threads(3);
  EXPECT_EQ(mish_get_num_threads(), 3);
  mish_set_num_threads(0);
  EXPECT_GE(mish_get_num_threads(), 1);
  mish_set_num_threads(-5);
  EXPECT_GE(mish_get_num_threads(), 1);
}

TEST_F(Threads, ThreadedEqualsSingleThreadedBitForBit) {
  const size_t n = (1u << 20) + 13;  // many grains, ragged end
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-20.f, 20.f);
  std::vector<float> x(n), dy(n);
  for (size_t i = 0; i < n; ++i) x[i] = u(rng), dy[i] = u(rng);
  for (mish_activation act : {MISH_ACT_MISH, MISH_ACT_SWISH, MISH_ACT_SOFTPLUS}) {
    std::vector<std::vector<float>> ys, dxs;
    std::vector<std::vector<double>> dps;
    for (int t : {1, 2, 3, 7}) {
      mish_set_num_threads(t);
      std::vector<float> y(n), dx(n);
      std::vector<double> dp(2, 0.0);
      ASSERT_EQ(mish_act_forward(act, MISH_F32, nullptr, 0, x.data(), y.data(), n), MISH_OK);
      ASSERT_EQ(mish_act_backward(act, MISH_F32, nullptr, 0, x.data(), dy.data(), dx.data(), n, dp.data()), MISH_OK);
      ys.push_back(y);
      dxs.push_back(dx);
      dps.push_back(dp);
    }
    for (size_t k = 1; k < ys.size(); ++k) {
      EXPECT_EQ(ys[k], ys[0]) << mish_act_name(act);
      EXPECT_EQ(dxs[k], dxs[0]) << mish_act_name(act);
      EXPECT_EQ(dps[k], dps[0]) << mish_act_name(act);  // exact: fixed chunking
    }
  }
}

}  // namespace
