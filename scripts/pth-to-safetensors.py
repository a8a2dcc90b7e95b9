#!/usr/bin/env python3
"""pth-to-safetensors.py IN.pth OUT.safetensors: converts a PyTorch weight file (what
torch.save writes: a state_dict, a dict holding one under "state_dict" or
"model_state_dict", or a whole nn.Module) into a safetensors file that an mlc program loads
with --load.

Needs PyTorch (Debian: python3-torch) to read the .pth file; the safetensors file is written
here by hand, as the format describes it: an 8-byte little-endian header length, the JSON
header (padded with spaces to a multiple of 8 bytes), then each tensor's bytes,
little-endian, back to back. Floating-point tensors are written as F32 (mlc's type); integer
and bool tensors (e.g. BatchNorm's num_batches_tracked) keep their type, and an mlc program
skips them with a warning if its model has no such parameter.

The file is loaded with weights_only=True where PyTorch has it: a .pth file is a pickle,
and a pickle from an unknown source can run code when loaded without it.
"""
import json
import os
import sys

import numpy as np
import torch

DTYPES = {
    torch.float32: "F32",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def state_dict_of(obj, path):
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if isinstance(obj, dict):
        for key in ("state_dict", "model_state_dict"):
            if key in obj and isinstance(obj[key], dict):
                return obj[key]
        if all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj
    sys.exit(f"{path}: holds no state_dict (a dict of tensors), but a {type(obj).__name__}")


def load(path):
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # PyTorch before 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pth-to-safetensors.py IN.pth OUT.safetensors")
    src, dst = sys.argv[1], sys.argv[2]
    sd = state_dict_of(load(src), src)
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in sd.items():
        t = t.detach().cpu()
        if t.is_floating_point():
            t = t.to(torch.float32)
        if t.dtype not in DTYPES:
            sys.exit(f"{src}: tensor '{name}' has dtype {t.dtype}, which this script does not write")
        a = t.contiguous().numpy()
        data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, dst)
    print(f"{dst}: {len(blobs)} tensors from {src}")


if __name__ == "__main__":
    main()
