#!/bin/sh
# install.sh BUILDDIR SRCDIR: `cmake --install BUILDDIR --prefix TMP`, then TMP/bin/mlc builds
# models/autograd_demo.model from an unrelated working directory, and the program runs and
# prints the quickstart's autograd output (CTest e2e/install). The installed mlc must find its
# runtime under TMP (lib/mlc, include/mlc), not in the build or source tree: the compiler
# command that `mlc -v` shows must name neither.
set -eu
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

fail() {
    echo "FAIL: $*"
    exit 1
}

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log"; fail "cmake --install $build --prefix $prefix failed"; }
for f in bin/mlc lib/mlc/libmlc_runtime.a include/mlc/mlc_runtime.h; do
    [ -f "$prefix/$f" ] || fail "cmake --install did not install $f"
done

mkdir "$work/elsewhere"
cd "$work/elsewhere"
"$prefix/bin/mlc" -v "$src/models/autograd_demo.model" -o "$work/t" >mlc.out 2>mlc.err ||
    { cat mlc.out mlc.err; fail "the installed mlc could not build autograd_demo"; }
# The compiler command (-v) must use the installed runtime only.
if grep -qF -e "$build" -e "$src/runtime" mlc.err; then
    cat mlc.err
    fail "the installed mlc uses the build or source tree (above), not $prefix"
fi
grep -qF "$prefix/" mlc.err || { cat mlc.err; fail "the compiler command does not use $prefix"; }
"$work/t" >t.out || { cat t.out; fail "the program built by the installed mlc failed"; }
for line in '^loss: [0-9.]*$' '^w.grad:$' '^b.grad:$'; do
    grep -q "$line" t.out || { cat t.out; fail "no line matching '$line' in the program's output"; }
done
cat t.out
echo PASS
