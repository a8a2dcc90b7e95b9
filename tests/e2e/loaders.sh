#!/bin/sh
# loaders.sh MLC SRCDIR: the npy, npz and csv loaders (CTest e2e/loaders), on the files
# tests/e2e/tabular/make_data.py wrote with NumPy:
#   - blobs.model (two .npy files per split), blobs_npz.model (.npz, shuffled, adam) and
#     blobs_csv.model (csv, class labels) classify three separable blobs: test accuracy at
#     least 95% after 5 epochs; big-endian float64 inputs train as the float32 ones do;
#     uint8 inputs (bytes.model: kept as bytes, scaled, split with val_split, shuffled) as
#     float32 ones of the same values;
#   - regression.model (csv, the target's column by name, in the middle) and
#     regression_split.model (npz, val_split = 0.2) fit a linear regression with a mean
#     squared error loss: the test loss must fall below 1.5 times the least-squares fit's
#     (reg_limit.txt), from a first loss 100 times that; the split is seeded (same seed,
#     same output; another seed, another split); --save, --load and --eval agree;
#   - malformed files (wrong dtype, wrong shape, truncated, a NaN, ragged rows, a missing
#     column, a class of 1.5, a missing array, not a zip, a CRC error, not a number) exit 1
#     with a message naming the file.
set -eu
mlc=$1 src=$2
tab=$src/tests/e2e/tabular
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

fail() {
    echo "FAIL: $*"
    exit 1
}

for m in blobs blobs_npz blobs_csv bytes regression regression_split; do
    "$mlc" "$tab/$m.model" -o "$work/$m" || fail "mlc could not build $m"
done
cd "$tab" # the models name their files relative to it

# last_accuracy FILE: the accuracy of the last test pass, a whole number of percent
last_accuracy() {
    grep "Accuracy" "$1" | tail -n 1 | sed 's/.*Accuracy: \([0-9]*\).*/\1/'
}
# last_loss FILE: the average loss of the last test pass
last_loss() {
    grep "Avg loss" "$1" | tail -n 1 | sed 's/.*Avg loss: *\([0-9.e+-]*\).*/\1/'
}
# below A B: A < B as numbers
below() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'
}

# --- training ---
for m in blobs blobs_npz blobs_csv bytes; do
    "$work/$m" >"$work/$m.txt" || fail "$m: training failed"
    acc=$(last_accuracy "$work/$m.txt")
    [ "$acc" -ge 95 ] || { cat "$work/$m.txt"; fail "$m: accuracy $acc%, expected at least 95%"; }
    echo "ok: $m: accuracy $acc%"
done
"$work/bytes" --data bytes_f.npz >"$work/bytes_f.txt"
cmp -s "$work/bytes.txt" "$work/bytes_f.txt" || fail "uint8 inputs train differently from floats"
echo "ok: uint8 inputs (kept as bytes, split, shuffled) train as their floats do"
{ printf '\357\273\277'; sed 's/$/\r/; 1s/label/"label"/' blobs_train.csv; echo; } >"$work/crlf.csv"
"$work/blobs_csv" --data "$work/crlf.csv" >"$work/crlf.txt"
cmp -s "$work/blobs_csv.txt" "$work/crlf.txt" || fail "a CSV file with a BOM, CRLF and quotes trains differently"
echo "ok: csv with a byte order mark, CRLF line ends, a quoted name and a blank line"
"$work/blobs" --data blobs_train_x_be.npy,blobs_train_y.npy >"$work/be.txt"
cmp -s "$work/blobs.txt" "$work/be.txt" || fail "big-endian float64 inputs train differently"
echo "ok: big-endian float64 inputs"
limit=$(cat reg_limit.txt)
for m in regression regression_split; do
    "$work/$m" >"$work/$m.txt" || fail "$m: training failed"
    first=$(grep "^loss:" "$work/$m.txt" | head -n 1 | sed 's/loss: *\([0-9.]*\).*/\1/')
    last=$(last_loss "$work/$m.txt")
    below "$last" "$limit" || { cat "$work/$m.txt"; fail "$m: test loss $last, not below $limit"; }
    below "$(awk -v l="$limit" 'BEGIN { print 100 * l }')" "$first" ||
        fail "$m: the first loss $first is already small: the test proves nothing"
    echo "ok: $m: loss from $first to $last (limit $limit)"
done
grep -q "\[   32/  800\]" "$work/regression_split.txt" || fail "val_split 0.2 of 1000 did not train on 800"
"$work/regression_split" >"$work/again.txt"
cmp -s "$work/regression_split.txt" "$work/again.txt" || fail "val_split: two runs differ"
"$work/regression_split" --seed 7 >"$work/seed7.txt"
cmp -s "$work/regression_split.txt" "$work/seed7.txt" && fail "val_split: --seed 7 changed nothing"
echo "ok: val_split is seeded"

"$work/regression" --save "$work/reg.safetensors" >"$work/saved.txt"
"$work/regression" --load "$work/reg.safetensors" --eval >"$work/eval.txt"
[ "$(last_loss "$work/saved.txt")" = "$(last_loss "$work/eval.txt")" ] ||
    fail "--eval after --load: loss $(last_loss "$work/eval.txt"), training ended at $(last_loss "$work/saved.txt")"
"$work/regression" --data reg_test.csv --test reg_train.csv --epochs 1 >/dev/null ||
    fail "--data and --test"
echo "ok: csv: --save, --load, --eval, --data and --test"

# --- malformed files ---
# expect_error PATTERN CMD...: CMD exits 1 (not a signal) with PATTERN (fixed) on stderr.
expect_error() {
    pattern=$1
    shift
    status=0
    "$@" >"$work/out.txt" 2>"$work/err.txt" || status=$?
    [ "$status" -eq 1 ] || { cat "$work/err.txt"; fail "$*: exit status $status, expected 1"; }
    grep -qF -- "$pattern" "$work/err.txt" || { cat "$work/err.txt"; fail "$*: no '$pattern'"; }
    echo "ok: $(head -n 1 "$work/err.txt")"
}
b=$work/blobs
expect_error "bad_complex.npy: dtype '<c8' is not supported" $b --data bad_complex.npy,blobs_train_y.npy
expect_error "bad_float_labels.npy: float32 values of shape (600,); the target 'y' is a class index" \
    $b --data blobs_train_x.npy,bad_float_labels.npy
expect_error "bad_shape.npy: samples of shape (7,), the model's input 'x' is one of shape (4,)" \
    $b --data bad_shape.npy,blobs_train_y.npy
expect_error "blobs_test_y.npy: 200 targets for the 600 samples" $b --data blobs_train_x.npy,blobs_test_y.npy
expect_error "bad_nan.npy: sample 17 holds nan, not a finite float" $b --data bad_nan.npy,blobs_train_y.npy
head -c 3000 blobs_train_x.npy >"$work/trunc.npy"
expect_error "trunc.npy: 2872 bytes of data, the shape needs 9600 (truncated)" $b --data "$work/trunc.npy,blobs_train_y.npy"
head -c 40 blobs_train_x.npy >"$work/header.npy"
expect_error "header.npy: truncated in the header" $b --data "$work/header.npy,blobs_train_y.npy"
expect_error "reg_train.csv: not a .npy file" $b --data reg_train.csv,blobs_train_y.npy
expect_error "is not the inputs' and the targets' files, X.npy,Y.npy" $b --data blobs_train_x.npy
expect_error "no array 'point' (the model's input) nor 'x'; the archive has features.npy, price.npy" \
    "$work/blobs_npz" --data reg.npz
expect_error "reg_train.csv: not a zip archive" "$work/blobs_npz" --data reg_train.csv
head -c 2000 blobs.npz >"$work/cut.npz"
expect_error "cut.npz" "$work/blobs_npz" --data "$work/cut.npz"
cp blobs.npz "$work/flipped.npz" # one byte of the stored x.npy changed: its CRC fails
printf 'Z' | dd of="$work/flipped.npz" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect_error "flipped.npz: 'x.npy': corrupt (CRC mismatch)" "$work/blobs_npz" --data "$work/flipped.npz"
r=$work/regression
sed '5s/,[^,]*$//' reg_train.csv >"$work/ragged.csv"
expect_error "ragged.csv:5: 8 fields, the header has 9" $r --data "$work/ragged.csv"
sed '1s/price/cost/' reg_train.csv >"$work/nocol.csv"
expect_error "nocol.csv:1: no column 'price' (the target)" $r --data "$work/nocol.csv"
sed '7s/^[^,]*,/abc,/' reg_train.csv >"$work/word.csv"
expect_error "word.csv:7: column 1 ('f0'): 'abc' is not a finite number" $r --data "$work/word.csv"
sed '1s/f7,//; s/,[^,]*$//' reg_train.csv >"$work/narrow.csv"
expect_error "narrow.csv:1: 7 feature columns (all but 'price'), but the input 'features' has 8 values" \
    $r --data "$work/narrow.csv"
sed '9s/^[0-9]*,/1.5,/' blobs_train.csv >"$work/half.csv"
expect_error "half.csv:9: target 'label' is 1.5, not a class in 0..2" "$work/blobs_csv" --data "$work/half.csv"
sed '9s/^[0-9]*,/3,/' blobs_train.csv >"$work/three.csv"
expect_error "three.csv:9: target 'label' is 3, not a class in 0..2" "$work/blobs_csv" --data "$work/three.csv"
expect_error "blobs.npz:1: not a CSV text file (it holds NUL bytes; a zip archive" "$work/blobs_csv" --data blobs.npz
expect_error "not a regular file" "$work/blobs_csv" --data "$work"
head -n 1 reg_train.csv >"$work/header.csv"
expect_error "header.csv: a header row but no samples" $r --data "$work/header.csv"
expect_error "--predict: model 'regression' has a float target" $r --predict 0
cp reg_train.csv "$work/mine.csv"
expect_error "--save $work/mine.csv: that is the data set's file" $r --data "$work/mine.csv" --save "$work/mine.csv"
cmp -s reg_train.csv "$work/mine.csv" || fail "--save replaced the data set"
expect_error "--checkpoint reg_test.csv: that is the data set's file" $r --checkpoint reg_test.csv
expect_error "--val-split: the test set is reg_test.csv" $r --val-split 0.1
expect_error "--eval: no test set" "$work/regression_split" --eval --val-split 0
expect_error "--val-split 0.0001 of 1000 samples leaves no test set" "$work/regression_split" --val-split 0.0001
echo "PASS"
