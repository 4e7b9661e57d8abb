"""The mish LibTorch operator as Python PyTorch users load it.

Run by ctest with the Python whose torch matches the LibTorch we built against
(Debian's /usr/bin/python3 and python3-torch here); MISH_TORCH_LIBRARY names
the built libmish_torch.so.
"""
import os
import tempfile
import unittest

import torch

torch.ops.load_library(os.environ["MISH_TORCH_LIBRARY"])
ops = torch.ops.mish

# A sample of the registry (name, params) for the gradient checks; the C++
# test covers every activation's values and gradients.
SAMPLE = [("mish", []), ("swish", [1.7]), ("gelu", []), ("gelu_tanh", []), ("elu", [0.5]),
          ("softplus", [2.0, 20.0]), ("logsigmoid", []), ("tanh_softplus", []),
          ("x_log1p_atan_exp", []), ("selu", [])]


def inputs(n=40, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=dtype) * 3
    # away from kinks (relu-like activations at 0) so finite differences are fair
    return torch.where(x.abs() < 1e-3, x + 0.1, x)


class Values(unittest.TestCase):
    def test_matches_torch_mish(self):
        hazards = torch.tensor([0.0, -0.0, 1e-30, -1e-30, -1.1924, -20, -87, -100, -700, 20, 44, 88,
                                1e300, -1e300, float("inf")], dtype=torch.float64)
        for x in (inputs(1000), hazards):
            torch.testing.assert_close(ops.mish(x), torch.nn.functional.mish(x), rtol=1e-14, atol=1e-300)
        self.assertTrue(torch.isnan(ops.mish(torch.tensor([float("nan")]))).all())
        # the limit at -inf is -0 (PyTorch's x * tanh(softplus(x)) gives -inf * 0 = nan)
        y = ops.mish(torch.tensor([float("-inf")], dtype=torch.float64))
        self.assertEqual(y.item(), 0.0)
        self.assertTrue(torch.signbit(y).item())

    def test_float_dtypes(self):
        x = inputs(4096, dtype=torch.float32)
        for dt, tol in ((torch.float32, 1e-6), (torch.bfloat16, 1e-2), (torch.float16, 1e-3)):
            y = ops.mish(x.to(dt))
            self.assertEqual(y.dtype, dt)
            torch.testing.assert_close(y.float(), torch.nn.functional.mish(x.double()).float(),
                                       rtol=tol, atol=tol)

    def test_strides_and_shapes(self):
        base = inputs(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
        cases = [base, base.transpose(1, 3), base[:, ::2], base.contiguous(memory_format=torch.channels_last),
                 base[0, 0, 0].expand(7, 5), torch.empty(0, 3, dtype=torch.float64), torch.tensor(1.5)]
        for x in cases:
            y = ops.mish(x)
            self.assertEqual(y.shape, x.shape)
            torch.testing.assert_close(y, torch.nn.functional.mish(x), rtol=1e-14, atol=0)

    def test_inplace(self):
        x = inputs(100)
        want = torch.nn.functional.mish(x)
        y = ops.mish_(x)
        self.assertIs(y, x)
        torch.testing.assert_close(x, want, rtol=1e-14, atol=0)

    def test_bad_input_messages(self):
        for bad in (torch.arange(4), torch.ones(3, dtype=torch.bool), torch.ones(3, dtype=torch.complex64)):
            with self.assertRaisesRegex(RuntimeError, r"mish::mish: unsupported dtype"):
                ops.mish(bad)
        with self.assertRaisesRegex(RuntimeError, r"unknown activation 'nope'"):
            ops.activation(inputs(3), "nope")
        with self.assertRaisesRegex(RuntimeError, r"beta must have exactly one element"):
            ops.swish(inputs(3), torch.ones(2, dtype=torch.float64))
        with self.assertRaisesRegex(RuntimeError, r"shape"):
            ops.mish_backward(torch.ones(2, dtype=torch.float64), inputs(3))


class Gradients(unittest.TestCase):
    def test_mish(self):
        x = inputs().requires_grad_()
        self.assertTrue(torch.autograd.gradcheck(ops.mish, (x,)))
        self.assertTrue(torch.autograd.gradgradcheck(ops.mish, (x,)))

    def test_swish_x_and_beta(self):
        x = inputs().requires_grad_()
        for b in (1.0, 0.3, 2.5):
            beta = torch.tensor([b], dtype=torch.float64, requires_grad=True)
            self.assertTrue(torch.autograd.gradcheck(ops.swish, (x, beta)))
            self.assertTrue(torch.autograd.gradgradcheck(ops.swish, (x, beta)))

    def test_registry_sample(self):
        x = inputs().requires_grad_()
        for name, params in SAMPLE:
            with self.subTest(name=name):
                f = lambda t, n=name, p=params: ops.activation(t, n, p)
                self.assertTrue(torch.autograd.gradcheck(f, (x,)))
                self.assertTrue(torch.autograd.gradgradcheck(f, (x,)))

    def test_fused_bias(self):
        torch.manual_seed(3)
        for shape, dim in (((2, 3, 4, 5), 1), ((6, 4), 1), ((2, 4, 5, 3), -1)):
            x = (torch.randn(shape, dtype=torch.float64) * 2).requires_grad_(True)
            b = torch.randn(shape[dim], dtype=torch.float64, requires_grad=True)
            f = lambda x, b: ops.bias_activation(x, b, dim, "mish")
            self.assertTrue(torch.autograd.gradcheck(f, (x, b)))
            self.assertTrue(torch.autograd.gradgradcheck(f, (x, b)))
            view = [1] * len(shape)
            view[dim] = shape[dim]
            torch.testing.assert_close(f(x, b), torch.nn.functional.mish(x + b.reshape(view)), rtol=1e-13, atol=1e-300)

    def test_gradient_matches_torch(self):
        x1 = inputs(500).requires_grad_()
        x2 = x1.detach().clone().requires_grad_()
        ops.mish(x1).sum().backward()
        torch.nn.functional.mish(x2).sum().backward()
        torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-13, atol=1e-300)

    def test_inplace_autograd(self):
        leaf = inputs(10).requires_grad_()
        with self.assertRaisesRegex(RuntimeError, r"leaf"):
            ops.mish_(leaf)
        # on a non-leaf: the gradient is Mish's, as for the out-of-place op
        x = inputs(10).requires_grad_()
        h = x * 2
        ops.mish_(h)
        h.sum().backward()
        want = torch.autograd.grad(torch.nn.functional.mish(x * 2).sum(), x)[0]
        torch.testing.assert_close(x.grad, want, rtol=1e-13, atol=0)
        # a tensor saved by another op for its backward: modifying it must be detected
        w = torch.ones(5, dtype=torch.float64, requires_grad=True)
        a = inputs(5)
        loss = (w * a).sum()
        ops.mish_(a)
        with self.assertRaisesRegex(RuntimeError, r"modified by an inplace operation"):
            loss.backward()


class TorchScript(unittest.TestCase):
    def test_script_save_load(self):
        class Net(torch.nn.Module):
            def forward(self, x):
                return torch.ops.mish.mish(x) + torch.ops.mish.activation(x, "gelu", [])

        net = torch.jit.script(Net())
        x = inputs(50)
        want = torch.nn.functional.mish(x) + torch.nn.functional.gelu(x)
        torch.testing.assert_close(net(x), want, rtol=1e-14, atol=1e-15)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "net.pt")
            net.save(path)
            loaded = torch.jit.load(path)
            torch.testing.assert_close(loaded(x), want, rtol=1e-14, atol=1e-15)


if __name__ == "__main__":
    unittest.main(verbosity=2)
