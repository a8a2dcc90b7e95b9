#!/usr/bin/python3
"""Make the fixtures of tests/precision (needs Debian's python3-torch, nothing else):
    /usr/bin/python3 tests/precision/make_fixtures.py

precision_init.safetensors
    The parameters of precision.model: mlp.0 = Linear(784, 32) and mlp.2 = Linear(32, 10)
    with PyTorch's default init after torch.manual_seed(0), and b = [0.25].

precision_grads.safetensors
    The loss and every gradient of precision.model with those weights, x = ones(784),
    label = 1, computed in float64 (then stored as float32). Every sample of a batch is the
    same, so these are the exact values at any batch size: the test compares mlc at batch
    1, 7, 1000 and 60000 with them.

It also prints how far PyTorch's own float32 lands from the float64 values at batch 60000,
the yardstick for mlc's tolerance.
"""
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "bench"))
from pytorch_quickstart import save_safetensors  # noqa: E402


def loss_and_grads(params, n, dtype):
    p = {k: v.detach().to(dtype).requires_grad_(True) for k, v in params.items()}
    x = torch.ones(n, 784, dtype=dtype)
    label = torch.ones(n, dtype=torch.long)
    h = torch.relu(x @ p["mlp.0.weight"].T + p["mlp.0.bias"])
    logits = h @ p["mlp.2.weight"].T + p["mlp.2.bias"]
    loss = (nn.functional.cross_entropy(logits, label) + torch.mean(x * 0.3 + p["b"])
            + 0.01 * torch.mean(logits * logits))
    loss.backward()
    out = {"loss": loss.detach().reshape([])}
    out.update({k: v.grad for k, v in p.items()})
    return out


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))
    params = {"b": torch.tensor([0.25])}
    params.update({"mlp." + k: v for k, v in mlp.state_dict().items()})
    save_safetensors(os.path.join(HERE, "precision_init.safetensors"), params)
    exact = loss_and_grads(params, 1, torch.float64)
    save_safetensors(os.path.join(HERE, "precision_grads.safetensors"),
                     {k: v.to(torch.float32) for k, v in exact.items()})
    f32 = loss_and_grads(params, 60000, torch.float32)
    for k, v in exact.items():
        err = ((f32[k].double() - v).abs().max() / v.abs().max()).item()
        print("%-14s PyTorch float32 at batch 60000: largest error %.2e of the largest value" % (k, err))


if __name__ == "__main__":
    main()
