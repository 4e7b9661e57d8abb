// google/benchmark suites for every registry activation, expanded at start-up:
//   <fwd|bwd>/<activation>/<dtype>/<target>/n:<elements>/threads:<library threads>
// Counters: ns_per_elem (per element per call, wall time) and bytes/s
// (forward moves 2 x n elements, backward 3 x n).
//   bench_activations --benchmark_filter='fwd/mish/f32/AVX3/'
// The default run covers Mish, Swish and GELU on the best target plus every
// target for Mish f32; MISH_BENCH_ALL=1 registers everything.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "mish/activations.hpp"

namespace {

size_t elem_size(mish_dtype dt) { return dt == MISH_F64 ? 8 : dt == MISH_F32 ? 4 : 2; }

// Inputs spread over [-8, 8] in the right format (16-bit types as their bits).
std::vector<unsigned char> make_inputs(mish_dtype dt, size_t n) {
  std::vector<float> f(n);
  for (size_t i = 0; i < n; ++i) f[i] = -8.0f + 16.0f * static_cast<float>((i * 7919) % n) / static_cast<float>(n);
  std::vector<unsigned char> out(n * elem_size(dt));
  if (dt == MISH_F32) {
    std::memcpy(out.data(), f.data(), out.size());
  } else if (dt == MISH_F64) {
    std::vector<double> v(f.begin(), f.end());
    std::memcpy(out.data(), v.data(), out.size());
  } else {
    std::vector<uint16_t> v(n);
    for (size_t i = 0; i < n; ++i) {
      if (dt == MISH_BF16) {
        uint32_t bits;
        std::memcpy(&bits, &f[i], 4);
        v[i] = static_cast<uint16_t>(bits >> 16);
      } else {
        const _Float16 h = static_cast<_Float16>(f[i]);
        std::memcpy(&v[i], &h, 2);
      }
    }
    std::memcpy(out.data(), v.data(), out.size());
  }
  return out;
}

void run(benchmark::State& state, mish_activation act, mish_dtype dt, const std::string& target, bool backward) {
  const size_t n = static_cast<size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  mish::set_simd_target(target);
  mish::set_num_threads(threads);
  auto x = make_inputs(dt, n);
  auto dy = make_inputs(dt, n);
  std::vector<unsigned char> y(x.size());
  for (auto _ : state) {
    // dx only (parameter gradients are a separate, reduction-bound use)
    const int s = backward ? mish_act_backward(act, dt, nullptr, 0, x.data(), dy.data(), y.data(), n, nullptr)
                           : mish_act_forward(act, dt, nullptr, 0, x.data(), y.data(), n);
    if (s != MISH_OK) state.SkipWithError(mish_last_error());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double items = static_cast<double>(state.iterations()) * static_cast<double>(n);
  state.SetItemsProcessed(static_cast<int64_t>(items));
  state.SetBytesProcessed(static_cast<int64_t>(items * static_cast<double>(elem_size(dt) * (backward ? 3 : 2))));
  state.counters["ns_per_elem"] = benchmark::Counter(items * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["threads"] = threads;
  mish::set_num_threads(0);
  mish::set_simd_target("best");
}

void register_one(mish_activation act, mish_dtype dt, const std::string& target, bool backward) {
  const std::string name = std::string(backward ? "bwd/" : "fwd/") + mish_act_name(act) + "/" +
                           mish_dtype_name(dt) + "/" + target;
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { run(s, act, dt, target, backward); });
  b->ArgNames({"n", "threads"})->UseRealTime();
  // The fastest repetition is the least disturbed by other work on the machine.
  b->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
  for (int64_t n : {4096, 65536, 1 << 20, 1 << 24}) {
    for (int64_t t : {1, 2}) b->Args({n, t});
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const bool all = std::getenv("MISH_BENCH_ALL") != nullptr;
  const auto targets = mish::simd_targets();
  for (int a = 0; a < mish_act_count(); ++a) {
    const auto act = static_cast<mish_activation>(a);
    const bool featured = act == MISH_ACT_MISH || act == MISH_ACT_SWISH || act == MISH_ACT_GELU;
    for (int d = 0; d < MISH_DTYPE_COUNT; ++d) {
      const auto dt = static_cast<mish_dtype>(d);
      for (size_t ti = 0; ti < targets.size(); ++ti) {
        const bool want = all || (ti == 0 && (featured || dt == MISH_F32)) ||
                          (act == MISH_ACT_MISH && dt == MISH_F32);
        if (!want) continue;
        register_one(act, dt, targets[ti], false);
        register_one(act, dt, targets[ti], true);
      }
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
