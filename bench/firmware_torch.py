"""firmware_torch.py: PyTorch eager latency at batch 1 for the quickstart's network.

    /usr/bin/python3 bench/firmware_torch.py WEIGHTS.safetensors IMAGES PREDICTIONS

Loads the weights mlc trained (safetensors, read here with the standard library) into the
quickstart's nn.Sequential, predicts the first 1000 images of IMAGES (uncompressed IDX,
scaled by 1/255) one at a time under torch.no_grad() and prints the best and median
microseconds per inference over 30 rounds, with 1 thread and with torch's default (when that
is more). Then how
many of its predictions equal those in PREDICTIONS (one class per line: the firmware code's).
"""
import json
import struct
import sys
import time

import torch
from torch import nn

NIMAGES, ROUNDS = 1000, 30


def read_safetensors(path):
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        tensors[name] = flat.reshape(t["shape"])
    return tensors


def main():
    weights, images, predictions = sys.argv[1:4]
    model = nn.Sequential(nn.Flatten(), nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)))
    state = {"1." + k.split(".", 1)[1]: v for k, v in read_safetensors(weights).items()}
    model.load_state_dict(state)
    model.eval()
    with open(images, "rb") as f:
        f.seek(16)
        raw = bytearray(f.read(NIMAGES * 784))
    x = torch.frombuffer(raw, dtype=torch.uint8).reshape(NIMAGES, 1, 28, 28).float() / 255
    xs = [x[i:i + 1] for i in range(NIMAGES)]
    default_threads = torch.get_num_threads()
    with torch.no_grad():
        for threads in sorted({1, default_threads}):
            torch.set_num_threads(threads)
            us = []
            for r in range(ROUNDS + 1):
                t0 = time.perf_counter()
                for xi in xs:
                    model(xi)
                if r:
                    us.append((time.perf_counter() - t0) / NIMAGES * 1e6)
            us.sort()
            print(f"torch_threads_{threads} {us[0]:.2f} {us[ROUNDS // 2]:.2f}")
        preds = model(x).argmax(1).tolist()
    with open(predictions) as f:
        ours = [int(line) for line in f][:NIMAGES]
    same = sum(a == b for a, b in zip(preds, ours))
    print(f"torch_version {torch.__version__}")
    print(f"same_predictions {same} {len(ours)}")


main()
