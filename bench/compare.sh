#!/bin/sh
# compare.sh — train_fashion against PyTorch: same data and initial weights, the printed
# losses and test accuracy side by side, and seconds per epoch of each with their ratio.
#
# Usage: bench/compare.sh [--trainer ./train_fashion] [--data DIR] [--epochs 5]
#                         [--quickstart-epochs 1] [--mlc-threads N] [--no-quickstart]
#        bench/compare.sh --epochs 1        # quick run
# All the work is in bench/compare.py (Python standard library; the PyTorch runs use
# /usr/bin/python3 with Debian's python3-torch); see its header for what is measured.
set -eu
exec /usr/bin/python3 "$(dirname "$0")/compare.py" "$@"
