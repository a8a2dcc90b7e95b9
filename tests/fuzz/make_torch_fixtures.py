#!/usr/bin/python3
"""Make the PyTorch corpus of the model fuzzer: tests/fuzz/corpus/.

Usage (needs Debian's python3-torch 1.13, nothing else):
    /usr/bin/python3 tests/fuzz/make_torch_fixtures.py build/tests/fuzz/fuzz_models

1. `fuzz_models --corpus tests/fuzz/corpus --seed 7001 --count 30` writes 30 generated
   models: fuzzS.model, the same model as a PyTorch function (fuzzS.py, a loss_fn(t) of a dict
   of tensors), and the weights and batch it is checked on (fuzzS_weights.safetensors,
   fuzzS_batch.safetensors). Without the argument, the files already there are used.
2. For each, this script computes the loss and the gradient of every parameter in float32
   with PyTorch's autograd and writes them as fuzzS_expected.safetensors ("loss", rank 0,
   and one tensor per parameter, by its state_dict name).

The CTest test fuzz/corpus_vs_pytorch (`fuzz_models --corpus-check`) then compiles each
model with mlc and compares, without PyTorch. torch 1.13 has no safetensors package, so the
files are read and written here as the format describes them.
"""
import glob
import json
import os
import struct
import subprocess
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
FIRST_SEED, COUNT = 7001, 30


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (path, name, info["dtype"])
        start, end = info["data_offsets"]
        values = struct.unpack("<%df" % ((end - start) // 4), body[start:end])
        out[name] = torch.tensor(values, dtype=torch.float32).reshape(info["shape"])
    return out


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name in sorted(tensors):
        n = tensors[name].numel() * 4
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in sorted(tensors):
            t = tensors[name].detach().to(torch.float32).contiguous().reshape(-1)
            f.write(struct.pack("<%df" % t.numel(), *t.tolist()))


def expected(stem):
    ns = {"torch": torch, "F": F}
    with open(stem + ".py") as f:
        exec(f.read(), ns)
    weights = read_safetensors(stem + "_weights.safetensors")
    t = {name: w.clone().requires_grad_(True) for name, w in weights.items()}
    t.update(read_safetensors(stem + "_batch.safetensors"))
    loss = ns["loss_fn"](t)
    loss.backward()
    out = {"loss": loss.detach().reshape(())}
    for name, w in weights.items():
        g = t[name].grad
        out[name] = g if g is not None else torch.zeros_like(w)
    write_safetensors(stem + "_expected.safetensors", out)
    return float(loss)


def main():
    torch.set_num_threads(1)
    if len(sys.argv) > 1:
        for old in glob.glob(os.path.join(CORPUS, "fuzz*")):
            os.remove(old)
        subprocess.run([sys.argv[1], "--corpus", CORPUS, "--seed", str(FIRST_SEED),
                        "--count", str(COUNT)], check=True)
    for model in sorted(glob.glob(os.path.join(CORPUS, "*.model"))):
        stem = model[:-len(".model")]
        print("%s: loss %.6f" % (os.path.basename(stem), expected(stem)))


if __name__ == "__main__":
    main()
