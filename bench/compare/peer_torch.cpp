// LibTorch's own kernels: at::mish_out and at::mish_backward, on tensors
// wrapping the caller's buffers.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>

#include <memory>

#include "peers.hpp"

namespace mish::compare {

std::string torch_capability() {
  const std::string cfg = at::show_config();
  const std::string key = "CPU capability usage: ";
  const size_t at = cfg.find(key);
  if (at == std::string::npos) return "?";
  const size_t start = at + key.size();
  return cfg.substr(start, cfg.find('\n', start) - start);
}

namespace {

at::Tensor wrap(const void* p, size_t n, at::ScalarType t) {
  return at::from_blob(const_cast<void*>(p), {static_cast<int64_t>(n)}, at::TensorOptions().dtype(t));
}

template <at::ScalarType T>
Call forward(const Buffers& b) {
  auto x = std::make_shared<at::Tensor>(wrap(b.x, b.n, T));
  auto y = std::make_shared<at::Tensor>(wrap(b.out, b.n, T));
  return [x, y] { at::mish_out(*y, *x); };
}

// mish_backward has no out= variant: it allocates its result, as it does for
// every LibTorch user; the copy into the caller's buffer is left out of timing.
template <at::ScalarType T>
Call backward(const Buffers& b) {
  auto x = std::make_shared<at::Tensor>(wrap(b.x, b.n, T));
  auto dy = std::make_shared<at::Tensor>(wrap(b.dy, b.n, T));
  auto dx = std::make_shared<at::Tensor>(wrap(b.out, b.n, T));
  if (!b.want_output) return [x, dy] { (void)at::mish_backward(*dy, *x); };
  return [x, dy, dx] { dx->copy_(at::mish_backward(*dy, *x)); };
}

}  // namespace

Peer torch_peer() {
  Peer p;
  p.id = "libtorch";
  p.name = std::string("LibTorch ") + TORCH_VERSION + " (" + torch_capability() + ")";
  p.note = "at::mish_out, at::mish_backward (allocates its result); threads by at::set_num_threads";
  p.set_threads = [](int t) { at::set_num_threads(t); };
  p.prepare[0][0] = forward<at::kFloat>;
  p.prepare[0][1] = backward<at::kFloat>;
  // bf16 only where this LibTorch has the kernels (1.13's CPU Mish has none).
  const at::Tensor probe = at::zeros({4}, at::TensorOptions().dtype(at::kBFloat16));
  try {
    (void)at::mish(probe);
    p.prepare[1][0] = forward<at::kBFloat16>;
  } catch (const c10::Error&) {
    p.note += "; no bf16 forward on the CPU in this version";
  }
  try {
    (void)at::mish_backward(probe, probe);
    p.prepare[1][1] = backward<at::kBFloat16>;
  } catch (const c10::Error&) {
    p.note += "; no bf16 backward on the CPU in this version";
  }
  return p;
}

}  // namespace mish::compare
