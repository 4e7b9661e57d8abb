#include "measure.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "ulp.hpp"

namespace mish::compare {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
const accuracy::Half kBf16{true};

uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
float float_of(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

// Runs fn(i) for i in [0, n) on `threads` threads, in contiguous chunks.
template <class Fn>
void parallel_for(size_t n, int threads, Fn fn) {
  const size_t t = static_cast<size_t>(std::max(1, threads));
  std::vector<std::thread> pool;
  for (size_t k = 0; k < t; ++k) {
    pool.emplace_back([&, k] {
      for (size_t i = n * k / t; i < n * (k + 1) / t; ++i) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

std::string show(long double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9Lg", v);
  return buf;
}

// Aligned storage for n elements of a dtype.
struct Buffer {
  std::unique_ptr<void, decltype(&std::free)> p{nullptr, &std::free};
  explicit Buffer(size_t bytes) : p(std::aligned_alloc(64, (bytes + 63) / 64 * 64), &std::free) {
    if (!p) throw std::bad_alloc();
  }
  void* get() const { return p.get(); }
};

// One buffer set per dtype and size, inputs in [-10, 10], dy in [-1, 1].
struct Data {
  Buffer x, dy, out;
  Data(Dtype d, size_t n) : x(n * size_of(d)), dy(n * size_of(d)), out(n * size_of(d)) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> ux(-10.0f, 10.0f), ud(-1.0f, 1.0f);
    for (size_t i = 0; i < n; ++i) {
      const float a = ux(rng), b = ud(rng);
      if (d == Dtype::f32) {
        static_cast<float*>(x.get())[i] = a;
        static_cast<float*>(dy.get())[i] = b;
      } else {
        static_cast<uint16_t*>(x.get())[i] = kBf16.from_f32(a);
        static_cast<uint16_t*>(dy.get())[i] = kBf16.from_f32(b);
      }
    }
    std::memset(out.get(), 0, n * size_of(d));
  }
};

// Collects the median of each benchmark's repetitions (google/benchmark
// computes it for 2 or more; a single repetition is its own median).
class Collector : public benchmark::BenchmarkReporter {
 public:
  std::map<std::string, double> median_ns;
  std::function<void(const std::string&, double)> on_result;
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const bool single = r.run_type == Run::RT_Iteration && r.repetitions <= 1;
      if (!single && (r.run_type != Run::RT_Aggregate || r.aggregate_name != "median")) continue;
      median_ns[r.run_name.function_name] = r.GetAdjustedRealTime();
      if (on_result) on_result(r.run_name.function_name, r.GetAdjustedRealTime());
    }
  }
};

}  // namespace

std::vector<float> special_values() {
  const float fmax = std::numeric_limits<float>::max(), fmin = std::numeric_limits<float>::min(),
              dmin = std::numeric_limits<float>::denorm_min();
  return {0.0f,   -0.0f,   kInf,     -kInf,   std::numeric_limits<float>::quiet_NaN(),
          dmin,   -dmin,   1e-40f,   -1e-40f, fmin,
          -fmin,  1e-30f,  -1e-30f,  -1.1924f, -1.19223f,  // near the root of f'
          -20.0f, -60.0f,  -87.0f,   -88.0f,  -89.0f,
          -95.0f, -100.0f, -103.0f,  -104.0f, -110.0f,
          -150.0f, -1e4f,  -1e30f,   -fmax,   8.0f,
          9.0f,   20.0f,   88.0f,    89.0f,   100.0f,
          1e30f,  fmax};
}

Points make_points(Dtype d, size_t n, int threads) {
  Points p;
  p.dtype = d;
  if (d == Dtype::f32) {
    const size_t lin = std::max<size_t>(2, n / 2);
    for (size_t i = 0; i < lin; ++i) {
      p.x.push_back(static_cast<float>(-100.0 + 200.0 * static_cast<double>(i) / static_cast<double>(lin - 1)));
    }
    const uint32_t top = bits_of(100.0f);
    const uint32_t stride = std::max<uint32_t>(1, static_cast<uint32_t>(top / std::max<size_t>(1, n / 4)));
    for (uint32_t b = 1; b <= top; b += stride) {
      p.x.push_back(float_of(b));
      p.x.push_back(-float_of(b));
      if (b > top - stride) break;
    }
    std::sort(p.x.begin(), p.x.end());
    p.x.erase(std::unique(p.x.begin(), p.x.end()), p.x.end());
  } else {
    for (uint32_t h = 0; h < 0x10000; ++h) {
      const float v = kBf16.to_f32(static_cast<uint16_t>(h));
      if (std::fabs(v) <= 100.0f) p.x.push_back(v);
    }
  }
  p.sweep = p.x.size();
  for (const float s : special_values()) {
    const float v = d == Dtype::f32 ? s : kBf16.to_f32(kBf16.from_f32(s));
    const bool seen = std::any_of(p.x.begin() + static_cast<std::ptrdiff_t>(p.sweep), p.x.end(), [&](float e) {
      return bits_of(e) == bits_of(v) || (std::isnan(e) && std::isnan(v));
    });
    if (!seen) p.x.push_back(v);
  }
  p.truth.resize(p.x.size());
  parallel_for(p.x.size(), threads, [&](size_t i) { p.truth[i] = truth(p.x[i]); });
  return p;
}

Accuracy accuracy(const Peer& peer, Op o, const Points& pts, int threads) {
  const Dtype d = pts.dtype;
  const size_t n = pts.x.size();
  Accuracy a;
  a.peer = peer.id;
  a.dtype = d;
  a.op = o;
  a.points = pts.sweep;
  Buffer x(n * size_of(d)), dy(n * size_of(d)), out(n * size_of(d));
  for (size_t i = 0; i < n; ++i) {
    if (d == Dtype::f32) {
      static_cast<float*>(x.get())[i] = pts.x[i];
      static_cast<float*>(dy.get())[i] = 1.0f;
    } else {
      static_cast<uint16_t*>(x.get())[i] = kBf16.from_f32(pts.x[i]);
      static_cast<uint16_t*>(dy.get())[i] = kBf16.from_f32(1.0f);
    }
  }
  try {
    peer.set_threads(threads);
    peer.get(d, o)(Buffers{x.get(), dy.get(), out.get(), n, true})();
  } catch (const std::exception& e) {
    a.error = e.what();
    a.max_ulp = a.core_max_ulp = std::numeric_limits<double>::infinity();
    return a;
  }

  size_t over = 0;
  for (size_t i = 0; i < n; ++i) {
    const Truth& t = pts.truth[i];
    const long double ref = o == Op::fwd ? t.f : t.df;
    long double got;
    double err;
    if (d == Dtype::f32) {
      const float g = static_cast<const float*>(out.get())[i];
      got = g;
      err = accuracy::ulp_error<float>(g, ref, o == Op::fwd ? 0.0L : t.df_scale);
    } else {
      const uint16_t g = static_cast<const uint16_t*>(out.get())[i];
      got = kBf16.to_f32(g);
      const int32_t steps = kBf16.distance(g, kBf16.round(ref));
      err = steps >= (1 << 20) ? std::numeric_limits<double>::infinity() : static_cast<double>(steps);
    }
    if (i < pts.sweep) {
      if (err > a.max_ulp || (std::isnan(err) && !std::isnan(a.max_ulp))) {
        a.max_ulp = err;
        a.x_at_max = pts.x[i];
      }
      if (!(err <= 1.0)) ++over;
      if (std::fabs(pts.x[i]) <= 10.0f && err > a.core_max_ulp) {
        a.core_max_ulp = err;
        a.core_x_at_max = pts.x[i];
      }
      continue;
    }
    const bool zero_sign = got == 0 && ref == 0 && std::signbit(got) != std::signbit(ref);
    if (!(err <= (d == Dtype::f32 ? 4.0 : 1.0)) || zero_sign) {
      a.wrong.push_back(show(pts.x[i]) + " → " + show(got) + " (want " + show(ref) + ")");
    }
  }
  a.over_1ulp = pts.sweep ? static_cast<double>(over) / static_cast<double>(pts.sweep) : 0;
  return a;
}

std::vector<Speed> speed(const std::vector<Peer>& peers, const SpeedPlan& plan,
                         const std::function<void(const std::string&)>& log) {
  std::vector<std::unique_ptr<Data>> data;
  std::map<std::string, Speed> planned;
  for (const Dtype d : plan.dtypes) {
    for (const size_t n : plan.sizes) {
      data.push_back(std::make_unique<Data>(d, n));
      const Data& buf = *data.back();
      for (const Op o : {Op::fwd, Op::bwd}) {
        for (const Peer& p : peers) {
          if (!p.get(d, o)) continue;
          for (const int t : plan.threads) {
            if (t > 1 && !p.threads_apply) continue;
            const std::string key = p.id + "/" + name(d) + "/" + name(o) + "/" + std::to_string(n) + "/threads:" +
                                    std::to_string(t);
            const Call call = p.get(d, o)(Buffers{buf.x.get(), buf.dy.get(), buf.out.get(), n, false});
            const auto set_threads = p.set_threads;
            benchmark::RegisterBenchmark(key.c_str(),
                                         [call, set_threads, t](benchmark::State& st) {
                                           try {
                                             set_threads(t);
                                             for (int w = 0; w < 3; ++w) call();  // warm-up
                                           } catch (const std::exception& e) {
                                             st.SkipWithError(e.what());  // no time; the row says "—"
                                           }
                                           for (auto _ : st) call();
                                         })
                ->Repetitions(plan.repetitions)
                ->ReportAggregatesOnly(true)
                ->MinTime(plan.min_time)
                ->UseRealTime()
                ->Unit(benchmark::kNanosecond);
            planned[key] = Speed{p.id, d, o, n, t, 0};
          }
        }
      }
    }
  }
  Collector c;
  c.on_result = [&](const std::string& key, double ns) {
    const auto it = planned.find(key);
    if (it == planned.end()) return;
    char line[160];
    std::snprintf(line, sizeof line, "%-48s %10.3f ns/elem", key.c_str(), ns / static_cast<double>(it->second.n));
    log(line);
  };
  benchmark::RunSpecifiedBenchmarks(&c);
  benchmark::ClearRegisteredBenchmarks();
  std::vector<Speed> out;
  for (auto& [key, s] : planned) {
    const auto it = c.median_ns.find(key);
    if (it == c.median_ns.end()) continue;
    s.ns_per_call = it->second;
    out.push_back(s);
  }
  return out;
}

}  // namespace mish::compare
