#!/bin/sh
# pth_convert.sh MLC SRCDIR: scripts/pth-to-safetensors.py turns what torch.save writes (the
# zip format and the legacy pickle, of a state_dict and of a dict holding one) into weights
# an mlc program loads, giving the same evaluation as the weights it came from (CTest
# e2e/pth_convert). Needs PyTorch; skipped (exit 77) without it.
set -eu
mlc=$1 src=$2
data=$src/tests/e2e/data
py=
for p in /usr/bin/python3 python3; do
    [ -z "$py" ] && $p -c 'import torch' 2>/dev/null && py=$p
done
[ -n "$py" ] || { echo "SKIP: no PyTorch"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

fail() {
    echo "FAIL: $*"
    exit 1
}

"$mlc" "$src/models/fashion.model" -o train_fashion || fail "mlc could not build train_fashion"
./train_fashion --data "$data" --epochs 1 --quiet --save w.safetensors >/dev/null
./train_fashion --data "$data" --load w.safetensors --eval >want.txt
# the weights as PyTorch has them: read w.safetensors by hand, torch.save them three ways
$py - <<'PY'
import json, struct
import numpy as np, torch
raw = open("w.safetensors", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
sd = {}
for name, e in header.items():
    if name == "__metadata__":
        continue
    b, end = e["data_offsets"]
    a = np.frombuffer(raw[8 + n + b:8 + n + end], dtype="<f4").reshape(e["shape"])
    sd[name] = torch.from_numpy(a.copy())
torch.save(sd, "zip.pth")
torch.save(sd, "legacy.pth", _use_new_zipfile_serialization=False)
torch.save({"epoch": 1, "model_state_dict": sd}, "wrapped.pth")
PY
for f in zip legacy wrapped; do
    status=0
    ./train_fashion --data "$data" --load $f.pth --eval >/dev/null 2>err.txt || status=$?
    [ $status -eq 1 ] && grep -q "pth-to-safetensors.py" err.txt ||
        { cat err.txt; fail "--load $f.pth: exit status $status, no advice to convert"; }
    $py "$src/scripts/pth-to-safetensors.py" $f.pth $f.safetensors >/dev/null ||
        fail "converting $f.pth"
    ./train_fashion --data "$data" --load $f.safetensors --eval >got.txt ||
        fail "--load $f.safetensors"
    cmp -s want.txt got.txt || { cat want.txt got.txt; fail "$f.pth: another evaluation"; }
    echo "ok: $f.pth: $(head -n 1 err.txt)"
done
echo "PASS"
