"""The Python PyTorch twin of bench/bench_train.cpp: the same models, data,
batch size, optimiser and thread count, timed the same way (one epoch = one
pass over the first 1,024 Fashion-MNIST training images; images per second of
the fastest of --reps epochs).

    /usr/bin/python3 bench/train_equivalent.py [--lib build/src/torch/libmish_torch.so]

Activations: relu (torch.nn.ReLU), torch_mish (torch.nn.Mish) and, with
--lib, mish_op (torch.ops.mish.mish, this project's operator).
"""
import argparse
import gzip
import time

import numpy as np
import torch
from torch import nn


def load(n):
    root = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(root + "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
    with gzip.open(root + "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    x = torch.tensor(x, dtype=torch.float32) / 255
    x = (x - x.mean()) / x.std(unbiased=False)
    return x, torch.tensor(y, dtype=torch.int64)


class OpMish(nn.Module):
    def forward(self, x):
        return torch.ops.mish.mish(x)


def depth_model(act, n=8):
    layers = [nn.Conv2d(1, 20, 5), act(), nn.Conv2d(20, 50, 5), act(), nn.MaxPool2d(2), nn.Dropout(0.25),
              nn.Flatten()]
    features = 50 * 10 * 10
    for _ in range(n):
        layers += [nn.Linear(features, 500), nn.BatchNorm1d(500), act(), nn.Dropout(0.25)]
        features = 500
    return nn.Sequential(*layers, nn.Linear(features, 10))


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride, act):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.act1, self.act2 = act(), act()
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x):
        pre = self.act1(self.bn1(x))
        skip = self.shortcut(pre) if self.shortcut is not None else x
        return self.conv2(self.act2(self.bn2(self.conv1(pre)))) + skip


def resnet20(act):
    layers, c = [nn.Conv2d(1, 16, 3, 1, 1, bias=False)], 16
    for stage in range(3):
        out = 16 << stage
        for b in range(3):
            layers.append(PreActBlock(c, out, 2 if stage > 0 and b == 0 else 1, act))
            c = out
    return nn.Sequential(*layers, nn.BatchNorm2d(c), act(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))


def epoch_rate(make, act, x, y, reps):
    torch.manual_seed(0)
    net = make(act)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    best = float("inf")
    for r in range(reps):
        order = torch.randperm(len(x))
        t = time.perf_counter()
        for s in range(0, len(x), 128):
            idx = order[s:s + 128]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
        best = min(best, time.perf_counter() - t)
    return len(x) / best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", help="libmish_torch.so, to time torch.ops.mish.mish too")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    acts = {"relu": nn.ReLU, "torch_mish": nn.Mish}
    if args.lib:
        torch.ops.load_library(args.lib)
        acts["mish_op"] = OpMish
    x, y = load(1024)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, 1024 images per epoch")
    for name, make in (("depth", depth_model), ("resnet20", resnet20)):
        for act_name, act in acts.items():
            print(f"{name:9s} {act_name:11s} {epoch_rate(make, act, x, y, args.reps):8.1f} images/s")


if __name__ == "__main__":
    main()
