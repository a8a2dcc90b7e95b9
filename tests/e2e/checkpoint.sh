#!/bin/sh
# checkpoint.sh MLC SRCDIR: --checkpoint and --resume (CTest e2e/checkpoint), on the small
# FashionMNIST subset:
#   - stopping after epoch 1 of 3 and resuming gives, bit for bit, the weights of the
#     uninterrupted run and the same printed lines, for SGD with momentum and shuffling and
#     for a network with dropout (whose masks follow the step count), and for Adam and
#     RMSprop (their moments and step count);
#   - --checkpoint-every N writes every N epochs and after the last, and leaves no temporary
#     file; the checkpoint holds the optimizer's state under "optimizer." and its scalars in
#     the metadata;
#   - --resume of a weight file, of another model's checkpoint, with another optimizer, or
#     with --load is refused.
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
"$mlc" "$src/models/fashion.model" -o fashion || fail "mlc could not build fashion"
sed -e 's/^    linear(512)$/    linear(64)/' -e 's/^    relu$/    relu\n    dropout(0.2)/' \
    -e 's/^model fashion$/model dropnet/' "$src/models/fashion.model" >dropnet.model
"$mlc" dropnet.model -o dropnet || fail "mlc could not build dropnet"

# resume PROG ARGS...: 3 epochs straight, and 1 epoch then --resume to 3, must agree.
resume() {
    prog=$1
    shift
    "./$prog" --data "$data" --epochs 3 "$@" --save full.safetensors >full.txt
    "./$prog" --data "$data" --epochs 1 "$@" --checkpoint ck.safetensors >part1.txt
    "./$prog" --data "$data" --epochs 3 "$@" --resume ck.safetensors --save resumed.safetensors >part2.txt
    cmp -s full.safetensors resumed.safetensors || fail "$prog $*: resumed weights differ"
    grep -v '^Done!' part1.txt >joined.txt
    cat part2.txt >>joined.txt
    cmp -s full.txt joined.txt || { diff full.txt joined.txt; fail "$prog $*: resumed output differs"; }
    echo "ok: $prog $*: stopped after epoch 1 and resumed, bit for bit"
}
resume fashion --momentum 0.9 --shuffle --lr 0.01
resume fashion --lr 0.05 --weight-decay 0.01 --momentum 0.5
resume dropnet --shuffle --lr 0.05
resume fashion --optimizer adam --lr 1e-3 --shuffle
resume fashion --optimizer rmsprop --lr 1e-3 --momentum 0.5 --centered

./fashion --data "$data" --epochs 3 --momentum 0.9 --checkpoint every.safetensors \
    --checkpoint-every 2 >/dev/null
head -c 4096 every.safetensors | grep -q '"mlc.epoch":"3"' || fail "no checkpoint after the last epoch"
head -c 4096 every.safetensors | grep -q '"optimizer.linear_relu_stack.0.weight.momentum_buffer"' ||
    fail "no momentum buffer in the checkpoint"
ls ./*.mlc-tmp.* >/dev/null 2>&1 && fail "a temporary file was left behind"
echo "ok: --checkpoint-every 2 of 3 epochs ends with epoch 3's checkpoint, no temporary file"

# refused: a weight file, another model's checkpoint, --resume with --load
refused() { # refused WANT ARGS...: fashion ARGS exits 1 saying WANT
    want=$1
    shift
    status=0
    ./fashion --data "$data" --epochs 2 "$@" >out.txt 2>err.txt || status=$?
    [ $status -eq 1 ] && grep -qF -- "$want" err.txt || { cat err.txt; fail "$*: exit $status"; }
    echo "ok: $*: $(cat err.txt)"
}
./fashion --data "$data" --epochs 1 --save weights.safetensors >/dev/null
./dropnet --data "$data" --epochs 1 --checkpoint other.safetensors >/dev/null
refused "not a checkpoint" --resume weights.safetensors
refused "not of 'fashion'" --resume other.safetensors
refused "--load" --resume every.safetensors --load weights.safetensors
refused "written with optimizer sgd, resumed with adam" --resume every.safetensors --optimizer adam
echo PASS
