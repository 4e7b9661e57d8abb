// The Mish implementations `mish_compare` puts side by side. Each peer wraps
// caller-owned buffers once (prepare) and returns a call that runs the
// operation on them, so that timing sees the library call and not the
// wrapping. A peer lacking an operation or a type leaves that slot empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mish::compare {

enum class Dtype { f32, bf16 };
enum class Op { fwd, bwd };
inline const char* name(Dtype d) { return d == Dtype::f32 ? "fp32" : "bf16"; }
inline const char* name(Op o) { return o == Op::fwd ? "forward" : "backward"; }
inline size_t size_of(Dtype d) { return d == Dtype::f32 ? 4 : 2; }

// Buffers of n elements of one dtype (bf16 as its bits): forward reads x and
// writes out; backward reads x and dy and writes dx = dy * f'(x) into out.
struct Buffers {
  const void* x = nullptr;
  const void* dy = nullptr;
  void* out = nullptr;
  size_t n = 0;
  // False when only the time counts: a peer whose API returns a fresh result
  // (LibTorch's mish_backward) may then skip copying it into out.
  bool want_output = true;
};

using Call = std::function<void()>;
using Prepare = std::function<Call(const Buffers&)>;

struct Peer {
  std::string id;    // short, for --peers: ours, libtorch, onednn, opencv, naive
  std::string name;  // for the table, with version and code path ("LibTorch 1.13.1 (AVX2)")
  std::string note;  // how it is called
  std::function<void(int threads)> set_threads;
  bool threads_apply = true;  // false: always one thread (the naive loop)
  Prepare prepare[2][2];      // [Dtype][Op]; empty = not offered

  const Prepare& get(Dtype d, Op o) const { return prepare[static_cast<int>(d)][static_cast<int>(o)]; }
};

// Every peer compiled into this build, ours first.
std::vector<Peer> all_peers();

Peer ours_peer();
Peer naive_peer();
#ifdef MISH_COMPARE_TORCH
Peer torch_peer();
std::string torch_capability();  // LibTorch's CPU kernel set in this process ("AVX2", "AVX512", ...)
#endif
#ifdef MISH_COMPARE_ONEDNN
Peer onednn_peer();
#endif
#ifdef MISH_COMPARE_OPENCV
Peer opencv_peer();
#endif

}  // namespace mish::compare
