#!/usr/bin/env python3
"""models/fashion_cnn.model trained by mlc and by PyTorch on the same data: seconds per epoch
and test accuracy of each, and their ratio.

Usage: bench/cnn_compare.py [--data DIR] [--epochs 2] [--trainer PATH] [--keep]

Builds the trainer with `build/mlc models/fashion_cnn.model` unless --trainer is given, runs
it for E epochs, then bench/cnn_torch.py (the same network, optimizer, batch and shuffling;
convolutions through oneDNN) with torch threads 1 and 2. The two start from different random
weights and draw different dropout masks and batch orders, so their losses are not compared
line by line; the test accuracy after each epoch is. Epoch times are measured as
bench/compare.py measures them (time-stamped output lines, training and test pass), and the
median epoch is compared. A measurement, not a test.
"""
import argparse
import os
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import compare  # noqa: E402  (run_timed and the output parser)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=None)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--trainer", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    data = args.data
    if not data:
        for d in (os.path.join(REPO, "..", "shared", "data", "fashion-mnist"),
                  os.path.join(REPO, "data", "fashion-mnist")):
            if os.path.exists(os.path.join(d, "train-labels-idx1-ubyte.gz")):
                data = os.path.normpath(d)
                break
    if not data:
        sys.exit("cnn_compare.py: no data set; give --data DIR")
    work = tempfile.mkdtemp(prefix="cnn-compare.")
    trainer = args.trainer
    if not trainer:
        trainer = os.path.join(work, "train_fashion_cnn")
        subprocess.run([os.path.join(REPO, "build", "mlc"),
                        os.path.join(REPO, "models", "fashion_cnn.model"), "-o", trainer],
                       check=True)
    E = str(args.epochs)

    def run(label, cmd, log):
        lines, wall = compare.run_timed(label, cmd, os.path.join(work, log))
        return compare.Run(label, cmd, lines, wall)

    runs = [run("mlc fashion_cnn", [trainer, "--data", data, "--epochs", E, "--no-progress"],
                "mlc.log")]
    for threads in (1, 2):
        runs.append(run("pytorch, torch threads %d" % threads,
                        ["/usr/bin/python3", os.path.join(BENCH, "cnn_torch.py"), "--data", data,
                         "--epochs", E, "--threads", str(threads)],
                        "torch%d.log" % threads))
    mlc_time = runs[0].median_time()
    best = min(r.median_time() for r in runs[1:])
    print("\n%-32s %12s %12s %10s" % ("", "s / epoch", "accuracy %", "vs mlc"))
    for r in runs:
        acc = " ".join("%.1f" % a for a, _ in r.tests)
        print("%-32s %12.2f %12s %9.2fx" % (r.label, r.median_time(), acc,
                                            r.median_time() / mlc_time))
    print("\nPyTorch's best / mlc: %.2fx (above 1: mlc is faster)" % (best / mlc_time))
    if not args.keep:
        subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main())
