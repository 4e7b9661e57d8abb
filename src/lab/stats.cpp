#include "stats.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace mish::lab {
namespace {

void check(const std::vector<double>& x, const char* what, size_t at_least) {
  if (x.size() < at_least) {
    throw std::invalid_argument(std::string(what) + " needs at least " + std::to_string(at_least) + " value(s), got " +
                                std::to_string(x.size()));
  }
  for (double v : x) {
    if (!std::isfinite(v)) throw std::invalid_argument(std::string(what) + ": a value is not finite");
  }
}

double mean(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size()); }

double variance(const std::vector<double>& x, double m) {
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size() - 1);
}

}  // namespace

Summary summarize(const std::vector<double>& x) {
  check(x, "a summary", 1);
  Summary s;
  s.n = x.size();
  s.mean = mean(x);
  s.min = *std::min_element(x.begin(), x.end());
  s.max = *std::max_element(x.begin(), x.end());
  if (s.n < 2) {
    s.ci_low = s.ci_high = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  s.std = std::sqrt(variance(x, s.mean));
  const boost::math::students_t dist(static_cast<double>(s.n - 1));
  const double half = boost::math::quantile(boost::math::complement(dist, 0.025)) * s.std /
                      std::sqrt(static_cast<double>(s.n));
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  return s;
}

Comparison welch(const std::vector<double>& a, const std::vector<double>& b) {
  check(a, "Welch's t-test (first group)", 2);
  check(b, "Welch's t-test (second group)", 2);
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double ma = mean(a), mb = mean(b), va = variance(a, ma), vb = variance(b, mb);
  Comparison c;
  const double pooled = std::sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2));
  const double se2 = va / na + vb / nb;
  if (se2 == 0) {
    const bool same = ma == mb;
    c.t = same ? 0 : std::copysign(std::numeric_limits<double>::infinity(), ma - mb);
    c.df = na + nb - 2;
    c.p = same ? 1 : 0;
    c.cohens_d = same ? 0 : c.t;
    return c;
  }
  c.t = (ma - mb) / std::sqrt(se2);
  c.df = se2 * se2 / ((va / na) * (va / na) / (na - 1) + (vb / nb) * (vb / nb) / (nb - 1));
  const boost::math::students_t dist(c.df);
  c.p = 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(c.t)));
  c.cohens_d = (ma - mb) / pooled;
  return c;
}

}  // namespace mish::lab
