#include "peers.hpp"

#include <cmath>

#include "mish/mish.h"

namespace mish::compare {

Peer ours_peer() {
  Peer p;
  p.id = "ours";
  p.name = std::string("mish ") + mish_version() + " (" + mish_simd_target() + ")";
  p.note = "mish_forward_f32 / mish_backward_f32 / *_bf16 (C API)";
  p.set_threads = [](int t) { mish_set_num_threads(t); };
  p.prepare[0][0] = [](const Buffers& b) -> Call {
    return [b] { mish_forward_f32(static_cast<const float*>(b.x), static_cast<float*>(b.out), b.n); };
  };
  p.prepare[0][1] = [](const Buffers& b) -> Call {
    return [b] {
      mish_backward_f32(static_cast<const float*>(b.x), static_cast<const float*>(b.dy), static_cast<float*>(b.out),
                        b.n);
    };
  };
  p.prepare[1][0] = [](const Buffers& b) -> Call {
    return [b] { mish_forward_bf16(static_cast<const uint16_t*>(b.x), static_cast<uint16_t*>(b.out), b.n); };
  };
  p.prepare[1][1] = [](const Buffers& b) -> Call {
    return [b] {
      mish_backward_bf16(static_cast<const uint16_t*>(b.x), static_cast<const uint16_t*>(b.dy),
                         static_cast<uint16_t*>(b.out), b.n);
    };
  };
  return p;
}

// The formula as most code writes it, in float with the C library's
// functions, one thread: what "just write the loop" gives.
Peer naive_peer() {
  Peer p;
  p.id = "naive";
  p.name = "naive loop (glibc)";
  p.note =
      "x * tanhf(log1pf(expf(x))); backward tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)^2); compiled -O3, "
      "no fast-math, one thread";
  p.set_threads = [](int) {};
  p.threads_apply = false;
  p.prepare[0][0] = [](const Buffers& b) -> Call {
    return [b] {
      const float* x = static_cast<const float*>(b.x);
      float* y = static_cast<float*>(b.out);
      for (size_t i = 0; i < b.n; ++i) y[i] = x[i] * std::tanh(std::log1p(std::exp(x[i])));
    };
  };
  p.prepare[0][1] = [](const Buffers& b) -> Call {
    return [b] {
      const float* x = static_cast<const float*>(b.x);
      const float* dy = static_cast<const float*>(b.dy);
      float* dx = static_cast<float*>(b.out);
      for (size_t i = 0; i < b.n; ++i) {
        const float t = std::tanh(std::log1p(std::exp(x[i])));
        const float sig = 1.0f / (1.0f + std::exp(-x[i]));
        dx[i] = dy[i] * (t + x[i] * sig * (1.0f - t * t));
      }
    };
  };
  return p;
}

std::vector<Peer> all_peers() {
  std::vector<Peer> v{ours_peer()};
#ifdef MISH_COMPARE_TORCH
  v.push_back(torch_peer());
#endif
#ifdef MISH_COMPARE_ONEDNN
  v.push_back(onednn_peer());
#endif
#ifdef MISH_COMPARE_OPENCV
  v.push_back(opencv_peer());
#endif
  v.push_back(naive_peer());
  return v;
}

}  // namespace mish::compare
