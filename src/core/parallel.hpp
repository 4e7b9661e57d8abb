// Grain-sized threading for elementwise kernels.
#pragma once

#include <cstddef>
#include <functional>

namespace mish::detail {

// Below this many elements per thread, waking threads costs more than it saves
// (measured: Mish runs at about 0.4 ns/element, 32K elements ~ 13 us, the
// order of a thread wake-up). Also the chunk of parameter-gradient sums.
constexpr size_t kGrain = 32768;

int num_threads();
void set_num_threads(int n);  // <= 0: hardware concurrency

// fn(begin, end) over [0, n): one call when n is small, otherwise calls of
// kGrain elements each (the last one shorter) on up to num_threads() threads.
void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn);

// fn(chunk, begin, end) for the fixed chunks [k*kGrain, (k+1)*kGrain) of
// [0, n), in parallel. The chunking does not depend on the thread count, so a
// per-chunk reduction summed in chunk order is bit-for-bit reproducible.
void parallel_chunks(size_t n, const std::function<void(size_t, size_t, size_t)>& fn);

}  // namespace mish::detail
