"""The torch op on CUDA tensors (scripts/gpu-check runs it on a GPU machine):
values against the CPU op and torch's own functions, gradients (gradcheck in
double on the GPU), swish's beta, the fused bias, layouts and dtypes.

Usage: python3 tests/torch/test_cuda_op.py LIB"""
import sys
import unittest

import torch
import torch.nn.functional as F

LIB = sys.argv.pop(1)
torch.ops.load_library(LIB)
ops = torch.ops.mish


@unittest.skipUnless(torch.cuda.is_available(), "no CUDA device")
class Cuda(unittest.TestCase):
    def test_matches_cpu_and_torch(self):
        x = torch.randn(1 << 20, dtype=torch.float64) * 6
        for dt, tol in ((torch.float64, 1e-14), (torch.float32, 2e-6), (torch.bfloat16, 1e-2), (torch.float16, 1e-3)):
            xc = x.to(dt)
            y_gpu = ops.mish(xc.cuda()).cpu()
            y_cpu = ops.mish(xc)
            torch.testing.assert_close(y_gpu.double(), y_cpu.double(), rtol=tol, atol=tol)
            torch.testing.assert_close(y_gpu.double(), F.mish(xc.cuda().double()).cpu(), rtol=2 * tol, atol=2 * tol)

    def test_gradients(self):
        x = (torch.randn(64, dtype=torch.float64, device="cuda") * 3).requires_grad_()
        self.assertTrue(torch.autograd.gradcheck(ops.mish, (x,)))
        self.assertTrue(torch.autograd.gradgradcheck(ops.mish, (x,)))
        beta = torch.tensor([1.3], dtype=torch.float64, device="cuda", requires_grad=True)
        self.assertTrue(torch.autograd.gradcheck(ops.swish, (x, beta)))
        for name in ("gelu", "elu", "softplus", "x_log1p_tanh_exp"):
            self.assertTrue(torch.autograd.gradcheck(lambda t: ops.activation(t, name, []), (x,)), name)

    def test_fused_bias(self):
        torch.manual_seed(0)
        for shape, dim, cl in (((4, 8, 5, 5), 1, False), ((4, 8, 5, 5), 1, True), ((33, 7), 1, False),
                               ((4, 5, 5, 8), -1, False)):
            x = torch.randn(shape, dtype=torch.float64, device="cuda") * 3
            if cl:
                x = x.contiguous(memory_format=torch.channels_last)
            b = torch.randn(shape[dim], dtype=torch.float64, device="cuda")
            x.requires_grad_()
            b.requires_grad_()
            f = lambda x, b: ops.bias_activation(x, b, dim, "mish", [])
            self.assertTrue(torch.autograd.gradcheck(f, (x, b)))
            view = [1] * len(shape)
            view[dim] = shape[dim]
            torch.testing.assert_close(f(x, b), F.mish(x + b.view(view)), rtol=1e-13, atol=1e-300)
            for dt in (torch.float32, torch.bfloat16):
                xd, bd = x.detach().to(dt), b.detach().to(dt)
                torch.testing.assert_close(ops.bias_activation(xd, bd, dim, "mish", []).cpu(),
                                           ops.bias_activation(xd.cpu(), bd.cpu(), dim, "mish", []),
                                           rtol=1e-2 if dt == torch.bfloat16 else 2e-6, atol=1e-5)

    def test_layouts_odd_sizes_and_inplace(self):
        for n in (1, 3, 17, 1023, 4097):
            base = torch.randn(n + 1, device="cuda")
            x = base[1:]  # not 16-byte aligned
            torch.testing.assert_close(ops.mish(x), F.mish(x), rtol=2e-6, atol=1e-7)
        x = torch.randn(8, 3, 9, 9, device="cuda").contiguous(memory_format=torch.channels_last)
        torch.testing.assert_close(ops.mish(x), F.mish(x), rtol=2e-6, atol=1e-7)
        t = torch.randn(1000, device="cuda")
        want = F.mish(t)
        ops.mish_(t)
        torch.testing.assert_close(t, want, rtol=2e-6, atol=1e-7)


if __name__ == "__main__":
    unittest.main(verbosity=2)
