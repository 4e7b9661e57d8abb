// The CUDA kernels' cut of [0, n) into scalar head, 16-byte vectors and
// scalar tail, checked on the host: every element exactly once, vectors only
// on 16-byte boundaries of every buffer, and no vectors when the buffers'
// offsets differ. (The kernels walk exactly these three ranges.)
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "cuda/split.hpp"

namespace {

using mish::detail::kVecBytes;
using mish::detail::split;

template <class E>
void check(size_t n, uintptr_t a, uintptr_t b) {
  constexpr size_t V = kVecBytes / sizeof(E);
  const auto s = split<E>(n, {reinterpret_cast<const void*>(a), reinterpret_cast<const void*>(b)});
  std::vector<int> seen(n, 0);
  for (size_t i = 0; i < s.head && i < n; ++i) ++seen[i];
  for (size_t v = 0; v < s.vecs; ++v) {
    const size_t first = s.head + v * V;
    ASSERT_EQ((a + first * sizeof(E)) % kVecBytes, 0u);
    ASSERT_EQ((b + first * sizeof(E)) % kVecBytes, 0u);
    for (size_t k = 0; k < V; ++k) ++seen[first + k];
  }
  for (size_t i = s.head + s.vecs * V; i < n; ++i) ++seen[i];
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(seen[i], 1) << "n " << n << " a " << a << " element " << i;
  if (a % kVecBytes != b % kVecBytes) {
    EXPECT_EQ(s.vecs, 0u);
  }
  // whatever is left after the vectors is less than one vector
  if (s.vecs) {
    EXPECT_LT(n - s.head - s.vecs * V, V);
  }
}

TEST(CudaSplit, EveryElementOnceVectorsAligned) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{8}, size_t{15}, size_t{16},
                   size_t{17}, size_t{1000}, size_t{4099}}) {
    for (uintptr_t off = 0; off < 16; off += 2) {
      check<uint16_t>(n, 0x10000 + off, 0x20000 + off);
      check<uint16_t>(n, 0x10000 + off, 0x20000 + (off + 2) % 16);
      if (off % 4 == 0) {
        check<float>(n, 0x10000 + off, 0x20000 + off);
        check<float>(n, 0x10000 + off, 0x30004);
      }
      if (off % 8 == 0) check<double>(n, 0x10000 + off, 0x20000 + off);
    }
  }
}

}  // namespace
