#!/bin/sh
# errors.sh MLC: what mlc says when --target firmware cannot be done (CTest firmware/errors).
# Each case must fail with its exit status and print the expected message: a model's
# problems at its file:line, a weight file's naming the file.
set -eu
mlc=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"
fail() {
    echo "FAIL: $*"
    exit 1
}
# expect STATUS MESSAGE MLC-ARGS...: mlc exits with STATUS and prints MESSAGE (a fixed string)
expect() {
    status=$1 message=$2
    shift 2
    set +e
    "$mlc" "$@" >out.txt 2>err.txt
    got=$?
    set -e
    [ "$got" -eq "$status" ] || fail "mlc $*: exit status $got, expected $status: $(cat err.txt)"
    grep -qF -- "$message" err.txt || fail "mlc $*: expected '$message', got: $(cat err.txt)"
    [ -s out.txt ] && fail "mlc $*: printed on stdout: $(cat out.txt)"
    echo "ok: $message"
}
# net NAME HIDDEN [OUTPUT]: a model with one hidden layer of HIDDEN units
net() {
    cat >"$1.model" <<EOM
model $1
input  image : f32[1, 28, 28] = randn
target label : class(10) = zeros
net stack = sequential {
    flatten
    linear($2)
    relu
    linear(10)
}
logits = stack(image)
loss   = cross_entropy(logits, label)
${3:-output probs = softmax(logits)}
EOM
}
net small 16
net wide 32
net deep 16
sed -i 's/    linear(10)/    linear(16)\n    relu\n    linear(10)/' deep.model
net bare 16 "#"
sed -i 's/^loss .*/loss   = mean(logits * logits)/' bare.model # no cross_entropy: no output
cat >cheat.model <<EOM
model cheat
input  x : f32[4] = randn
target y : f32[2] = zeros
param  w : f32[4, 2] = randn
z    = x @ w
loss = bce_with_logits(z, y)
output diff = z - y
EOM

"$mlc" small.model -o train_small || fail "cannot build train_small"
./train_small --save small.safetensors >/dev/null || fail "cannot save weights"
printf 'not a safetensors file' >junk.safetensors
: >file

expect 2 "mlc: --target firmware builds the trained weights in: give --weights FILE" \
    small.model --target firmware
expect 2 "mlc: --weights is for targets that build the weights in (firmware)" \
    small.model --weights small.safetensors
expect 1 "mlc: error: weight file missing.safetensors: cannot open" \
    small.model --target firmware --weights missing.safetensors
expect 1 "mlc: error: weight file junk.safetensors:" \
    small.model --target firmware --weights junk.safetensors
expect 1 "wide.model:6:5: error: tensor 'stack.1.weight' of weight file 'small.safetensors' is f32[16, 784], the model's is f32[32, 784]" \
    wide.model --target firmware --weights small.safetensors
expect 1 "deep.model:10:5: error: weight file 'small.safetensors' has no tensor 'stack.5.weight' (f32[10, 16])" \
    deep.model --target firmware --weights small.safetensors
expect 1 "bare.model:1:7: error: model 'bare' has no output to predict: declare one with 'output'" \
    bare.model --target firmware --weights small.safetensors
expect 1 "cheat.model:7:15: error: the output 'diff' reads the target 'y', which a prediction does not have" \
    cheat.model --target firmware --weights small.safetensors
expect 1 "mlc: -o file: not a directory (--target firmware writes small.c and small.h there)" \
    small.model --target firmware --weights small.safetensors -o file
sed 's/^    relu$/    sigmoid/' small.model >sig.model
expect 1 "sig.model:7:5: error: --quantize int8 handles convolutions and max pools, then linear layers, with relu (and a final softmax); this is a linear layer followed by more than a bias and relu" \
    sig.model --target firmware --weights small.safetensors --quantize int8
expect 1 "mlc: error: --quantize int8: $work/nodata/train-images-idx3-ubyte: not found" \
    small.model --target firmware --weights small.safetensors --quantize int8 --data "$work/nodata"
expect 2 "mlc: --quantize int4: the one quantization is int8" \
    small.model --target firmware --weights small.safetensors --quantize int4
expect 2 "mlc: --quantize, --data and --calibrate are for --target firmware" \
    small.model --quantize int8
expect 2 "mlc: --data and --calibrate say how --quantize int8 calibrates: give --quantize int8 too" \
    small.model --target firmware --weights small.safetensors --calibrate 3
expect 2 "mlc: --calibrate 0: give a number of batches, 1 or more" \
    small.model --target firmware --weights small.safetensors --quantize int8 --calibrate 0
cat >cnn.model <<EOM
model cnn
input  image : f32[1, 8, 8] = randn
target label : class(10) = zeros
net stack = sequential {
    conv2d(4, 3)
    batchnorm2d
    flatten
    linear(10)
}
output logits = stack(image)
loss = cross_entropy(logits, label)
EOM
"$mlc" cnn.model -o train_cnn || fail "cannot build train_cnn"
./train_cnn --save cnn.safetensors >/dev/null || fail "cannot save the CNN's weights"
# the running statistics are read from the weight file like the parameters
expect 1 "cnn.model:6:5: error: weight file 'small.safetensors' has no tensor 'stack.1.running_mean' (f32[4])" \
    cnn.model --target firmware --weights small.safetensors -o fw
sed 's/    batchnorm2d/    avgpool2d(2)/' cnn.model >avg.model
"$mlc" avg.model -o train_avg || fail "cannot build train_avg"
./train_avg --save avg.safetensors >/dev/null || fail "cannot save avg's weights"
expect 1 "avg.model:6:5: error: --quantize int8 handles convolutions and max pools, then linear layers, with relu (and a final softmax); this is not a linear layer" \
    avg.model --target firmware --weights avg.safetensors --quantize int8 --data "$work/nodata"
# --train: the firmware target only, float, what its training step can compile
expect 2 "mlc: --train is for --target firmware (a program of --target c trains already)" \
    small.model --train
expect 2 "mlc: --train and --quantize int8 do not go together: the training step is float" \
    small.model --target firmware --weights small.safetensors --train --quantize int8
sed 's/^    relu$/    gelu/' small.model >gelu.model
expect 1 "gelu.model:7:5: error: the firmware target's training step cannot compile gelu_grad yet" \
    gelu.model --target firmware --weights small.safetensors --train
cat >reg.model <<EOM
model reg
input  x : f32[4] = randn
target y : f32[2] = zeros
param  w : f32[4, 2] = randn
output z = x @ w
loss = mean((z - y) * (z - y))
EOM
expect 1 "reg.model:3:8: error: --train needs a class target: the training step takes a class index" \
    reg.model --target firmware --weights small.safetensors --train
echo "errors: all as expected"
