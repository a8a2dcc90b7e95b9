#!/usr/bin/python3
"""The PyTorch "Learn the Basics" quickstart training, as a reference for mlc's train_fashion.

Usage:
  /usr/bin/python3 bench/pytorch_quickstart.py [--data DIR] [--epochs 5] [--batch 64]
        [--lr 1e-3] [--threads N] [--blas-threads M] [--seed 0] [--mode quickstart|preloaded]
        [--load INIT.safetensors] [--save-init OUT.safetensors] [--save OUT.safetensors]

Network, loss and optimiser are the quickstart's: Flatten, Linear(784,512), ReLU,
Linear(512,512), ReLU, Linear(512,10); CrossEntropyLoss; SGD(lr); batch 64; no shuffle.
Data are gzip (or plain) IDX files in DIR (default ../shared/data/fashion-mnist, else
data/fashion-mnist, both relative to the repository root), read here without torchvision.

--mode quickstart  the tutorial code as written: torchvision.datasets.FashionMNIST with
                   transform=ToTensor() (a PIL image per item, then a tensor / 255), batched
                   by torch.utils.data.DataLoader(batch_size=64). The IDX files are unpacked
                   into a temporary FashionMNIST/raw folder for torchvision first (Debian's
                   python3-torchvision; without it, a Dataset that makes the same tensors
                   without PIL stands in, which is a little faster than the tutorial).
--mode preloaded   (default) the whole set as one float32 tensor, divided by 255 once, and
                   batches sliced from it: the fastest way to run this in PyTorch.
Both modes compute the same numbers.

--save-init writes the freshly initialised state_dict (after torch.manual_seed(--seed); with
the default seed 0 these are the bytes of tests/fixtures/fashion_init.safetensors) as
safetensors before training; --load starts from such a file instead (train_fashion --load
reads the same file); --save writes the trained weights.  Safetensors is written and read
by hand: 8-byte little-endian header length, JSON header {name: {dtype, shape,
data_offsets}} padded with spaces to a multiple of 8, then raw little-endian float32 data.

Threads: PyTorch here does its GEMMs in OpenBLAS, which has its own thread pool (all cores
by default).  --threads sets PyTorch's threads, --blas-threads OpenBLAS's; on 2 cores the
fast setting is --threads 1 with OpenBLAS's default, and --threads 2 --blas-threads 2
oversubscribes the cores and is several times slower.

Standard output is exactly the quickstart's lines (Epoch / loss every 100 batches / Test
Error / Done!).  Timings go to standard error, one line per epoch:
  time: epoch 1 train 1.234 s test 0.123 s total 1.357 s
"""
import argparse
import gzip
import json
import os
import struct
import sys
import tempfile
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=None, help="IDX folder (default: ../shared/data/"
                    "fashion-mnist, else data/fashion-mnist, in the repository)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--momentum", type=float, default=0.0, help="SGD momentum")
    ap.add_argument("--weight-decay", type=float, default=0.0, help="SGD weight decay")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads(N), PyTorch's own threads (0: its default)")
    ap.add_argument("--blas-threads", type=int, default=0,
                    help="OPENBLAS_NUM_THREADS for the GEMMs (0: OpenBLAS's default, all cores)")
    ap.add_argument("--seed", type=int, default=0, help="torch.manual_seed before init")
    ap.add_argument("--mode", choices=["quickstart", "preloaded"], default="preloaded")
    ap.add_argument("--load", metavar="INIT.safetensors", help="start from these weights")
    ap.add_argument("--save-init", metavar="OUT.safetensors", help="write the initial weights")
    ap.add_argument("--save", metavar="OUT.safetensors", help="write the trained weights")
    return ap.parse_args()


# OpenBLAS reads its thread count when it is loaded, i.e. during `import torch`, so the
# options are parsed first.
ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None and ARGS.blas_threads > 0:
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.blas_threads)

import torch  # noqa: E402
from torch import nn  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- IDX files ----------------------------------------------------------------------------

def read_idx_bytes(data_dir, name):
    """The uncompressed bytes of the IDX file data_dir/name (or name.gz)."""
    path = os.path.join(data_dir, name)
    for p in (path + ".gz", path):
        if os.path.exists(p):
            opener = gzip.open if p.endswith(".gz") else open
            with opener(p, "rb") as f:
                return f.read()
    sys.exit("pytorch_quickstart.py: error: cannot find %s(.gz)" % path)


def read_idx(path):
    """Read an IDX file (path or path + '.gz') into a uint8 tensor of its dims."""
    p = path
    data = read_idx_bytes(os.path.dirname(path), os.path.basename(path))
    magic = struct.unpack(">I", data[:4])[0]
    if magic >> 8 != 0x08:
        sys.exit("pytorch_quickstart.py: error: %s: bad IDX magic 0x%08x" % (p, magic))
    ndim = magic & 0xFF
    dims = struct.unpack(">%dI" % ndim, data[4:4 + 4 * ndim])
    t = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return t.reshape(dims)


def load_split(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte"))
    labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte")).long()
    return images, labels


# ---- safetensors --------------------------------------------------------------------------

def save_safetensors(path, tensors):
    """Write {name: tensor} as float32 safetensors (this host is little-endian)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = bytes(t.detach().to(torch.float32).reshape(-1).view(torch.uint8).tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def load_safetensors(path):
    """Read a float32 safetensors file into {name: tensor}."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            sys.exit("pytorch_quickstart.py: error: %s: tensor '%s' is %s, expected F32"
                     % (path, name, info["dtype"]))
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + a:base + b]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"])
    return out


# ---- the two ways of feeding data ---------------------------------------------------------

class IdxDataset(torch.utils.data.Dataset):
    """One item at a time, as torchvision.datasets.FashionMNIST + ToTensor() give it."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        # torchvision copies the image out of its array (PIL, then np.array(copy=True)), and
        # ToTensor makes it channel-first and divides by 255.
        pic = self.images[i].clone()
        x = pic.view(28, 28, 1).permute(2, 0, 1).contiguous().to(torch.float32).div(255)
        return x, int(self.labels[i])


class Preloaded:
    """The whole split as one float32 tensor; iterating yields batch slices (no copies)."""

    def __init__(self, images, labels, batch):
        self.x = images.to(torch.float32).div(255).unsqueeze(1)  # [n, 1, 28, 28]
        self.y = labels
        self.batch = batch
        self.dataset = labels  # len(loader.dataset) is the number of samples

    def __len__(self):
        return (len(self.y) + self.batch - 1) // self.batch

    def __iter__(self):
        for i in range(0, len(self.y), self.batch):
            yield self.x[i:i + self.batch], self.y[i:i + self.batch]


# ---- the quickstart's model and loops -----------------------------------------------------

class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        # Compute prediction error
        pred = model(X)
        loss = loss_fn(pred, y)

        # Backpropagation
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 100 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]", flush=True)


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n",
          flush=True)


def default_data_dir():
    for d in (os.path.join(REPO, "..", "shared", "data", "fashion-mnist"),
              os.path.join(REPO, "data", "fashion-mnist")):
        if os.path.exists(os.path.join(d, "train-labels-idx1-ubyte.gz")):
            return os.path.normpath(d)
    return "data/fashion-mnist"


def main():
    args = ARGS
    data_dir = args.data or default_data_dir()

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train_x, train_y = load_split(data_dir, "train")
    test_x, test_y = load_split(data_dir, "t10k")
    tmp = None
    if args.mode == "quickstart":
        DataLoader = torch.utils.data.DataLoader
        try:
            from torchvision import datasets
            from torchvision.transforms import ToTensor
        except ImportError:
            datasets = None
            sys.stderr.write("pytorch_quickstart: no torchvision (apt-get install "
                             "python3-torchvision); items are made without PIL\n")
        if datasets is not None:
            tmp = tempfile.TemporaryDirectory(prefix="fashion-torchvision.")
            raw = os.path.join(tmp.name, "FashionMNIST", "raw")
            os.makedirs(raw)
            for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
                with open(os.path.join(raw, name), "wb") as out:
                    out.write(read_idx_bytes(data_dir, name))
            training_data = datasets.FashionMNIST(root=tmp.name, train=True, download=False,
                                                  transform=ToTensor())
            test_data = datasets.FashionMNIST(root=tmp.name, train=False, download=False,
                                              transform=ToTensor())
        else:
            training_data = IdxDataset(train_x, train_y)
            test_data = IdxDataset(test_x, test_y)
        train_dataloader = DataLoader(training_data, batch_size=args.batch)
        test_dataloader = DataLoader(test_data, batch_size=args.batch)
    else:
        train_dataloader = Preloaded(train_x, train_y, args.batch)
        test_dataloader = Preloaded(test_x, test_y, args.batch)

    model = NeuralNetwork()
    if args.load:
        model.load_state_dict(load_safetensors(args.load))
    if args.save_init:
        save_safetensors(args.save_init, model.state_dict())

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum,
                                weight_decay=args.weight_decay)

    sys.stderr.write("time: mode %s, torch threads %d, OPENBLAS_NUM_THREADS %s\n"
                     % (args.mode, torch.get_num_threads(),
                        os.environ.get("OPENBLAS_NUM_THREADS", "unset")))
    for t in range(args.epochs):
        print(f"Epoch {t+1}\n-------------------------------", flush=True)
        t0 = time.perf_counter()
        train(train_dataloader, model, loss_fn, optimizer)
        t1 = time.perf_counter()
        test(test_dataloader, model, loss_fn)
        t2 = time.perf_counter()
        sys.stderr.write("time: epoch %d train %.3f s test %.3f s total %.3f s\n"
                         % (t + 1, t1 - t0, t2 - t1, t2 - t0))
        sys.stderr.flush()
    print("Done!", flush=True)
    if args.save:
        save_safetensors(args.save, model.state_dict())


if __name__ == "__main__":
    main()
