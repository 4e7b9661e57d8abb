#include "parallel.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace mish::detail {
namespace {

int hardware_threads() {
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

std::atomic<int>& thread_setting() {
  static std::atomic<int> n{hardware_threads()};
  return n;
}

}  // namespace

int num_threads() { return thread_setting().load(std::memory_order_relaxed); }

void set_num_threads(int n) { thread_setting().store(n <= 0 ? hardware_threads() : n, std::memory_order_relaxed); }

void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) {
  const size_t by_size = n / kGrain;
  const size_t parts = std::min<size_t>(static_cast<size_t>(num_threads()), by_size);
  if (parts <= 1 || omp_in_parallel()) {
    if (n > 0) fn(0, n);
    return;
  }
  // Split at multiples of 64 elements so that no two threads write one cache line.
  const size_t step = ((n + parts - 1) / parts + 63) / 64 * 64;
#pragma omp parallel for num_threads(static_cast<int>(parts)) schedule(static, 1)
  for (size_t k = 0; k < parts; ++k) {
    const size_t begin = k * step;
    const size_t end = std::min(n, begin + step);
    if (begin < end) fn(begin, end);
  }
}

void parallel_chunks(size_t n, const std::function<void(size_t, size_t, size_t)>& fn) {
  const size_t chunks = (n + kGrain - 1) / kGrain;
  const size_t threads = std::min<size_t>(static_cast<size_t>(num_threads()), chunks);
  if (threads <= 1 || omp_in_parallel()) {
    for (size_t k = 0; k < chunks; ++k) fn(k, k * kGrain, std::min(n, (k + 1) * kGrain));
    return;
  }
#pragma omp parallel for num_threads(static_cast<int>(threads)) schedule(static)
  for (size_t k = 0; k < chunks; ++k) fn(k, k * kGrain, std::min(n, (k + 1) * kGrain));
}

}  // namespace mish::detail
