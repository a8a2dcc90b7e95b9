#!/bin/sh
# errors.sh MLC SRCDIR: bad input gives a clear error and a non-zero exit, never a crash
# (CTest e2e/errors).
# The trainer (train_fashion, built from models/fashion.model): a missing data directory, a
# truncated .gz image file, a corrupt gzip stream, a wrong magic number, a label file whose
# count disagrees with the images, 16x49 images for a 28x28 input, --load of a missing, tiny
# or truncated safetensors file, of one with the wrong shape, of the autograd_demo's weights
# and of .pth files (zip and pickle), --inputs files without the
# model's input and target, and bad option values. Each
# must exit 1 with a message on stderr that names the bad file (or option), and no crash.
# mlc: a missing model file, an unknown option, --emit bogus (non-zero, clear message); -o
# naming the model itself, a device or a missing directory, --emit into a full disk, -o
# through a symbolic link, SIGTERM during the build (nothing left behind); and
# model files of random bytes (exit status 1, never a signal), and copies of fashion.model
# with a few random bytes changed (exit status 0 or 1).
# The broken files are made from tests/e2e/data at test time, in a scratch directory.
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

# expect_error STATUS PATTERN CMD...: CMD exits with STATUS ("nonzero" for any failure that is
# not a signal) and its stderr contains PATTERN (a fixed string).
expect_error() {
    want=$1 pattern=$2
    shift 2
    status=0
    "$@" >out.txt 2>err.txt || status=$?
    if [ "$status" -gt 128 ]; then
        cat err.txt
        fail "$* crashed (exit status $status)"
    fi
    if [ "$want" = nonzero ] && [ "$status" -eq 0 ] || [ "$want" != nonzero ] && [ "$status" -ne "$want" ]; then
        cat out.txt err.txt
        fail "$*: exit status $status, expected $want"
    fi
    if ! grep -qF -- "$pattern" err.txt; then
        cat err.txt
        fail "$*: the error message does not contain '$pattern'"
    fi
    echo "ok ($status): $*: $(head -n 1 err.txt)"
}

# copy_data DIR: a fresh copy of the good data set in DIR.
copy_data() {
    mkdir "$1"
    cp "$data"/*.gz "$1"/
}

"$mlc" "$src/models/fashion.model" -o train_fashion || fail "mlc could not build train_fashion"
"$mlc" "$src/models/autograd_demo.model" -o train_demo || fail "mlc could not build train_demo"
t=./train_fashion

# --- data files ---
expect_error 1 "nodir/train-images-idx3-ubyte" $t --data nodir --epochs 1
copy_data nolabels
rm nolabels/t10k-labels-idx1-ubyte.gz
expect_error 1 "nolabels/t10k-labels-idx1-ubyte" $t --data nolabels --epochs 1

copy_data short                     # a valid gzip stream of a truncated IDX file
gzip -dc "$data/train-images-idx3-ubyte.gz" | head -c 100000 | gzip >short/train-images-idx3-ubyte.gz
expect_error 1 "short/train-images-idx3-ubyte.gz" $t --data short --epochs 1

copy_data cut                       # the .gz file itself cut short
head -c 50000 "$data/train-images-idx3-ubyte.gz" >cut/train-images-idx3-ubyte.gz
expect_error 1 "cut/train-images-idx3-ubyte.gz" $t --data cut --epochs 1

copy_data plain                     # uncompressed and cut inside the header
gzip -dc "$data/t10k-images-idx3-ubyte.gz" | head -c 10 >plain/t10k-images-idx3-ubyte
rm plain/t10k-images-idx3-ubyte.gz
expect_error 1 "plain/t10k-images-idx3-ubyte" $t --data plain --epochs 1

copy_data dims                      # 16x49 images: 784 values, but not 28x28
{ gzip -dc "$data/train-images-idx3-ubyte.gz" | head -c 8; printf '\000\000\000\020\000\000\000\061'
  gzip -dc "$data/train-images-idx3-ubyte.gz" | tail -c +17; } | gzip >dims/train-images-idx3-ubyte.gz
expect_error 1 "dims/train-images-idx3-ubyte.gz: images are 16x49, the model's input 'image' is f32[1, 28, 28]" $t --data dims --epochs 1

copy_data magic                     # a labels magic number on the image file
{ printf '\000\000\010\001'; gzip -dc "$data/train-images-idx3-ubyte.gz" | tail -c +5; } |
    gzip >magic/train-images-idx3-ubyte.gz
expect_error 1 "magic/train-images-idx3-ubyte.gz" $t --data magic --epochs 1

copy_data count                     # 1005 labels for 2048 images
{ printf '\000\000\010\001\000\000\003\355'
  gzip -dc "$data/train-labels-idx1-ubyte.gz" | tail -c +9 | head -c 1005; } |
    gzip >count/train-labels-idx1-ubyte.gz
expect_error 1 "count/train-labels-idx1-ubyte.gz" $t --data count --epochs 1

copy_data lies                      # the header says 4096 labels, the file has 512
{ printf '\000\000\010\001\000\000\020\000'
  gzip -dc "$data/t10k-labels-idx1-ubyte.gz" | tail -c +9; } |
    gzip >lies/t10k-labels-idx1-ubyte.gz
expect_error 1 "lies/t10k-labels-idx1-ubyte.gz" $t --data lies --eval

copy_data badlabel                  # a label of 10 in a 10-class set
{ printf '\000\000\010\001\000\000\010\000\012'
  gzip -dc "$data/train-labels-idx1-ubyte.gz" | tail -c +10; } |
    gzip >badlabel/train-labels-idx1-ubyte.gz
expect_error 1 "badlabel/train-labels-idx1-ubyte.gz" $t --data badlabel --epochs 1

# --- weight files ---
$t --data "$data" --epochs 1 --quiet --save good.safetensors >/dev/null || fail "--save failed"
expect_error 1 "nofile.safetensors" $t --data "$data" --load nofile.safetensors --eval
head -c 5 good.safetensors >tiny.safetensors
expect_error 1 "tiny.safetensors" $t --data "$data" --load tiny.safetensors --eval
head -c 1000 good.safetensors >short.safetensors
expect_error 1 "short.safetensors" $t --data "$data" --load short.safetensors --eval
size=$(wc -c <good.safetensors)
head -c $((size - 4)) good.safetensors >short4.safetensors
expect_error 1 "short4.safetensors" $t --data "$data" --load short4.safetensors --eval
sed 's/"shape":\[512,784\]/"shape":[784,512]/' good.safetensors >shape.safetensors
cmp -s good.safetensors shape.safetensors && fail "could not make shape.safetensors (header format changed?)"
expect_error 1 "shape.safetensors" $t --data "$data" --load shape.safetensors --eval
./train_demo --save demo.safetensors >/dev/null || fail "train_demo --save failed"
expect_error 1 "demo.safetensors" $t --data "$data" --load demo.safetensors --eval
printf 'not a safetensors file at all, but long enough to have a header\n' >text.safetensors
expect_error 1 "text.safetensors" $t --data "$data" --load text.safetensors --eval
# what torch.save writes (a zip archive with <name>/data.pkl, or a pickle), and another zip
python3 -c '
import zipfile
with zipfile.ZipFile("model.pth", "w") as z:
    z.writestr("model/data.pkl", b"\x80\x02}q\x00.")
    z.writestr("model/data/0", bytes(64))
with zipfile.ZipFile("arrays.npz", "w") as z:
    z.writestr("x.npy", bytes(64))
open("legacy.pth", "wb").write(b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.")
'
expect_error 1 "convert it with scripts/pth-to-safetensors.py model.pth" $t --data "$data" --load model.pth --eval
expect_error 1 "legacy.pth: a Python pickle (torch.save's legacy format)" $t --data "$data" --load legacy.pth --eval
expect_error 1 "arrays.npz: a zip archive, not a safetensors file" $t --data "$data" --load arrays.npz --eval
$t --data "$data" --epochs 1 --save nodir/x.safetensors >/dev/null 2>err.txt && fail "--save into a missing directory succeeded"
grep -qF "nodir/x.safetensors" err.txt || { cat err.txt; fail "--save nodir/x.safetensors: message does not name the file"; }
echo "ok: --save nodir/x.safetensors: $(head -n 1 err.txt)"

# --- --inputs: a batch file whose tensors do not fit the model ---
expect_error 1 "no tensor 'x' (the model's input)" ./train_demo --inputs demo.safetensors --grads g.safetensors
expect_error 1 "no tensor 'image'" $t --inputs good.safetensors --grads g.safetensors
expect_error 1 "--grads" ./train_demo --inputs demo.safetensors
expect_error 1 "missing.safetensors" ./train_demo --inputs missing.safetensors --check-grads

# --- option values ---
expect_error 1 "--epochs" $t --data "$data" --epochs -1
expect_error 1 "--epochs" $t --data "$data" --epochs 5x
expect_error 1 "--epochs" $t --data "$data" --epochs
expect_error 1 "--batch" $t --data "$data" --batch 0
expect_error 1 "--lr" $t --data "$data" --lr abc
expect_error 1 "--lr" $t --data "$data" --lr -1
expect_error 1 "--lr" $t --data "$data" --lr nan
expect_error 1 "--val-split: an idx data set's directory has its own test set" $t --data "$data" --val-split 0.1
expect_error 1 "--seed" $t --data "$data" --seed -3
expect_error 1 "--threads" $t --data "$data" --threads 0
expect_error 1 "--amsgrad does not apply to sgd" $t --data "$data" --amsgrad
expect_error 1 "--optimizer: 'lamb'" $t --data "$data" --optimizer lamb
expect_error 1 "--betas" $t --data "$data" --optimizer adam --betas 0.9
expect_error 1 "--nesterov needs a momentum" $t --data "$data" --nesterov
expect_error 1 "--predict" $t --data "$data" --predict 512
expect_error 1 "--eval" $t --data "$data" --eval=1
expect_error 1 "--bogus" $t --data "$data" --bogus
expect_error 1 "stray" $t --data "$data" stray
expect_error 1 "--data" ./train_demo --data "$data"

# --- mlc ---
expect_error nonzero "nofile.model" "$mlc" nofile.model
expect_error nonzero "--bogus" "$mlc" "$src/models/fashion.model" --bogus
expect_error nonzero "bogus" "$mlc" "$src/models/fashion.model" --emit bogus

# mlc never destroys a file it was not asked to write, and leaves nothing half done.
cp "$src/models/autograd_demo.model" own.model
expect_error 1 "the model file itself" "$mlc" own.model -o own.model
cmp -s own.model "$src/models/autograd_demo.model" || fail "mlc -o MODEL changed the model file"
expect_error 1 "not a regular file" "$mlc" own.model -o /dev/null
[ -c /dev/null ] || fail "mlc -o /dev/null replaced /dev/null"
expect_error 1 "nodir/prog" "$mlc" own.model -o nodir/prog
if [ -w /dev/full ]; then
    expect_error 1 "error writing the output" sh -c "'$mlc' own.model --emit c >/dev/full"
fi
ln -s linked_prog link
"$mlc" own.model -o link || fail "mlc -o through a symbolic link failed"
[ -L link ] && [ -x linked_prog ] || fail "mlc -o LINK replaced the link instead of writing its target"
echo "ok: -o through a symbolic link writes its target"
# stopped by SIGTERM while the C compiler runs: no scratch directory, no temporary program,
# no output, and the compiler stopped with it
mkdir scratch
TMPDIR=$PWD/scratch "$mlc" "$src/models/fashion.model" -o stopped &
pid=$!
sleep 0.3
kill -TERM $pid 2>/dev/null || true
status=0
wait $pid || status=$?
sleep 0.5
[ -z "$(ls scratch)" ] || fail "SIGTERM left $(ls scratch) in TMPDIR"
ls ./*.mlc-*.tmp >/dev/null 2>&1 && fail "SIGTERM left a temporary program"
if [ $status -eq 143 ] && [ -e stopped ]; then
    fail "SIGTERM during the build, yet the program was written"
fi
echo "ok: SIGTERM during the build (exit status $status) leaves nothing behind"
# keep KIND: keeps the model that failed (random.model) outside the scratch directory.
keep() {
    kept=$(mktemp "${TMPDIR:-/tmp}/mlc-$1-XXXXXX.model")
    cp random.model "$kept"
    echo "$kept"
}
i=0
while [ $i -lt 20 ]; do
    head -c 2000 /dev/urandom >random.model
    status=0
    "$mlc" random.model -o random >/dev/null 2>err.txt || status=$?
    if [ $status -ne 1 ]; then
        head -n 5 err.txt
        fail "mlc on random bytes: exit status $status, expected 1 (input kept as $(keep random))"
    fi
    grep -q 'random.model:[0-9]*:[0-9]*: error: ' err.txt ||
        { head -n 5 err.txt; fail "mlc on random bytes: no 'file:line:col: error:' message (input kept as $(keep random))"; }
    i=$((i + 1))
done
echo "ok: 20 files of random bytes: exit status 1 and file:line:col errors"

# models/fashion.model with 1 to 4 bytes overwritten at random: accepted (0) or refused (1),
# never a crash or an internal error.
size=$(wc -c <"$src/models/fashion.model")
rnd() { od -An -N4 -tu4 /dev/urandom | tr -d ' '; }
i=0
while [ $i -lt 40 ]; do
    cp "$src/models/fashion.model" random.model
    k=$(($(rnd) % 4))
    while [ $k -ge 0 ]; do
        # shellcheck disable=SC2059 # the format is the byte, as an octal escape
        printf "\\$(printf %o $(($(rnd) % 256)))" |
            dd of=random.model bs=1 seek=$(($(rnd) % size)) conv=notrunc 2>/dev/null
        k=$((k - 1))
    done
    status=0
    "$mlc" --check random.model >/dev/null 2>err.txt || status=$?
    if [ $status -gt 1 ]; then
        head -n 5 err.txt
        fail "mlc --check on a mutated fashion.model: exit status $status (input kept as $(keep mutated))"
    fi
    i=$((i + 1))
done
echo "ok: 40 mutated copies of fashion.model: exit status 0 or 1"
echo "PASS"
