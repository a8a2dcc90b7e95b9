#!/bin/sh
# safe_files.sh MLC SRCDIR: the trainer never loses or destroys work (CTest e2e/safe_files).
# --save through a symbolic link writes the link's target and keeps the link; the mode of
# the file replaced is kept; a device (/dev/null), a file with two hard links and a
# write-protected file are refused before training; a temporary file left by a killed run
# (unlocked) is removed by the next save, one that a live process holds is not. --save
# keeps a checkpoint per epoch (not with --no-checkpoint). A run that diverges (--lr 1e3)
# stops with exit status 1 and a message, and leaves the files there as they were. Output
# to a full disk (/dev/full) is an error (exit status 1); a log in a file is written line
# by line, so a killed run keeps it.
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

"$mlc" "$src/models/fashion.model" -o train_fashion || fail "mlc could not build train_fashion"
t="./train_fashion --data $data"

# refused STATUS-PATTERN ARGS...: the trainer exits 1 before training with PATTERN on stderr.
refused() {
    pattern=$1
    shift
    status=0
    $t --epochs 1 "$@" >out.txt 2>err.txt || status=$?
    [ "$status" -eq 1 ] || { cat out.txt err.txt; fail "$*: exit status $status, expected 1"; }
    grep -q Epoch out.txt && fail "$*: refused only after training"
    grep -qF -- "$pattern" err.txt || { cat err.txt; fail "$*: no '$pattern' in the message"; }
    echo "ok: $*: $(head -n 1 err.txt)"
}

# --- symbolic links and modes ---
$t --epochs 0 --save w.safetensors >/dev/null
chmod 640 w.safetensors
ln -s w.safetensors link.safetensors
mkdir sub
ln -s ../w.safetensors sub/rel.safetensors
$t --epochs 1 --quiet --save link.safetensors >/dev/null || fail "--save through a link"
[ -L link.safetensors ] || fail "--save replaced the symbolic link"
[ "$(stat -c %a w.safetensors)" = 640 ] || fail "the mode became $(stat -c %a w.safetensors)"
cmp -s w.safetensors link.safetensors || fail "link and target differ"
$t --epochs 0 --save sub/rel.safetensors >/dev/null || fail "--save through a relative link"
[ -L sub/rel.safetensors ] || fail "--save replaced the relative link"
[ ! -e sub/rel.safetensors.mlc-tmp.* ] 2>/dev/null || fail "a temporary file in sub/"
echo "ok: --save through links keeps them and the mode"

# --- what is not replaced ---
refused "not a regular file" --save /dev/null
refused "not a regular file" --save sub
refused "not a regular file" --checkpoint /dev/null
ln w.safetensors hard.safetensors
refused "2 hard links" --save w.safetensors
rm hard.safetensors
chmod 444 w.safetensors
refused "write-protected" --save w.safetensors
chmod 644 w.safetensors
ln -s loop2 loop1
ln -s loop1 loop2
refused "symbolic link" --save loop1

# --- temporary files of killed runs ---
: >w.safetensors.mlc-tmp.AAAAAA      # left by a killed run: nobody holds it
: >w.safetensors.mlc-tmp.BBBBBB      # being written by a live process: locked
: >w.safetensors.tmp.CCCCCC          # not this tool's name: never touched
python3 -c '
import fcntl, os, sys, time
fd = os.open("w.safetensors.mlc-tmp.BBBBBB", os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
open("locked", "w").close()
time.sleep(30)
' &
holder=$!
i=0
while [ ! -e locked ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
$t --epochs 0 --save w.safetensors >/dev/null || fail "--save with stale temporary files"
kill $holder
[ ! -e w.safetensors.mlc-tmp.AAAAAA ] || fail "a stale temporary file was not removed"
[ -e w.safetensors.mlc-tmp.BBBBBB ] || fail "a locked temporary file was removed"
[ -e w.safetensors.tmp.CCCCCC ] || fail "a file of another name was removed"
ls ./*.mlc-tmp.* | grep -v BBBBBB && fail "a temporary file was left behind"
echo "ok: stale temporary files"
# --- a checkpoint per epoch with --save ---
rm -f ./*.safetensors
$t --epochs 2 --quiet --save run.safetensors >/dev/null || fail "training with --save"
head -c 4096 run.checkpoint.safetensors | grep -q '"mlc.epoch":"2"' ||
    fail "--save kept no checkpoint of epoch 2"
$t --epochs 3 --resume run.checkpoint.safetensors --save more.safetensors >/dev/null ||
    fail "--resume from the checkpoint --save kept"
$t --epochs 1 --quiet --no-checkpoint --save none.safetensors >/dev/null
[ ! -e none.checkpoint.safetensors ] || fail "--no-checkpoint wrote a checkpoint"
echo "ok: --save keeps a checkpoint per epoch"

# --- a diverging run ---
cp run.safetensors good.safetensors
cp run.checkpoint.safetensors goodck.safetensors
status=0
$t --epochs 3 --lr 1e3 --save run.safetensors >out.txt 2>err.txt || status=$?
[ "$status" -eq 1 ] || { cat out.txt err.txt; fail "--lr 1e3: exit status $status, expected 1"; }
grep -q "diverged" err.txt || { cat err.txt; fail "--lr 1e3: no message"; }
grep -q "Done" out.txt && fail "--lr 1e3 finished"
cmp -s run.safetensors good.safetensors || fail "--lr 1e3 overwrote the saved weights"
cmp -s run.checkpoint.safetensors goodck.safetensors || fail "--lr 1e3 overwrote the checkpoint"
echo "ok: --lr 1e3: $(cat err.txt)"
# diverging in epoch 2 (the rate jumps from 1e-3 to 1e3 after epoch 1): the checkpoint of
# epoch 1 stays, and says so
sed 's/^\( *optimizer = .*\)$/\1\n    schedule = step_lr(step_size = 1, gamma = 1e6)/' \
    "$src/models/fashion.model" >jump.model
grep -q 'gamma = 1e6' jump.model || fail "jump.model has no schedule"
"$mlc" jump.model -o train_jump || fail "mlc could not build train_jump"
status=0
./train_jump --data "$data" --epochs 3 --checkpoint ck.safetensors >out.txt 2>err.txt || status=$?
[ "$status" -eq 1 ] || { cat out.txt err.txt; fail "epoch 2 at rate 1e3: exit status $status, expected 1"; }
grep -q "ck.safetensors keeps the weights of epoch 1" err.txt || { cat err.txt; fail "epoch 2 at rate 1e3"; }
head -c 4096 ck.safetensors | grep -q '"mlc.epoch":"1"' || fail "epoch 2 at rate 1e3: no checkpoint of epoch 1"
echo "ok: diverging in epoch 2: $(cat err.txt)"
# --- the log ---
for args in "--epochs 1" "--eval" "--help"; do
    status=0
    $t $args >/dev/full 2>err.txt || status=$?
    [ "$status" -eq 1 ] && grep -q "cannot write to standard output" err.txt ||
        { cat err.txt; fail "$args >/dev/full: exit status $status"; }
    echo "ok: $args >/dev/full: $(tail -n 1 err.txt)"
done
# Fully buffered, nothing would reach the file before 4096 bytes (about 25 epochs).
$t --epochs 1000 --quiet >log.txt &
pid=$!
i=0
while ! grep -q "Avg loss" log.txt && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
size=$(wc -c <log.txt)
kill $pid
wait $pid || true
grep -q "Avg loss" log.txt || fail "the log is empty after 30 seconds"
[ "$size" -lt 4096 ] || fail "the log arrived in blocks ($size bytes at once)"
echo "ok: the log is written line by line ($size bytes when the first epoch ended)"
echo "PASS"
