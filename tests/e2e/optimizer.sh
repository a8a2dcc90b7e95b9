#!/bin/sh
# optimizer.sh MLC SRC_ROOT: train_fashion's training steps against torch.optim.SGD.
#
# Trains models/fashion.model for 2 epochs on tests/e2e/data from the weights PyTorch
# initialised (tests/fixtures/fashion_init.safetensors) and compares every number it prints
# (losses, accuracies, average test losses) with what PyTorch printed for the same run
# (tests/fixtures/fashion_*.txt, made by tests/fixtures/make_training_fixtures.sh):
#   plain SGD           the path that folds the update into the weight-gradient GEMMs
#   momentum and decay  the path through backward() and the separate update
# Losses must agree to 2e-4, accuracies to 0.25 points (one test image of 512 is 0.2: a
# sample at a tie may go either way with other rounding).
set -eu
mlc=$1 root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mlc" "$root/models/fashion.model" -o "$work/train_fashion"

compare() {
    fixture=$1
    shift
    "$work/train_fashion" --data "$root/tests/e2e/data" --load "$root/tests/fixtures/fashion_init.safetensors" \
        --epochs 2 --batch 64 --no-shuffle "$@" >"$work/out.txt"
    # the numbers of each output, one per line, side by side
    tr -c '0-9.\n' ' ' <"$root/tests/fixtures/$fixture" | tr -s ' ' '\n' | grep -E '^[0-9]+\.[0-9]+$' >"$work/want"
    tr -c '0-9.\n' ' ' <"$work/out.txt" | tr -s ' ' '\n' | grep -E '^[0-9]+\.[0-9]+$' >"$work/got"
    if [ "$(wc -l <"$work/want")" -ne "$(wc -l <"$work/got")" ]; then
        echo "FAIL ($fixture): train_fashion printed other lines than PyTorch:"
        diff "$root/tests/fixtures/$fixture" "$work/out.txt" || true
        exit 1
    fi
    paste "$work/want" "$work/got" | awk -v f="$fixture" '
        { d = $1 - $2; if (d < 0) d = -d
          tol = $1 ~ /^[0-9]+\.[0-9]$/ ? 0.25 : 2e-4   # an accuracy in %, or a loss
          if (d > tol) { bad++; print "FAIL (" f "): PyTorch " $1 ", train_fashion " $2 } }
        END { if (bad) exit 1; print "ok (" f "): " NR " numbers agree with PyTorch" }'
}

compare fashion_sgd.txt --lr 0.05
compare fashion_momentum.txt --lr 0.01 --momentum 0.9 --weight-decay 0.001
