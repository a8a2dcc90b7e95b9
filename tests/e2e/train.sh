#!/bin/sh
# train.sh MLC SRCDIR: the PyTorch quickstart end to end (CTest e2e/fashion).
# From a scratch directory (not the source tree), mlc compiles models/fashion.model into
# train_fashion, which trains on the FashionMNIST subset in tests/e2e/data and must:
#   - print exactly the quickstart's lines ("Epoch k", 31 dashes, "loss: X  [cur/size]" every
#     100 batches with cur = (batch + 1) * len(X), "Test Error: ", " Accuracy: A%, Avg loss: L ",
#     a blank line, and "Done!" at the end);
#   - learn: final test Avg loss < 0.8 x the first training loss, accuracy > 50%;
#   - --save then --load --eval reproduces the last Accuracy line exactly;
#   - --predict 0 names a predicted class and the actual class of test image 0;
#   - give identical output for the same seed, and different output for another seed;
#   - handle batch sizes that do not divide the data (a partial last batch) and a batch larger
#     than the data set, printing the quickstart's counts;
#   - with --shuffle --seed 1, print the same format but a different loss sequence.
set -eu
mlc=$1 src=$2
data=$src/tests/e2e/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

fail() {
    echo "FAIL: $*"
    exit 1
}

# check_format FILE EPOCHS BATCH NTRAIN: FILE is the quickstart's output, line for line.
check_format() {
    awk -v epochs="$2" -v B="$3" -v N="$4" -v file="$1" '
    function bad(msg) { printf "FAIL: %s line %d: %s\n  got: \"%s\"\n", file, NR, msg, $0; err = 1; exit 1 }
    BEGIN {
        nb = int((N + B - 1) / B)   # batches per epoch, the last one partial
        nloss = int((nb - 1) / 100) + 1
        dashes = "-------------------------------"
        epoch = 1; state = "epoch"
    }
    {
        if (state == "epoch") {
            if ($0 != "Epoch " epoch) bad("expected \"Epoch " epoch "\"")
            state = "dashes"
        } else if (state == "dashes") {
            if ($0 != dashes) bad("expected a line of 31 dashes")
            state = "loss"; k = 0
        } else if (state == "loss") {
            batch = 100 * k
            len = (batch == nb - 1) ? N - batch * B : B
            want = sprintf("[%5d/%5d]", (batch + 1) * len, N)   # the quickstart: (batch + 1) * len(X)
            if ($0 !~ /^loss: [0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]  \[ *[0-9]+\/ *[0-9]+\]$/)
                bad("expected \"loss: X.XXXXXX  " want "\"")
            if (substr($0, length($0) - length(want) + 1) != want)
                bad("expected the count " want " (batch " batch ", " len " samples)")
            k++
            if (k == nloss) state = "test"
        } else if (state == "test") {
            if ($0 != "Test Error: ") bad("expected \"Test Error: \" (with its trailing space), after " nloss " loss lines")
            state = "acc"
        } else if (state == "acc") {
            if ($0 !~ /^ Accuracy: [0-9]+\.[0-9]%, Avg loss: [0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9] $/)
                bad("expected \" Accuracy: A.A%, Avg loss: L.LLLLLL \"")
            state = "blank"
        } else if (state == "blank") {
            if ($0 != "") bad("expected an empty line after the Accuracy line")
            epoch++
            state = (epoch > epochs) ? "done" : "epoch"
        } else if (state == "done") {
            if ($0 != "Done!") bad("expected \"Done!\"")
            state = "end"
        } else {
            bad("unexpected line after \"Done!\"")
        }
    }
    END {
        if (err) exit 1
        if (state != "end") { printf "FAIL: %s ends early (in state %s of epoch %d)\n", file, state, epoch; exit 1 }
    }' "$1" || { echo "--- $1:"; cat "$1"; exit 1; }
}

# run NAME ARGS...: runs train_fashion ARGS, stdout to NAME.out; fails on a non-zero exit or
# anything on stderr.
run() {
    name=$1
    shift
    if ! ./train_fashion "$@" >"$name.out" 2>"$name.err"; then
        cat "$name.out" "$name.err"
        fail "train_fashion $* exited with status non-zero"
    fi
    if [ -s "$name.err" ]; then
        cat "$name.err"
        fail "train_fashion $* wrote to stderr"
    fi
}

# 1. Compile, from a directory that is not the source tree.
"$mlc" "$src/models/fashion.model" -o train_fashion || fail "mlc could not build train_fashion"
[ -x train_fashion ] || fail "mlc did not write ./train_fashion"
./train_fashion --help >help.out || fail "train_fashion --help failed"
grep -q -- '--data' help.out || fail "--help does not mention --data"

# 2. Train: the quickstart's output, and learning.
run train --data "$data" --epochs 3 --lr 0.05 --save m.safetensors
check_format train.out 3 64 2048
first=$(awk '/^loss: /{ print $2; exit }' train.out)
last=$(grep '^ Accuracy: ' train.out | tail -n 1)
acc=$(echo "$last" | sed 's/^ Accuracy: \([0-9.]*\)%.*/\1/')
avg=$(echo "$last" | sed 's/.*Avg loss: \([0-9.]*\) $/\1/')
awk -v a="$avg" -v f="$first" 'BEGIN { exit !(a < 0.8 * f) }' ||
    fail "did not learn: final test Avg loss $avg is not below 0.8 x the first loss $first"
awk -v a="$acc" 'BEGIN { exit !(a > 50) }' || fail "did not learn: final accuracy $acc% <= 50%"
echo "ok: 3 epochs, first loss $first, final Avg loss $avg, accuracy $acc%"

# 3. Save, load, evaluate: the same numbers.
[ -s m.safetensors ] || fail "--save m.safetensors wrote nothing"
run eval --data "$data" --load m.safetensors --eval
printf 'Test Error: \n%s\n\n' "$last" >eval.want
cmp -s eval.out eval.want || { diff eval.want eval.out || true; fail "--load m.safetensors --eval does not print the training's last result"; }
echo "ok: --load --eval reproduces \"$last\""

# 4. Predict test image 0; its actual class is the first label of the test set.
run predict --data "$data" --load m.safetensors --predict 0
classes='T-shirt/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot'
grep -Eqx "Predicted: \"($classes)\", Actual: \"($classes)\"" predict.out ||
    { cat predict.out; fail "--predict 0 does not print 'Predicted: \"<class>\", Actual: \"<class>\"'"; }
[ "$(wc -l <predict.out)" -eq 1 ] || { cat predict.out; fail "--predict 0 prints more than one line"; }
label=$(gzip -dc "$data/t10k-labels-idx1-ubyte.gz" | od -An -tu1 -j8 -N1 | tr -d ' ')
actual=$(echo "$classes" | cut -d'|' -f$((label + 1)))
grep -q "Actual: \"$actual\"\$" predict.out || { cat predict.out; fail "test image 0 is a \"$actual\" (label $label)"; }
echo "ok: $(cat predict.out)"

# 5. Determinism: the same seed gives the same output, bit for bit; another seed does not.
run again --data "$data" --epochs 3 --lr 0.05
cmp -s train.out again.out || { diff train.out again.out || true; fail "two trainings with the same seed differ"; }
run seed7a --data "$data" --epochs 1 --lr 0.05 --seed 7
run seed7b --data "$data" --epochs 1 --lr 0.05 --seed 7
cmp -s seed7a.out seed7b.out || fail "two trainings with --seed 7 differ"
head -n 3 train.out >seed0.head
head -n 3 seed7a.out >seed7.head
! cmp -s seed0.head seed7.head || fail "--seed 7 gives the same first loss as the default seed"
echo "ok: deterministic for a seed"

# 6. Batch sizes: partial last batch (2048 = 20 x 100 + 48), one batch larger than the data
# set, and a 1005-sample set at batch 10, whose partial 101st batch (5 samples) is printed:
# the quickstart prints (batch + 1) * len(X) = 505 there.
run b100 --data "$data" --epochs 2 --lr 0.05 --batch 100
check_format b100.out 2 100 2048
grep -q '^loss: .*  \[  100/ 2048\]$' b100.out || fail "--batch 100: expected [  100/ 2048]"
run b4096 --data "$data" --epochs 1 --batch 4096
check_format b4096.out 1 4096 2048
grep -q '^loss: .*  \[ 2048/ 2048\]$' b4096.out || fail "--batch 4096: expected [ 2048/ 2048]"
mkdir sub
cp "$data"/t10k-* sub/
{ printf '\000\000\010\003\000\000\003\355\000\000\000\034\000\000\000\034'
  gzip -dc "$data/train-images-idx3-ubyte.gz" | tail -c +17 | head -c $((1005 * 784)); } |
    gzip >sub/train-images-idx3-ubyte.gz
{ printf '\000\000\010\001\000\000\003\355'
  gzip -dc "$data/train-labels-idx1-ubyte.gz" | tail -c +9 | head -c 1005; } |
    gzip >sub/train-labels-idx1-ubyte.gz
run b10 --data sub --epochs 1 --batch 10
check_format b10.out 1 10 1005
echo "ok: batch sizes 100, 4096, and 10 on 1005 samples"

# 7. Shuffling: the same format, other losses, and reproducible.
run plain --data "$data" --epochs 2 --lr 0.05 --seed 1
run shuf --data "$data" --epochs 2 --lr 0.05 --seed 1 --shuffle
check_format shuf.out 2 64 2048
grep '^loss: ' plain.out >plain.loss
grep '^loss: ' shuf.out >shuf.loss
! cmp -s plain.loss shuf.loss || fail "--shuffle --seed 1 gives the same losses as no shuffle"
run shuf2 --data "$data" --epochs 2 --lr 0.05 --seed 1 --shuffle
cmp -s shuf.out shuf2.out || fail "two shuffled trainings with --seed 1 differ"
echo "ok: --shuffle"
echo "PASS"
