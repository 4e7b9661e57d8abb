// `mish demo`: the README's main job until the lab exists. Mish's values next
// to the reference, an accuracy summary, and a quick speed table.
#include <chrono>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "commands.hpp"
#include "mish/activations.hpp"
#include "reference.hpp"
#include "sweep.hpp"

namespace mish::cli {
namespace {

// Median ns/element of `reps` calls of fn over n elements.
template <class Fn>
double time_ns(size_t n, int reps, Fn fn) {
  std::vector<double> t;
  fn();  // warm-up
  for (int r = 0; r < reps; ++r) {
    const auto a = std::chrono::steady_clock::now();
    fn();
    const auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double, std::nano>(b - a).count() / static_cast<double>(n));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void values() {
  std::printf("== Mish and its derivative (library, f32) vs the long-double reference ==\n");
  std::printf("%10s %16s %16s %16s %16s\n", "x", "mish(x)", "reference", "mish'(x)", "reference");
  const std::vector<float> xs = {-100.f, -20.f, -5.f, -1.192431f, -1.f, -0.5f, 0.f, 0.5f, 1.f, 1.49f, 5.f, 20.f};
  std::vector<float> y(xs.size()), g(xs.size()), ones(xs.size(), 1.f);
  check(mish_forward_f32(xs.data(), y.data(), xs.size()));
  check(mish_backward_f32(xs.data(), ones.data(), g.data(), xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) {
    const scalar::Params p;
    std::printf("%10.6g %16.9g %16.9Lg %16.9g %16.9Lg\n", xs[i], y[i], accuracy::ref_fwd(MISH_ACT_MISH, xs[i], p),
                g[i], accuracy::ref_bwd(MISH_ACT_MISH, xs[i], p));
  }
  std::printf("minimum -0.308843 at x = -1.192431; f'(0) = 0.6 (the paper's values)\n\n");
}

void accuracy_summary() {
  std::printf("== Accuracy of Mish (max error; f32 every 257th bit pattern, f64 2^18 points, 16-bit all) ==\n");
  accuracy::SweepOptions opt;
  opt.stride = 257;
  opt.f64_points = 1u << 18;
  opt.threads = num_threads();
  opt.window_lo = -1.4424;
  opt.window_hi = -0.9424;
  for (int d = 0; d < MISH_DTYPE_COUNT; ++d) {
    const auto dt = static_cast<mish_dtype>(d);
    const auto r = accuracy::sweep(MISH_ACT_MISH, dt, opt);
    if (dt == MISH_F32 || dt == MISH_F64) {
      std::printf("%-5s forward %.2f ULP, backward %.2f ULP (|x+1.19| < 0.25: abs error %.2g)\n",
                  mish_dtype_name(dt), r.fwd.ulp, r.bwd_plain.ulp, r.bwd_window.ulp);
    } else {
      std::printf("%-5s forward %.2f%% correctly rounded (max %g ULP), backward %.2f%% (max %g ULP)\n",
                  mish_dtype_name(dt), 100 * r.fwd_exact, r.fwd.ulp, 100 * r.bwd_exact, r.bwd.ulp);
    }
  }
  std::printf("(`mish accuracy --exhaustive` runs all 2^32 float inputs for every activation)\n\n");
}

void speed_table() {
  std::printf("== Speed, f32, SIMD target %s (ns/element, median; `bench/` has the full suites) ==\n",
              simd_target().c_str());
  std::printf("%10s %8s %12s %12s %14s\n", "n", "threads", "forward", "backward", "naive loop fwd");
  const int all = num_threads();
  for (size_t n : {size_t(4096), size_t(65536), size_t(1) << 20, size_t(1) << 24}) {
    std::vector<float> x(n), y(n), dy(n, 1.f), dx(n);
    for (size_t i = 0; i < n; ++i) x[i] = -8.f + 16.f * static_cast<float>(i) / static_cast<float>(n);
    const int reps = n >= (1u << 24) ? 5 : 50;
    const double naive = time_ns(n, reps, [&] {
      for (size_t i = 0; i < n; ++i) y[i] = x[i] * std::tanh(std::log1p(std::exp(x[i])));
    });
    for (int t : {1, all}) {
      set_num_threads(t);
      const double f = time_ns(n, reps, [&] { check(mish_forward_f32(x.data(), y.data(), n)); });
      const double b = time_ns(n, reps, [&] { check(mish_backward_f32(x.data(), dy.data(), dx.data(), n)); });
      std::printf("%10zu %8d %12.3f %12.3f %14.3f\n", n, t, f, b, naive);
      if (all == 1) break;
    }
  }
  set_num_threads(0);
}

}  // namespace

void add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "Mish's values, its accuracy and a speed table, in about a minute");
  cmd->callback([] {
    std::printf("mish %s on %s, %d threads\n\n", version(), simd_target().c_str(), num_threads());
    values();
    accuracy_summary();
    speed_table();
  });
}

}  // namespace mish::cli
