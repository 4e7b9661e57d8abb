// The lab's statistics against values computed independently (mpmath, 40
// digits, from the textbook formulas; the data are Welch's-test example 1 of
// the Wikipedia article, whose quoted t = -2.46, df = 24.99, p = 0.021 agree).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "stats.hpp"

namespace {

const std::vector<double> kA1 = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
const std::vector<double> kA2 = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};

TEST(Stats, WelchTestTextbookExample) {
  const auto c = mish::lab::welch(kA1, kA2);
  EXPECT_NEAR(c.t, -2.455356398286, 1e-10);
  EXPECT_NEAR(c.df, 24.9885292902314, 1e-9);
  EXPECT_NEAR(c.p, 0.0213780014628671, 1e-12);
  EXPECT_NEAR(c.cohens_d, -0.896569390703922, 1e-12);
  const auto r = mish::lab::welch(kA2, kA1);  // symmetric
  EXPECT_NEAR(r.t, 2.455356398286, 1e-10);
  EXPECT_NEAR(r.p, c.p, 1e-15);
}

TEST(Stats, SummaryWithConfidenceInterval) {
  const auto s = mish::lab::summarize(kA1);
  EXPECT_EQ(s.n, 15u);
  EXPECT_NEAR(s.mean, 20.82, 1e-12);
  EXPECT_NEAR(s.std, 2.80489368273177, 1e-12);
  EXPECT_NEAR(s.ci_high - s.mean, 1.55329834754876, 1e-11);  // t(0.975, 14) = 2.1447866879178
  EXPECT_NEAR(s.mean - s.ci_low, 1.55329834754876, 1e-11);
  EXPECT_EQ(s.min, 16.9);
  EXPECT_EQ(s.max, 27.5);
}

TEST(Stats, EdgeCases) {
  const auto one = mish::lab::summarize({0.5});
  EXPECT_EQ(one.std, 0);
  EXPECT_TRUE(std::isnan(one.ci_low));
  EXPECT_THROW(mish::lab::summarize({}), std::invalid_argument);
  EXPECT_THROW(mish::lab::summarize({1.0, NAN}), std::invalid_argument);
  EXPECT_THROW(mish::lab::welch({1.0}, {1.0, 2.0}), std::invalid_argument);
  const auto same = mish::lab::welch({0.9, 0.9, 0.9}, {0.9, 0.9});
  EXPECT_EQ(same.t, 0);
  EXPECT_EQ(same.p, 1);
  const auto apart = mish::lab::welch({0.9, 0.9}, {0.8, 0.8});
  EXPECT_TRUE(std::isinf(apart.t));
  EXPECT_EQ(apart.p, 0);
}

}  // namespace
