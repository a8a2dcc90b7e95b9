#!/bin/sh
# eval_mode.sh MLC SRCDIR: the evaluation segment (CTest e2e/eval_mode). A network with
# dropout and its twin with dropout(0), which compiles to no dropout at all and has the same
# parameter names, on the small FashionMNIST subset:
#   - the test pass, --eval and --predict run the evaluation pass, in which dropout passes its
#     input through: from the same weights, both programs print the same lines;
#   - evaluation draws no masks: --eval twice prints the same;
#   - training does drop: from the same initial weights the two print different losses;
#   - masks come from --seed and the step: the same seed gives the same weights, bit for bit,
#     another seed other weights.
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
model() { # model NAME P: the network with dropout(P)
    cat >"$1.model" <<EOM
model $1
input  image : f32[1, 28, 28]
target label : class(10)
net stack = sequential {
    flatten
    linear(64)
    relu
    dropout($2)
    linear(10)
}
logits = stack(image)
loss   = cross_entropy(logits, label)
train {
    data   = idx("$data")
    scale  = 1/255
    batch  = 32
    epochs = 1
    optimizer = sgd(lr = 0.1)
}
EOM
    "$mlc" "$1.model" -o "$1" || fail "mlc could not build $1"
}
model drop 0.5
model twin 0
"$mlc" drop.model --emit c | grep -q "drop_eval_forward" || fail "no evaluation pass in drop's C"
"$mlc" twin.model --emit c | grep -q "mlc_dropout" && fail "dropout(0) still drops"

./drop --save drop.safetensors >train_drop.txt || fail "training with dropout failed"
./twin --save twin.safetensors >train_twin.txt || fail "training the twin failed"
grep '^loss:' train_drop.txt >a.txt
grep '^loss:' train_twin.txt >b.txt
cmp -s a.txt b.txt && fail "dropout changed nothing in training"
echo "ok: training with dropout(0.5) prints other losses than without"

./drop --load drop.safetensors --eval >eval_drop.txt
./twin --load drop.safetensors --eval >eval_twin.txt
cmp -s eval_drop.txt eval_twin.txt || { cat eval_drop.txt eval_twin.txt; fail "evaluation with dropout differs from evaluation without"; }
./drop --load drop.safetensors --eval >eval_again.txt
cmp -s eval_drop.txt eval_again.txt || fail "--eval is not deterministic"
echo "ok: --eval runs without dropout: $(grep Accuracy eval_drop.txt)"
tail -n 3 train_drop.txt | grep -F "$(grep Accuracy eval_drop.txt)" >/dev/null ||
    fail "the test pass after training differs from --eval of the saved weights"
echo "ok: the test pass runs without dropout too"
for i in 0 7 42; do
    a=$(./drop --load drop.safetensors --predict $i)
    b=$(./twin --load drop.safetensors --predict $i)
    [ "$a" = "$b" ] || fail "--predict $i: '$a' with dropout, '$b' without"
done
echo "ok: --predict runs without dropout"

./drop --quiet --save again.safetensors >/dev/null
cmp -s drop.safetensors again.safetensors || fail "the same seed gave other weights"
./drop --quiet --seed 5 --save seed5.safetensors >/dev/null
cmp -s drop.safetensors seed5.safetensors && fail "another seed gave the same weights"
echo "ok: masks follow --seed: the same seed, the same weights; another, others"
echo PASS
