"""GPU benchmark for scripts/gpu-check: libmish's CUDA kernels (through the
torch op) against torch.nn.functional.mish and a device-to-device copy, on 64M
elements, forward and backward, float32 and bfloat16, and the fused
bias + Mish against add followed by mish. CUDA events, median of repeats.

Usage: python3 bench/gpu_bench.py LIB  (LIB: the built torch op library)
Prints one table; exits 0 (the goals are reported, not asserted: a slow
kernel is a finding, a wrong one fails in the tests)."""
import sys

import torch
import torch.nn.functional as F

torch.ops.load_library(sys.argv[1])
ops = torch.ops.mish
N = 64 * 1024 * 1024


def timed(fn, reps=20):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b) * 1000.0)  # microseconds
    times.sort()
    return times[len(times) // 2]


def row(name, us, nbytes, ref_us=None, copy_gbs=None):
    gbs = nbytes / us / 1e3
    extra = ""
    if copy_gbs:
        extra += f"  {100 * gbs / copy_gbs:5.1f}% of copy"
    if ref_us:
        extra += f"  {ref_us / us:5.2f}x torch"
    print(f"{name:44s} {us:10.1f} us {gbs:8.0f} GB/s{extra}")


print(f"device: {torch.cuda.get_device_name()}  torch {torch.__version__}  n = {N}")
for dt in (torch.float32, torch.bfloat16):
    es = torch.finfo(dt).bits // 8
    x = torch.randn(N, device="cuda", dtype=dt) * 4
    g = torch.randn(N, device="cuda", dtype=dt)
    y = torch.empty_like(x)
    copy_us = timed(lambda: y.copy_(x))
    copy_gbs = 2 * N * es / copy_us / 1e3
    print(f"\n{dt}")
    row("copy (read + write)", copy_us, 2 * N * es)
    t_fwd = timed(lambda: F.mish(x))
    o_fwd = timed(lambda: ops.mish(x))
    row("torch F.mish forward", t_fwd, 2 * N * es, None, copy_gbs)
    row("mish forward", o_fwd, 2 * N * es, t_fwd, copy_gbs)
    t_bwd = timed(lambda: torch.ops.aten.mish_backward(g, x))
    o_bwd = timed(lambda: ops.mish_backward(g, x))
    row("torch mish_backward", t_bwd, 3 * N * es, None, copy_gbs)
    row("mish backward", o_bwd, 3 * N * es, t_bwd, copy_gbs)
    # fused bias + Mish on NCHW (256 x 64 x 64 x 64) against add then mish
    xs = x.view(256, 64, 64, 64)
    b = torch.randn(64, device="cuda", dtype=dt)
    t_f = timed(lambda: F.mish(xs + b.view(1, -1, 1, 1)))
    o_f = timed(lambda: ops.bias_activation(xs, b, 1, "mish"))
    row("torch add + mish (NCHW)", t_f, 2 * N * es, None, copy_gbs)
    row("mish bias_activation (NCHW, fused)", o_f, 2 * N * es, t_f, copy_gbs)
    xl = x.view(N // 256, 256)
    bl = torch.randn(256, device="cuda", dtype=dt)
    t_l = timed(lambda: F.mish(xl + bl))
    o_l = timed(lambda: ops.bias_activation(xl, bl, -1, "mish"))
    row("torch add + mish (last dim)", t_l, 2 * N * es, None, copy_gbs)
    row("mish bias_activation (last dim, fused)", o_l, 2 * N * es, t_l, copy_gbs)
