#!/bin/sh
# check.sh MLC MODEL WORKDIR: the gradient check of one model.
#   1. the generated C compiles as strict C99 (-Wall -Wextra -Werror -Wdouble-promotion);
#   2. mlc builds the program;
#   3. the program's --check-grads compares every parameter's gradient with central
#      finite differences of the loss, and fails if any entry disagrees. A model without a
#      data set is checked on one sample and on a batch of 7 different ones (randn inputs),
#      so a missing 1/N in a gradient shows.
set -eu
mlc=$1 model=$2 work=$3
name=$(basename "$model" .model)
mkdir -p "$work"
"$mlc" --emit c "$model" >"$work/$name.c"
inc=$(dirname "$0")/../../runtime
cc -std=c99 -Wall -Wextra -Werror -Wdouble-promotion -I"$inc" ${MLC_CBLAS_INCLUDE:+-I"$MLC_CBLAS_INCLUDE"} \
    -c "$work/$name.c" -o "$work/$name.o"
"$mlc" "$model" -o "$work/$name"
if [ -n "${DATA:-}" ]; then
    "$work/$name" --check-grads --data "$DATA"
else
    "$work/$name" --check-grads
    "$work/$name" --check-grads --batch 7
fi
