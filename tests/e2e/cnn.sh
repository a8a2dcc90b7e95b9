#!/bin/sh
# cnn.sh MLC SRCDIR: models/fashion_cnn.model and models/vgg16.model end to end (CTest
# e2e/cnn), on the small FashionMNIST subset:
#   - the CNN learns: after one epoch its test accuracy is well above chance (60%);
#   - the running statistics are saved with the weights: --load then --eval prints the test
#     line the training run printed last (evaluation normalises with them);
#   - resume is bit for bit with batch norm's state: two epochs in one run, and one epoch
#     then --resume, save the same bytes;
#   - vgg16 has torchvision's 138,357,544 parameters under torchvision's names.
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
"$mlc" "$src/models/fashion_cnn.model" -o cnn
./cnn --data "$data" --epochs 1 --save one.safetensors --checkpoint ck.safetensors >train.log
acc=$(sed -n 's/^ Accuracy: \([0-9.]*\)%.*/\1/p' train.log | tail -1)
echo "accuracy after one epoch on $data: $acc%"
awk -v a="$acc" 'BEGIN { exit !(a > 60) }' || fail "accuracy $acc% after one epoch"
./cnn --data "$data" --load one.safetensors --eval >eval.log
grep "Accuracy" train.log | tail -1 >want.txt
grep "Accuracy" eval.log >got.txt
cmp want.txt got.txt || fail "--eval after --load differs from the training run's test pass"
./cnn --data "$data" --epochs 2 --save two.safetensors >/dev/null
./cnn --data "$data" --epochs 2 --resume ck.safetensors --save resumed.safetensors >/dev/null
cmp two.safetensors resumed.safetensors || fail "resuming after epoch 1 gives other weights"

"$mlc" --emit c "$src/models/vgg16.model" >vgg16.c
grep -q "model vgg16: 138357544 parameters in 32 tensors" vgg16.c || fail "vgg16's parameters"
for name in features.0.weight features.28.bias classifier.0.weight classifier.3.weight \
    classifier.6.bias; do
    grep -q "{\"$name\"" vgg16.c || fail "vgg16 has no parameter $name"
done
echo "ok"
