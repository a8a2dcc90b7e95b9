#!/bin/sh
# progress.sh MLC SRCDIR: on a terminal (a pseudo-terminal from util-linux's script) the
# trainer draws a progress bar in place of the per-batch loss lines, and --quiet drops it;
# through a pipe it prints the quickstart's lines with no control characters (CTest
# e2e/progress; skipped, exit 77, without script).
set -eu
mlc=$1 src=$2
data=$src/tests/e2e/data
command -v script >/dev/null 2>&1 || { echo "SKIP: no script(1)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

fail() {
    echo "FAIL: $*"
    exit 1
}

"$mlc" "$src/models/fashion.model" -o train_fashion || fail "mlc could not build train_fashion"
script -qec "./train_fashion --data $data --epochs 2" /dev/null >tty.txt </dev/null ||
    fail "the run on a terminal failed"
grep -q "\[==============================\] 2048/2048  loss [0-9.]*  [0-9]* samples/s  took" tty.txt ||
    { cat -A tty.txt; fail "no finished progress bar"; }
[ "$(grep -c "took" tty.txt)" -eq 2 ] || fail "not one bar per epoch"
grep -q "^loss:" tty.txt && fail "per-batch loss lines on a terminal"
grep -q "Accuracy" tty.txt || fail "no test lines on a terminal"
script -qec "./train_fashion --data $data --epochs 1 --quiet" /dev/null >quiet.txt </dev/null
grep -q "samples/s" quiet.txt && fail "--quiet still draws the bar"
script -qec "./train_fashion --data $data --epochs 1 --no-progress" /dev/null >plain.txt </dev/null
grep -q "samples/s" plain.txt && fail "--no-progress still draws the bar"
grep -q "^loss: " plain.txt || fail "no loss lines on a terminal with --no-progress"
./train_fashion --data "$data" --epochs 1 | cat >pipe.txt
grep -q "^loss: " pipe.txt || fail "no loss lines through a pipe"
tr -d '\n' <pipe.txt | grep -q "$(printf '[\r\033]')" && fail "control characters through a pipe"
echo "ok: a bar on a terminal, the quickstart's lines through a pipe"
echo "PASS"
