#!/bin/sh
# compile-generated.sh SRCDIR CBLAS_INCLUDE_DIR: every generated/*.c compiles as strict C99
# (-std=c99 -Wall -Wextra -Werror -Wdouble-promotion) against the runtime's header, as the
# C that mlc writes must. ($CC, default cc.)
set -eu
src=$1 cblas=$2
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
for c in "$src"/generated/*.c; do
    [ -f "$c" ] || { echo "FAIL: no generated/*.c in $src/generated"; exit 1; }
    if ! $cc -std=c99 -pedantic -Wall -Wextra -Werror -Wdouble-promotion -I"$src/runtime" \
        -I"$cblas" -c "$c" -o "$tmp/out.o"; then
        echo "FAIL: $c does not compile as strict C99 (command above)"
        exit 1
    fi
    n=$((n + 1))
done
echo "ok: $n generated .c files compile as strict C99"
