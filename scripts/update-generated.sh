#!/bin/sh
# update-generated.sh [MLC]: rewrite generated/ with the current compiler's output for every
# model in models/: <name>.c (--emit c), <name>.cu (--emit cuda), <name>.grad.txt (--emit
# grad), <name>.ir.txt (--emit ir). MLC is the mlc program (default build/mlc, relative to the source root). Runs
# from any directory; mlc is always run from the source root on models/<name>.model, because
# the model path as given is written into the output.
#
# With --check as the first argument, nothing is written: the script compares generated/ with
# what mlc prints now and exits 1 if any file differs, is missing or is left over (the CTest
# test generated/stale).
set -eu

check=0
if [ "${1:-}" = --check ]; then
    check=1
    shift
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mlc=${1:-$root/build/mlc}
case $mlc in
/*) ;;
*/*) mlc=$(cd "$(dirname "$mlc")" && pwd)/$(basename "$mlc") ;; # relative to the caller
esac
cd "$root"
if [ ! -x "$mlc" ] && ! command -v "$mlc" >/dev/null 2>&1; then
    echo "update-generated.sh: no mlc program at '$mlc' (build it, or give its path)" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Everything goes to $tmp first, so a failing mlc leaves generated/ as it was.
for model in models/*.model; do
    name=$(basename "$model" .model)
    "$mlc" --emit c "$model" >"$tmp/$name.c"
    "$mlc" --emit cuda "$model" >"$tmp/$name.cu"
    "$mlc" --emit grad "$model" >"$tmp/$name.grad.txt"
    "$mlc" --emit ir "$model" >"$tmp/$name.ir.txt"
done

if [ $check = 1 ]; then
    stale=0
    for f in "$tmp"/*; do
        g=generated/$(basename "$f")
        if [ ! -f "$g" ]; then
            echo "missing: $g"
            stale=1
        elif ! cmp -s "$f" "$g"; then
            echo "differs: $g"
            diff -u "$g" "$f" | head -40
            stale=1
        fi
    done
    for g in generated/*; do
        case $g in generated/README.md) continue ;; esac
        if [ ! -f "$tmp/$(basename "$g")" ]; then
            echo "left over (no model in models/ makes it): $g"
            stale=1
        fi
    done
    if [ $stale = 1 ]; then
        echo "generated/ is stale; run scripts/update-generated.sh"
        exit 1
    fi
    echo "generated/ is up to date"
    exit 0
fi

mkdir -p generated
for g in generated/*; do
    case $g in generated/README.md) continue ;; esac
    [ -f "$tmp/$(basename "$g")" ] || rm -f "$g"
done
cp "$tmp"/* generated/
echo "updated generated/ from $(ls models/*.model | wc -l) models"
