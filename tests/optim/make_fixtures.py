#!/usr/bin/python3
"""Make the fixtures of tests/optim: torch.optim's weights after training net.model.

Usage (Debian's python3-torch, nothing else):  /usr/bin/python3 tests/optim/make_fixtures.py

The network of net.model (Flatten, Linear(784, 32), ReLU, Linear(32, 10), cross-entropy)
starts from init.safetensors (PyTorch's init after torch.manual_seed(0)) and trains on the
small FashionMNIST subset tests/e2e/data (2048 images in file order, scaled by 1/255,
batch 256: 8 steps an epoch) with each case of CASES below for 3 to 5 epochs (24 to 40
steps), the scheduler stepped after each epoch as in the usual PyTorch loop. It writes the
final weights of each case as <case>.safetensors and cases.txt, one line per case:
    NAME|EPOCHS|OPTIMIZER SETTING|SCHEDULE SETTING|WARMUP SETTING
the settings as the train block writes them (check.sh builds the model with them).

It also writes steps.safetensors for test_rt_optim, which checks the update rules alone:
"w0", 1000 starting values; "grads", 25 steps of gradients for them (a fifth of them tiny,
some exactly zero, as the gradients of weights of rarely lit pixels are); and for each
optimizer setting of STEP_CASES the values after the 25 steps, computed by torch.optim.
"""
import gzip
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "bench"))
from pytorch_quickstart import save_safetensors  # noqa: E402

O = torch.optim
S = torch.optim.lr_scheduler

# name, epochs, torch optimizer, mlc optimizer, torch scheduler (or None), mlc schedule, warmup
CASES = [
    ("sgd_nesterov", 3, lambda p: O.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
     "sgd(lr = 0.05, momentum = 0.9, nesterov = true, weight_decay = 1e-3)", None, "", ""),
    ("sgd_dampening", 3, lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.1),
     "sgd(lr = 0.05, momentum = 0.9, dampening = 0.1)", None, "", ""),
    ("adam", 3, lambda p: O.Adam(p), "adam()", None, "", ""),
    ("adam_amsgrad", 3, lambda p: O.Adam(p, lr=2e-3, betas=(0.8, 0.99), weight_decay=1e-2,
                                         amsgrad=True),
     "adam(lr = 2e-3, betas = [0.8, 0.99], weight_decay = 1e-2, amsgrad = true)", None, "", ""),
    ("adamw", 3, lambda p: O.AdamW(p, lr=1e-3, weight_decay=0.05, amsgrad=True),
     "adamw(lr = 1e-3, weight_decay = 0.05, amsgrad = true)", None, "", ""),
    ("rmsprop", 3, lambda p: O.RMSprop(p, lr=1e-3), "rmsprop(lr = 1e-3)", None, "", ""),
    ("rmsprop_centered", 3, lambda p: O.RMSprop(p, lr=1e-3, alpha=0.9, momentum=0.9,
                                                centered=True, weight_decay=1e-3),
     "rmsprop(lr = 1e-3, alpha = 0.9, momentum = 0.9, centered = true, weight_decay = 1e-3)",
     None, "", ""),
    ("adagrad", 3, lambda p: O.Adagrad(p, lr=0.05, lr_decay=0.01, initial_accumulator_value=0.1,
                                       weight_decay=1e-3),
     "adagrad(lr = 0.05, lr_decay = 0.01, initial_accumulator_value = 0.1, weight_decay = 1e-3)",
     None, "", ""),
    ("sgd_step_lr", 4, lambda p: O.SGD(p, lr=0.1), "sgd(lr = 0.1)",
     lambda o: S.StepLR(o, step_size=1, gamma=0.5), "step_lr(step_size = 1, gamma = 0.5)", ""),
    ("adam_cosine", 4, lambda p: O.Adam(p, lr=3e-3), "adam(lr = 3e-3)",
     lambda o: S.CosineAnnealingLR(o, T_max=4, eta_min=1e-4), "cosine(T_max = 4, eta_min = 1e-4)",
     ""),
    ("sgd_warmup_step", 5, lambda p: O.SGD(p, lr=0.1, momentum=0.5), "sgd(lr = 0.1, momentum = 0.5)",
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=2),
                                  S.StepLR(o, step_size=2, gamma=0.1)], milestones=[2]),
     "step_lr(step_size = 2, gamma = 0.1)", "linear(start_factor = 0.25, epochs = 2)"),
]


def read_idx(path):
    data = gzip.open(path).read()
    dims = struct.unpack(">%dI" % data[3], data[4:4 + 4 * data[3]])
    return np.frombuffer(data[4 + 4 * data[3]:], dtype=np.uint8).reshape(dims)


def network():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))


# name, torch optimizer (its settings are those of test_rt_optim.c's table of the same name)
STEP_CASES = [
    ("sgd", lambda p: O.SGD(p, lr=0.1)),
    ("sgd_momentum", lambda p: O.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("sgd_nesterov", lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("adam", lambda p: O.Adam(p, lr=1e-2)),
    ("adam_amsgrad", lambda p: O.Adam(p, lr=1e-2, betas=(0.8, 0.99), weight_decay=0.1,
                                      amsgrad=True)),
    ("adamw", lambda p: O.AdamW(p, lr=1e-2, weight_decay=0.1)),
    ("rmsprop", lambda p: O.RMSprop(p, lr=1e-2)),
    ("rmsprop_centered", lambda p: O.RMSprop(p, lr=1e-2, alpha=0.9, momentum=0.9, centered=True,
                                             weight_decay=0.01)),
    ("adagrad", lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1,
                                    weight_decay=0.01)),
]


def steps():
    g = torch.Generator().manual_seed(1)
    w0 = torch.randn(1000, generator=g)
    grads = torch.randn(25, 1000, generator=g)
    grads[:, :200] *= 1e-6
    grads[::3, 200:250] = 0
    out = {"w0": w0, "grads": grads}
    for name, make in STEP_CASES:
        w = w0.clone().requires_grad_(True)
        opt = make([w])
        for t in range(25):
            w.grad = grads[t].clone()
            opt.step()
        out[name] = w.detach()
    save_safetensors(os.path.join(HERE, "steps.safetensors"), out)


def main():
    torch.set_num_threads(1)
    steps()
    data = os.path.join(REPO, "tests", "e2e", "data")
    x = torch.from_numpy(read_idx(os.path.join(data, "train-images-idx3-ubyte.gz")).astype(
        np.float32)).div(255).unsqueeze(1)
    y = torch.from_numpy(read_idx(os.path.join(data, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    torch.manual_seed(0)
    init = {"stack." + k: v for k, v in network().state_dict().items()}
    save_safetensors(os.path.join(HERE, "init.safetensors"), init)
    lines = []
    for name, epochs, make_opt, mlc_opt, make_sched, mlc_sched, mlc_warmup in CASES:
        net = network()
        net.load_state_dict({k[len("stack."):]: v for k, v in init.items()})
        opt = make_opt(net.parameters())
        sched = make_sched(opt) if make_sched else None
        for _ in range(epochs):
            for start in range(0, len(x), 256):
                opt.zero_grad()
                loss = nn.functional.cross_entropy(net(x[start:start + 256]), y[start:start + 256])
                loss.backward()
                opt.step()
            if sched:
                sched.step()
        save_safetensors(os.path.join(HERE, name + ".safetensors"),
                         {"stack." + k: v for k, v in net.state_dict().items()})
        lines.append("|".join([name, str(epochs), mlc_opt, mlc_sched, mlc_warmup]))
        print("%-18s %d epochs, last loss %.6f" % (name, epochs, loss.item()))
    with open(os.path.join(HERE, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
