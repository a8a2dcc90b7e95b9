#!/usr/bin/python3
"""How close mlc's loss and gradients come to float64, next to PyTorch's float32, on real data.

Usage (from the repository root; needs build/mlc, FashionMNIST and Debian's python3-torch):
    /usr/bin/python3 tests/precision/vs_pytorch.py [--data DIR] [BATCH ...]

Builds tests/precision/autoencoder.model, saves its initial weights (--epochs 0 --save),
writes mlc's loss and gradients on the first BATCH training images (--grads), computes the
same with PyTorch in float32 and in float64 from the same weights and images, and prints for
every tensor the largest error of mlc and of PyTorch's float32 against float64, as a
fraction of the tensor's largest value. Batches default to 1 7 1000 60000. A measurement,
not a test: the test suite needs no PyTorch (tests/precision/check.sh is the test).
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def load_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    out = {}
    for name, v in json.loads(data[8:8 + n]).items():
        if name == "__metadata__":
            continue
        a, b = v["data_offsets"]
        raw = np.frombuffer(data[8 + n + a:8 + n + b], dtype=np.float32).copy()
        out[name] = torch.from_numpy(raw).reshape(v["shape"])
    return out


def read_idx(path):
    data = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    dims = struct.unpack(">%dI" % data[3], data[4:4 + 4 * data[3]])
    return np.frombuffer(data[4 + 4 * data[3]:], dtype=np.uint8).reshape(dims)


def reference(params, x, y, dtype):
    """autoencoder.model in PyTorch."""
    p = {k: v.to(dtype).detach().requires_grad_(True) for k, v in params.items()}
    x = x.to(dtype)
    h = torch.relu(x @ p["enc.0.weight"].T + p["enc.0.bias"])
    d = h @ p["enc.2.weight"].T + p["enc.2.bias"] - x
    logits = x @ p["loss.weight"].T + p["loss.bias"]
    loss = torch.mean(d * d) + torch.nn.functional.cross_entropy(logits, y)
    loss.backward()
    out = {"loss": loss.detach()}
    out.update({k: v.grad for k, v in p.items()})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(REPO, "data", "fashion-mnist"))
    ap.add_argument("batches", nargs="*", type=int, default=[1, 7, 1000, 60000])
    args = ap.parse_args()
    torch.set_num_threads(1)
    find = lambda name: next(os.path.join(args.data, name + ext) for ext in ("", ".gz")
                             if os.path.exists(os.path.join(args.data, name + ext)))
    images = read_idx(find("train-images-idx3-ubyte"))
    labels = read_idx(find("train-labels-idx1-ubyte"))
    with tempfile.TemporaryDirectory() as work:
        prog = os.path.join(work, "autoencoder")
        subprocess.run([os.path.join(REPO, "build", "mlc"), os.path.join(HERE, "autoencoder.model"),
                        "-o", prog], check=True)
        init = os.path.join(work, "init.safetensors")
        subprocess.run([prog, "--data", args.data, "--epochs", "0", "--save", init], check=True,
                       stdout=subprocess.DEVNULL)
        params = load_safetensors(init)
        print("%-7s %-14s %12s %14s" % ("batch", "tensor", "mlc", "PyTorch f32"))
        for b in args.batches:
            grads = os.path.join(work, "grads.safetensors")
            subprocess.run([prog, "--data", args.data, "--load", init, "--batch", str(b),
                            "--grads", grads], check=True)
            mlc = load_safetensors(grads)
            x = torch.from_numpy(images[:b].reshape(b, 784).astype(np.float32)) / 255
            y = torch.from_numpy(labels[:b].astype(np.int64))
            f32, f64 = reference(params, x, y, torch.float32), reference(params, x, y, torch.float64)
            for k, ref in f64.items():
                scale = ref.abs().max().item() or 1.0
                err = lambda t: (t.double().reshape(ref.shape) - ref).abs().max().item() / scale
                print("%-7d %-14s %12.2e %14.2e" % (b, k, err(mlc[k]), err(f32[k])))


if __name__ == "__main__":
    main()
