#include "sweep.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "reference.hpp"
#include "ulp.hpp"

namespace mish::accuracy {
namespace {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void keep_worst(Worst& w, double ulp, double x) {
  if (ulp > w.ulp || std::isnan(ulp)) w = {ulp, x};
}

void merge(SweepResult& into, const SweepResult& r) {
  into.points += r.points;
  keep_worst(into.fwd, r.fwd.ulp, r.fwd.x);
  keep_worst(into.bwd, r.bwd.ulp, r.bwd.x);
  keep_worst(into.bwd_plain, r.bwd_plain.ulp, r.bwd_plain.x);
  keep_worst(into.bwd_window, r.bwd_window.ulp, r.bwd_window.x);
}

// Checks one batch of float or double inputs.
template <class T>
void run_batch(mish_activation act, mish_dtype dt, const SweepOptions& opt, const std::vector<T>& x,
               SweepResult& res) {
  const size_t n = x.size();
  if (n == 0) return;
  std::vector<T> y(n), g(n), ones(n, T(1));
  const double* prm = opt.params.p;
  const size_t np = static_cast<size_t>(mish_act_num_params(act));
  device_forward(opt.device, act, dt, prm, np, x.data(), y.data(), n);
  device_backward(opt.device, act, dt, prm, np, x.data(), ones.data(), g.data(), n);
  const bool window = opt.window_lo < opt.window_hi;
  for (size_t i = 0; i < n; ++i) {
    const long double xi = x[i];
    const long double f = ref_fwd(act, xi, opt.params);
    const long double d = ref_bwd(act, xi, opt.params);
    keep_worst(res.fwd, ulp_error<T>(y[i], f), static_cast<double>(x[i]));
    keep_worst(res.bwd, ulp_error<T>(g[i], d, ref_bwd_scale(act, xi, opt.params)), static_cast<double>(x[i]));
    if (window && xi > opt.window_lo && xi < opt.window_hi) {
      keep_worst(res.bwd_window, static_cast<double>(std::fabs(g[i] - d)), static_cast<double>(x[i]));
    } else {
      keep_worst(res.bwd_plain, ulp_error<T>(g[i], d), static_cast<double>(x[i]));
    }
  }
  res.points += n;
}

// Points per batch: small on the CPU (threads share the work finely), large
// on a GPU (each batch is a round trip to the device).
uint64_t batch_size(const SweepOptions& opt) { return opt.device == Device::kCuda ? (1u << 20) : 8192; }

// Runs `batches` batches (made by make(b)) over `threads` threads.
template <class T, class Make>
SweepResult parallel_batches(mish_activation act, mish_dtype dt, const SweepOptions& opt, uint64_t batches,
                             Make make) {
  SweepResult total;
  std::mutex mu;
  std::atomic<uint64_t> next{0};
  std::exception_ptr error;
  auto worker = [&] {
    SweepResult local;
    try {
      std::vector<T> x;
      for (uint64_t b; (b = next++) < batches;) {
        make(b, x);
        run_batch<T>(act, dt, opt, x, local);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mu);
    merge(total, local);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < opt.threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return total;
}

SweepResult sweep_f32(mish_activation act, const SweepOptions& opt) {
  const uint64_t kBatch = batch_size(opt);
  const uint64_t stride = std::max<uint64_t>(1, opt.stride);
  const uint64_t count = ((1ull << 32) + stride - 1) / stride;
  const uint64_t batches = (count + kBatch - 1) / kBatch;
  return parallel_batches<float>(act, MISH_F32, opt, batches, [&](uint64_t b, std::vector<float>& x) {
    x.clear();
    for (uint64_t i = b * kBatch; i < std::min(count, (b + 1) * kBatch); ++i) {
      const uint32_t bits = static_cast<uint32_t>(i * stride);
      float v;
      std::memcpy(&v, &bits, sizeof v);
      x.push_back(v);
    }
  });
}

SweepResult sweep_f64(mish_activation act, const SweepOptions& opt) {
  const uint64_t kBatch = batch_size(opt);
  const std::vector<double> pts = f64_points(opt.f64_points);
  const uint64_t batches = (pts.size() + kBatch - 1) / kBatch;
  return parallel_batches<double>(act, MISH_F64, opt, batches, [&](uint64_t b, std::vector<double>& x) {
    const size_t lo = static_cast<size_t>(b * kBatch), hi = std::min(pts.size(), static_cast<size_t>(lo + kBatch));
    x.assign(pts.begin() + static_cast<std::ptrdiff_t>(lo), pts.begin() + static_cast<std::ptrdiff_t>(hi));
  });
}

// Every one of the 65,536 inputs; the exact value rounded once is the truth.
SweepResult sweep_16(mish_activation act, mish_dtype dt, const SweepOptions& opt) {
  const Half half{dt == MISH_BF16};
  std::vector<uint16_t> x(65536), y(65536), g(65536), ones(65536, half.from_f32(1.0f));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint16_t>(i);
  const size_t np = static_cast<size_t>(mish_act_num_params(act));
  device_forward(opt.device, act, dt, opt.params.p, np, x.data(), y.data(), x.size());
  device_backward(opt.device, act, dt, opt.params.p, np, x.data(), ones.data(), g.data(), x.size());
  SweepResult res;
  uint64_t fwd_ok = 0, bwd_ok = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const long double xi = half.to_f32(x[i]);
    const int32_t df = half.distance(y[i], half.round(ref_fwd(act, xi, opt.params)));
    const int32_t db = half.distance(g[i], half.round(ref_bwd(act, xi, opt.params)));
    fwd_ok += df == 0;
    bwd_ok += db == 0;
    keep_worst(res.fwd, df, static_cast<double>(xi));
    keep_worst(res.bwd, db, static_cast<double>(xi));
  }
  res.points = x.size();
  res.fwd_exact = static_cast<double>(fwd_ok) / static_cast<double>(x.size());
  res.bwd_exact = static_cast<double>(bwd_ok) / static_cast<double>(x.size());
  return res;
}

}  // namespace

std::vector<double> f64_points(uint64_t count, uint64_t seed) {
  std::vector<double> v;
  v.reserve(count);
  uint64_t s = seed;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t r = splitmix(s);
    double x;
    switch (i % 10) {
      case 0: {  // any bit pattern
        std::memcpy(&x, &r, sizeof x);
        break;
      }
      case 1: case 2: case 3: case 4: {  // uniform over the interesting range
        x = -760.0 + 810.0 * static_cast<double>(r >> 11) * 0x1.0p-53;
        break;
      }
      default: {  // a float's exponent range, random 52-bit mantissa
        const uint64_t exp = 1023 - 150 + (r >> 56) % 279;  // 2^-150 .. 2^128
        const uint64_t bits = ((r & 1) << 63) | (exp << 52) | (splitmix(s) >> 12);
        std::memcpy(&x, &bits, sizeof x);
      }
    }
    v.push_back(x);
  }
  return v;
}

std::vector<double> hazard_points() {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> v = {0.0, -0.0, inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                           1e-45, -1e-45, 1e-40, -1e-40, 1e-310, -1e-310, 1e-30, -1e-30,
                           -1.1924, -1.19243, -1.2785, -0.7518, -2.26, 1.49,
                           -87.0, -87.3, -88.0, -88.8, -89.0, -90.0, -100.0, -103.0, -104.0, -105.0, -110.0,
                           -114.0, -120.0, -150.0, -200.0, -700.0, -708.0, -709.0, -745.0, -750.0, -760.0, -1000.0,
                           44.0, 44.4, 44.5, 88.0, 88.7, 89.0, 22.1, 22.2, 11.0, 12.5, 20.0, 25.0, 30.0, 40.0, 45.0,
                           6.0, -6.0, 1.0, -1.0, 3.4e38, -3.4e38, 1e300, -1e300, 1.7e308, -1.7e308};
  return v;
}

SweepResult sweep(mish_activation act, mish_dtype dtype, const SweepOptions& opt) {
  switch (dtype) {
    case MISH_F32: return sweep_f32(act, opt);
    case MISH_F64: return sweep_f64(act, opt);
    case MISH_BF16:
    case MISH_F16: return sweep_16(act, dtype, opt);
    default: throw std::invalid_argument("unknown dtype");
  }
}

}  // namespace mish::accuracy
