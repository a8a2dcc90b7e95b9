#!/bin/sh
# golden.sh EXT MLC MODEL: run mlc on MODEL and compare with MODEL's .EXT file.
#   ast: `mlc --emit ast MODEL` must exit 0 and print exactly the .ast file;
#   err: `mlc --check MODEL` must exit 1 and print exactly the .err file on stderr.
# With MLC_UPDATE_GOLDEN=1 the expected file is rewritten instead (review the diff).
set -u
ext=$1 mlc=$2 model=$3
expected=${model%.model}.$ext
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
case $ext in
ast) "$mlc" --emit ast "$model" >"$actual" 2>&1; status=$?; want=0 ;;
err) "$mlc" --check "$model" 2>"$actual" >/dev/null; status=$?; want=1 ;;
*) echo "golden.sh: unknown kind '$ext'" >&2; exit 2 ;;
esac
if [ "${MLC_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$actual" "$expected"
    echo "updated $expected"
fi
if [ "$status" -ne "$want" ]; then
    echo "exit status $status, expected $want; output:"; cat "$actual"
    exit 1
fi
if ! diff -u "$expected" "$actual"; then
    echo "output differs from $expected (MLC_UPDATE_GOLDEN=1 rewrites it)"
    exit 1
fi
