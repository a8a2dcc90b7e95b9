#!/usr/bin/env python3
"""make_data.py: the data files of tests/e2e/loaders.sh, written with NumPy (seeded, so a
rerun gives the same bytes; run from anywhere: the files go beside this script).

  blobs_{train,test}_{x,y}.npy, blobs.npz, blobs_test.npz
        three classes, Gaussian blobs in 4 dimensions whose centres are 6 apart (standard
        deviation 1): a linear classifier separates them; x float32 [n, 4], y int64 [n]
  reg_train.csv, reg_test.csv, reg.npz, reg_test.npz
        a linear regression: y = x . w + b + noise (standard deviation 0.1), x float64 [n, 8]
        in the .npz, y [n, 1]; the same values in the CSV files (columns f0..f7, then the
        target 'price' in the middle, so that the target's column is found by name)
  reg_limit.txt
        the test set's mean squared error of the least-squares fit (numpy.linalg.lstsq on the
        training set), times 1.5: training must get below it
  blobs_train.csv, blobs_test.csv
        the blobs as CSV: columns label, x0..x3
  bytes.npz, bytes_f.npz
        the training blobs as uint8 (x * 20 + 128, clipped), and the same values as float32
  blobs_train_x_be.npy
        blobs_train_x.npy as big-endian float64 (the same values)
  bad_*.npy     malformed inputs: complex values, float class labels, a sample shape of 7,
                a NaN
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261203)


def out(name):
    return os.path.join(HERE, name)


# --- classification: blobs ---
centres = np.array([[3, 0, 0, 0], [-3, 0, 0, 0], [0, 3 * 3 ** 0.5, 0, 0]], dtype=np.float64)


def blobs(n):
    y = rng.integers(0, 3, size=n)
    x = centres[y] + rng.normal(size=(n, 4))
    return x.astype(np.float32), y.astype(np.int64)


bx, by = blobs(600)
tx, ty = blobs(200)
np.save(out("blobs_train_x.npy"), bx)
np.save(out("blobs_train_y.npy"), by)
np.save(out("blobs_test_x.npy"), tx)
np.save(out("blobs_test_y.npy"), ty)
np.savez(out("blobs.npz"), x=bx, y=by)
np.savez_compressed(out("blobs_test.npz"), x=tx, y=ty)

# --- regression ---
w = rng.normal(size=8)
b = 0.5


def regression(n):
    x = rng.normal(size=(n, 8))
    y = x @ w + b + 0.1 * rng.normal(size=n)
    return x, y


rx, ry = regression(1000)
sx, sy = regression(250)


def write_csv(name, x, y):
    cols = [f"f{i}" for i in range(4)] + ["price"] + [f"f{i}" for i in range(4, 8)]
    with open(out(name), "w") as f:
        f.write(",".join(cols) + "\n")
        for xi, yi in zip(x, y):
            vals = [repr(float(v)) for v in xi[:4]] + [repr(float(yi))] + [repr(float(v)) for v in xi[4:]]
            f.write(",".join(vals) + "\n")


write_csv("reg_train.csv", rx, ry)
write_csv("reg_test.csv", sx, sy)
np.savez(out("reg.npz"), features=rx, price=ry.reshape(-1, 1))
np.savez(out("reg_test.npz"), features=sx, price=sy.reshape(-1, 1))
A = np.hstack([rx, np.ones((len(rx), 1))])
coef = np.linalg.lstsq(A, ry, rcond=None)[0]
mse = np.mean((np.hstack([sx, np.ones((len(sx), 1))]) @ coef - sy) ** 2)
with open(out("reg_limit.txt"), "w") as f:
    f.write(f"{1.5 * mse:.6f}\n")

# --- malformed ---
np.save(out("bad_complex.npy"), (bx[:, 0] + 1j * bx[:, 1]).astype(np.complex64))
np.save(out("bad_float_labels.npy"), by.astype(np.float32))
np.save(out("bad_shape.npy"), rng.normal(size=(600, 7)).astype(np.float32))
np.save(out("blobs_train_x_be.npy"), bx.astype(">f8"))
q = np.clip(np.round(bx * 20 + 128), 0, 255).astype(np.uint8)
np.savez(out("bytes.npz"), x=q, y=by)
np.savez(out("bytes_f.npz"), x=q.astype(np.float32), y=by)
for name, x, y in (("blobs_train.csv", bx, by), ("blobs_test.csv", tx, ty)):
    with open(out(name), "w") as f:
        f.write("label,x0,x1,x2,x3\n")
        for xi, yi in zip(x, y):
            f.write(f"{yi}," + ",".join(repr(float(v)) for v in xi) + "\n")
nan = bx.copy()
nan[17, 2] = np.nan
np.save(out("bad_nan.npy"), nan)
