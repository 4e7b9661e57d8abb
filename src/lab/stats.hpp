// Statistics for comparing runs (the lab's sweeps and report): per-group
// summaries with a 95% confidence interval of the mean, and, against a
// baseline group, Welch's t-test and Cohen's d. Distributions from Boost.Math.
#pragma once

#include <cstddef>
#include <vector>

namespace mish::lab {

struct Summary {
  size_t n = 0;
  double mean = 0, std = 0;      // sample standard deviation (n - 1); 0 when n < 2
  double ci_low = 0, ci_high = 0;  // 95% CI of the mean (Student's t); NaN when n < 2
  double min = 0, max = 0;
};

// Throws std::invalid_argument for an empty sample or a non-finite value.
Summary summarize(const std::vector<double>& x);

struct Comparison {
  double t = 0;        // Welch's t statistic of mean(a) - mean(b)
  double df = 0;       // Welch–Satterthwaite degrees of freedom
  double p = 1;        // two-sided p-value
  double cohens_d = 0; // (mean(a) - mean(b)) / pooled standard deviation
};

// Welch's unequal-variances t-test of a against b, and Cohen's d. Needs at
// least 2 values in each; with both variances 0 the means are either equal
// (t = 0, p = 1) or different (t = +-inf, p = 0).
Comparison welch(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace mish::lab
