#!/usr/bin/env python3
"""Write a small FashionMNIST subset for the end-to-end test (tests/e2e/data).

Usage:  python3 scripts/make-subset.py [SRC_DIR] [OUT_DIR] [N_TRAIN] [N_TEST]
        defaults: ../shared/data/fashion-mnist  tests/e2e/data  2048  512
        (the default folders are relative to the repository root, so it runs from anywhere;
        folders given on the command line are relative to the current directory)

Takes the FIRST N_TRAIN training images and labels and the FIRST N_TEST test images and
labels of SRC_DIR (gzip IDX, as written by scripts/get-data.sh) and writes them as gzip IDX
files with the standard names, headers fixed up for the new counts.  Python 3 stdlib only.
The .gz files are written with mtime 0 and no file name, so rerunning gives the same bytes.
"""
import gzip
import os
import struct
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def fail(msg):
    sys.stderr.write("make-subset.py: error: %s\n" % msg)
    sys.exit(1)


def read_idx(path):
    """Return (magic, dims, payload bytes) of a gzip IDX file."""
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail("cannot read %s: %s" % (path, e))
    if len(data) < 4:
        fail("%s: too short for an IDX header" % path)
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    if magic >> 8 != 0x08 or ndim not in (1, 3):
        fail("%s: bad IDX magic 0x%08x" % (path, magic))
    dims = struct.unpack(">%dI" % ndim, data[4:4 + 4 * ndim])
    payload = data[4 + 4 * ndim:]
    size = 1
    for d in dims:
        size *= d
    if len(payload) != size:
        fail("%s: header says %d bytes of data, file has %d" % (path, size, len(payload)))
    return magic, dims, payload


def write_idx(path, magic, dims, payload):
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(struct.pack(">I", magic) + struct.pack(">%dI" % len(dims), *dims))
            gz.write(payload)
    os.replace(tmp, path)


def main():
    args = sys.argv[1:]
    shared = os.path.join(REPO, "..", "shared", "data", "fashion-mnist")
    src = args[0] if len(args) > 0 else shared
    out = args[1] if len(args) > 1 else os.path.join(REPO, "tests", "e2e", "data")
    counts = {"train": int(args[2]) if len(args) > 2 else 2048,
              "test": int(args[3]) if len(args) > 3 else 512}
    os.makedirs(out, exist_ok=True)
    for split, names in NAMES.items():
        n = counts[split]
        for name in names:
            magic, dims, payload = read_idx(os.path.join(src, name + ".gz"))
            if n > dims[0]:
                fail("%s has only %d items, asked for %d" % (name, dims[0], n))
            per_item = len(payload) // dims[0] if dims[0] else 0
            write_idx(os.path.join(out, name + ".gz"), magic, (n,) + tuple(dims[1:]),
                      payload[:n * per_item])
            print("%s/%s.gz: %d of %d items" % (out, name, n, dims[0]))


if __name__ == "__main__":
    main()
