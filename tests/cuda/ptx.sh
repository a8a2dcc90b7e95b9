#!/bin/sh
# ptx.sh MLC WORKDIR MODEL...: every model's .cu through nvcc's front end and device compiler
# (PTX for compute_80, warnings as errors): what the CPU emulation cannot see, such as a
# kernel calling a function that is not __device__, for every model the emulation runs.
# nvcc.sh compiles the example models all the way, for sm_80 and sm_90; this is the cheaper
# check (about a second a model) for the rest. Skipped (status 77) without nvcc.
set -eu
mlc=$1 work=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
if [ ! -x "$nvcc" ]; then
    echo "ptx.sh: no nvcc (the CUDA toolkit): skipped"
    exit 77
fi
mkdir -p "$work"
failed=0
for model in "$@"; do
    name=$(basename "$model" .model)
    "$mlc" --emit cuda "$model" >"$work/$name.cu"
    if ! "$nvcc" -ptx -std=c++17 -Werror all-warnings -arch=compute_80 -I"$src/runtime" \
        -I"$src/runtime/cuda" "$work/$name.cu" -o "$work/$name.ptx" >"$work/$name.log" 2>&1; then
        failed=$((failed + 1))
        echo "$name: nvcc failed"
        head -20 "$work/$name.log"
    fi
done
echo "ptx.sh: $# models' CUDA through nvcc (PTX for compute_80), $failed failed"
[ $failed -eq 0 ]
