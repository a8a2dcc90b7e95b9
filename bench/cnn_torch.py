#!/usr/bin/python3
"""models/fashion_cnn.model in PyTorch, trained as its train block says, for bench/cnn_compare.py.

Usage: /usr/bin/python3 bench/cnn_torch.py [--data DIR] [--epochs 10] [--batch 64]
           [--threads N] [--blas-threads M] [--seed 0]

The network: two blocks of (Conv2d 3x3 padding 1, BatchNorm2d, ReLU) x 2 and MaxPool2d(2)
(16 and 32 channels), Flatten, Dropout(0.25), Linear(1568, 10); CrossEntropyLoss; Adam
(lr 1e-3); batch 64; the training set shuffled every epoch; pixels / 255. Data are preloaded
as one float32 tensor (PyTorch's fastest way; convolutions go through oneDNN). Standard
output is the quickstart's lines; standard error one timing line per epoch, as
bench/pytorch_quickstart.py writes them.
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_quickstart as qs  # noqa: E402  (data loading and the train/test loops)


def network():
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                nn.MaxPool2d(2)]
    return nn.Sequential(*block(1, 16), *block(16, 32), nn.Flatten(), nn.Dropout(0.25),
                         nn.Linear(32 * 7 * 7, 10))


class Shuffled(qs.Preloaded):
    """Preloaded batches in a new random order every epoch (DataLoader(shuffle=True))."""

    def __iter__(self):
        order = torch.randperm(len(self.y))
        for i in range(0, len(self.y), self.batch):
            idx = order[i:i + self.batch]
            yield self.x[idx], self.y[idx]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=None)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--blas-threads", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.blas_threads > 0:
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.blas_threads)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data_dir = args.data or qs.default_data_dir()
    train_x, train_y = qs.load_split(data_dir, "train")
    test_x, test_y = qs.load_split(data_dir, "t10k")
    train_loader = Shuffled(train_x, train_y, args.batch)
    test_loader = qs.Preloaded(test_x, test_y, args.batch)
    model = network()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    sys.stderr.write("time: torch threads %d\n" % torch.get_num_threads())
    for t in range(args.epochs):
        print(f"Epoch {t+1}\n-------------------------------", flush=True)
        t0 = time.perf_counter()
        qs.train(train_loader, model, loss_fn, optimizer)
        t1 = time.perf_counter()
        qs.test(test_loader, model, loss_fn)
        t2 = time.perf_counter()
        sys.stderr.write("time: epoch %d train %.3f s test %.3f s total %.3f s\n"
                         % (t + 1, t1 - t0, t2 - t1, t2 - t0))
    print("Done!", flush=True)


if __name__ == "__main__":
    main()
