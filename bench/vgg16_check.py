#!/usr/bin/python3
"""models/vgg16.model against torchvision's vgg16() from the same weights.

Usage (from the repository root; needs build/mlc and Debian's python3-torch, and uses
python3-torchvision's models.vgg16() when it is installed, else the same architecture written
out here under the same state_dict names):
    /usr/bin/python3 bench/vgg16_check.py [--keep DIR]

1. Builds vgg16() after torch.manual_seed(0) (random init: nothing is downloaded), saves its
   state_dict with torch.save, converts it with scripts/pth-to-safetensors.py when that
   script exists (else writes the safetensors here), and draws two 224x224 images.
2. Compiles models/vgg16.model with mlc (timed), and runs the program with
   --load WEIGHTS --inputs IMAGES --outputs OUT: the evaluation pass's logits. Compares them
   with model.eval()(images): the largest difference relative to the largest logit.
3. Runs one training step's forward and backward pass (--grads) on the two images, timed, with
   the peak resident memory of the process (/usr/bin/time), and compares the loss with
   PyTorch's in training mode... only roughly: dropout draws other masks, so the loss is
   printed, not compared.
A check and a measurement; the test suite needs no PyTorch (tests/unit checks the parameter
count through the compiler).
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def vgg16():
    try:
        from torchvision.models import vgg16 as tv_vgg16
        return tv_vgg16(), "torchvision.models.vgg16()"
    except ImportError:
        pass
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
           512, 512, 512, "M"]
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
            c = v

    class VGG(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
            self.classifier = nn.Sequential(
                nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
                nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))
            # torchvision's init
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

        def forward(self, x):
            return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))

    return VGG(), "the same architecture as torchvision's vgg16() (no torchvision here)"


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, t in tensors.items():
        n = t.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for t in tensors.values():
            f.write(t.detach().contiguous().float().numpy().tobytes())


def read_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    out = {}
    for name, v in json.loads(data[8:8 + n]).items():
        if name != "__metadata__":
            a, b = v["data_offsets"]
            out[name] = torch.frombuffer(bytearray(data[8 + n + a:8 + n + b]),
                                         dtype=torch.float32).reshape(v["shape"])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="vgg16.")
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(0)
    model, what = vgg16()
    nparams = sum(p.numel() for p in model.parameters())
    print("PyTorch: %s, %d parameters" % (what, nparams))
    pth = os.path.join(work, "vgg16.pth")
    weights = os.path.join(work, "vgg16.safetensors")
    torch.save(model.state_dict(), pth)
    converter = os.path.join(REPO, "scripts", "pth-to-safetensors.py")
    if os.path.exists(converter):
        subprocess.run(["/usr/bin/python3", converter, pth, weights], check=True)
        print("weights: %s converted by scripts/pth-to-safetensors.py" % pth)
    else:
        write_safetensors(weights, model.state_dict())
    x = torch.rand(2, 3, 224, 224)
    y = torch.tensor([3, 7])
    inputs = os.path.join(work, "images.safetensors")
    write_safetensors(inputs, {"image": x, "label": y.float()})

    prog = os.path.join(work, "vgg16")
    t0 = time.perf_counter()
    subprocess.run([os.path.join(REPO, "build", "mlc"), os.path.join(REPO, "models", "vgg16.model"),
                    "-o", prog], check=True)
    print("mlc compile time: %.1f s" % (time.perf_counter() - t0))

    out = os.path.join(work, "logits.safetensors")
    t0 = time.perf_counter()
    subprocess.run([prog, "--load", weights, "--inputs", inputs, "--outputs", out], check=True)
    t_eval = time.perf_counter() - t0
    got = read_safetensors(out)
    mine = next(v for k, v in got.items() if k != "loss")
    model.eval()
    with torch.no_grad():
        t0 = time.perf_counter()
        logits = model(x)
        t_torch = time.perf_counter() - t0
    want = logits
    rel = ((mine - want).abs().max() / want.abs().max()).item()
    print("eval logits of 2 images: largest difference %.3g of the largest logit (%.4g); %s"
          % (rel, want.abs().max().item(), "ok (within 1e-4)" if rel <= 1e-4 else "FAILED"))
    print("  argmax mlc %s, PyTorch %s" % (mine.argmax(1).tolist(), want.argmax(1).tolist()))
    print("  seconds for the run (load, 2 images): mlc %.2f; PyTorch forward alone %.2f"
          % (t_eval, t_torch))

    grads = os.path.join(work, "grads.safetensors")
    timing = subprocess.run(["/usr/bin/time", "-f", "%e %M", prog, "--load", weights, "--inputs",
                             inputs, "--grads", grads], check=True, capture_output=True,
                            text=True)
    wall, rss = timing.stderr.strip().splitlines()[-1].split()
    loss = read_safetensors(grads)["loss"].item()
    model.train()
    t0 = time.perf_counter()
    l = nn.functional.cross_entropy(model(x), y)
    l.backward()
    t_step = time.perf_counter() - t0
    print("one training step (forward and backward, batch 2): mlc run %s s in all (load "
          "included), peak RSS %.0f MB, loss %.4f; PyTorch %.2f s, loss %.4f (dropout differs)"
          % (wall, int(rss) / 1024, loss, t_step, l.item()))
    if not args.keep:
        subprocess.run(["rm", "-rf", work])
    return 0 if rel <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
