// How the CUDA kernels cut [0, n) into work: a scalar head up to the first
// 16-byte boundary, whole 16-byte vectors, and a scalar tail. Vectors only
// when every buffer has the same offset from a 16-byte boundary (otherwise
// everything is head). Host-testable (tests/unit/test_cuda_split.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace mish::detail {

constexpr size_t kVecBytes = 16;

struct Split {
  size_t head, vecs;  // elements before the vectors; number of vectors
};

// Buffers must be aligned to their element size (the C API checks).
template <class E>
Split split(size_t n, std::initializer_list<const void*> bufs) {
  constexpr size_t V = kVecBytes / sizeof(E);
  const uintptr_t a = reinterpret_cast<uintptr_t>(*bufs.begin());
  for (const void* b : bufs) {
    if ((reinterpret_cast<uintptr_t>(b) % kVecBytes) != (a % kVecBytes)) return {n, 0};
  }
  size_t head = ((kVecBytes - a % kVecBytes) % kVecBytes) / sizeof(E);
  if (head > n) head = n;
  return {head, (n - head) / V};
}

}  // namespace mish::detail
