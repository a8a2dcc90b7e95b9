#!/bin/sh
# images.sh MLC SRCDIR MKIMAGES ST_COMPARE: image folders, transforms and the trainer's
# pictures and log (CTest e2e/images), on the data set tests/tools/mkimages.c writes with
# libpng and libjpeg (RGB, gray and RGBA PNG, and JPEG; 8x8 images of three classes):
#   - shapes.model (images() with an annotations file per split, normalize) learns: from
#     about chance (ln 3) to a test accuracy of at least 95%;
#   - exact.model: what the trainer feeds the model is the PNG's pixels through scale and a
#     per-channel normalize, value for value (st_compare, no tolerance);
#   - shapes_aug.model (random_crop, random_hflip, one_hot targets, drop_last) learns too;
#     the augmentation is seeded (same seed, same run; another seed, another run) and does
#     something (without it the run differs); drop_last drops the partial batch;
#   - --log writes the metrics CSV (header, a line per printed loss and per test pass, the
#     printed numbers), --plot and --show-samples PNG files of the stated sizes;
#   - an image of the wrong size, a missing annotations file and a bad --data exit 1 with
#     messages that name the file; a --plot into a missing folder fails before training.
set -eu
mlc=$1 src=$2 mkimages=$3 st_compare=$4
models=$src/tests/e2e/images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

fail() {
    echo "FAIL: $*"
    exit 1
}

"$mkimages" "$work" || fail "mkimages could not write the data set"
for m in shapes shapes_aug exact; do
    "$mlc" "$models/$m.model" -o "$work/t_$m" || fail "mlc could not build $m"
done
# the augmented model without its augmentation, and without drop_last
sed 's/random_crop(1), random_hflip, //' "$models/shapes_aug.model" >"$work/noaug.model"
sed '/drop_last/d' "$models/shapes_aug.model" >"$work/keeplast.model"
sed 's/, test = \[.*\])/)/' "$models/shapes.model" >"$work/split.model"
"$mlc" "$work/split.model" -o "$work/t_split" || fail "mlc could not build split"
"$mlc" "$work/noaug.model" -o "$work/t_noaug" || fail "mlc could not build noaug"
"$mlc" "$work/keeplast.model" -o "$work/t_keeplast" || fail "mlc could not build keeplast"
cd "$work" # the models name their files relative to it

# below A B: A < B as numbers
below() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'
}
last_accuracy() {
    grep "Accuracy" "$1" | tail -n 1 | sed 's/.*Accuracy: \([0-9]*\).*/\1/'
}
# png_size FILE: "WIDTH HEIGHT" from the PNG's header (its signature checked too)
png_size() {
    [ "$(od -An -c -j1 -N3 "$1" | tr -d ' ')" = "PNG" ] || { echo "not a PNG"; return; }
    od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }'
}

# --- learning from a folder of images ---
./t_shapes --no-progress >shapes.txt || fail "shapes: training failed"
acc=$(last_accuracy shapes.txt)
first=$(grep "^loss:" shapes.txt | head -n 1 | sed 's/loss: *\([0-9.]*\).*/\1/')
below 0.9 "$first" || fail "shapes: the first loss $first is not near chance (1.0986)"
[ "$acc" -ge 95 ] || { cat shapes.txt; fail "shapes: accuracy $acc%, expected at least 95%"; }
echo "ok: shapes (PNG and JPEG, gray, RGB and RGBA): loss from $first, accuracy $acc%"

# --- the values the model sees ---
./t_exact --outputs exact.safetensors 2>/dev/null || fail "exact: --outputs failed"
"$st_compare" exact_expected.safetensors exact.safetensors 0 0 >exact.txt ||
    { cat exact.txt; fail "exact: the pixels through scale and normalize differ"; }
echo "ok: PNG pixels through scale and a per-channel normalize, exactly"

# --- augmentation, one_hot and drop_last ---
./t_shapes_aug --no-progress --log aug.csv >aug.txt || fail "shapes_aug: training failed"
acc=$(last_accuracy aug.txt)
[ "$acc" -ge 95 ] || { cat aug.txt; fail "shapes_aug: accuracy $acc%, expected at least 95%"; }
./t_shapes_aug --no-progress >aug2.txt
cmp -s aug.txt aug2.txt || fail "shapes_aug: two runs with one seed differ"
./t_shapes_aug --no-progress --seed 3 >aug3.txt
cmp -s aug.txt aug3.txt && fail "shapes_aug: --seed 3 changed nothing"
./t_noaug --no-progress >noaug.txt
cmp -s aug.txt noaug.txt && fail "random_crop and random_hflip changed nothing"
echo "ok: shapes_aug (random_crop, random_hflip, one_hot): accuracy $acc%, seeded"
# 300 samples in batches of 16: 18 whole ones, and a 19th of 12 without drop_last
steps=$(awk -F, '$1 == 1 && $3 == "test" { print $2 }' aug.csv)
[ "$steps" = 18 ] || fail "drop_last: epoch 1 took $steps steps, expected 18"
./t_keeplast --no-progress --log keep.csv >/dev/null
steps=$(awk -F, '$1 == 1 && $3 == "test" { print $2 }' keep.csv)
[ "$steps" = 19 ] || fail "without drop_last: epoch 1 took $steps steps, expected 19"
echo "ok: drop_last drops the partial batch (18 steps, not 19)"
# resumed after epoch 3, the augmentation draws what the whole run drew, and the log goes on
./t_shapes_aug --no-progress --epochs 3 --checkpoint ck.safetensors --log resumed.csv >/dev/null
./t_shapes_aug --no-progress --resume ck.safetensors --log resumed.csv >resumed.txt
sed -n '/^Epoch 4/,$p' aug.txt >tail.txt
cmp -s tail.txt resumed.txt || { diff tail.txt resumed.txt; fail "shapes_aug: the resumed run differs"; }
cut -d, -f1-6 aug.csv >a.csv
cut -d, -f1-6 resumed.csv >b.csv
cmp -s a.csv b.csv || { diff a.csv b.csv; fail "--log with --resume: the log differs from the whole run's"; }
echo "ok: --resume repeats the augmentation and continues the log"
# no test set: val_split of an image folder (kept as bytes, the same split for the seed)
./t_split --no-progress --val-split 0.2 --epochs 1 >split.txt 2>&1 ||
    { cat split.txt; fail "--val-split on an image folder"; }
grep -q "\[   16/  240\]" split.txt || { cat split.txt; fail "--val-split 0.2 of 300 images did not train on 240"; }
echo "ok: --val-split on an image folder"

# --- the log ---
[ "$(head -n 1 aug.csv)" = "epoch,step,split,loss,accuracy,lr,seconds" ] ||
    fail "--log: header is '$(head -n 1 aug.csv)'"
[ "$(wc -l <aug.csv)" -eq 19 ] || fail "--log: $(wc -l <aug.csv) lines, expected 1 + 6 epochs x 3"
awk -F, 'NR > 1 && (NF != 7 || $6 != "0.01" || ($3 != "train" && $3 != "test")) { exit 1 }' aug.csv ||
    fail "--log: a malformed line"
# the first train line's loss and every test line's loss and accuracy are the printed ones
printed=$(grep "^loss:" aug.txt | head -n 1 | sed 's/loss: *\([0-9.]*\).*/\1/')
logged=$(awk -F, '$3 == "train" { print $4; exit }' aug.csv)
[ "$printed" = "$logged" ] || fail "--log: first loss $logged, printed $printed"
grep "Avg loss" aug.txt | sed 's/.*Accuracy: \([0-9.]*\)%, Avg loss: *\([0-9.]*\).*/\1 \2/' >printed.txt
awk -F, '$3 == "test" { printf "%.1f %s\n", 100 * $5, $4 }' aug.csv >logged.txt
cmp -s printed.txt logged.txt || { paste printed.txt logged.txt; fail "--log: test lines differ from the printed ones"; }
awk -F, 'NR > 1 { if ($2 + 0 < last) exit 1; last = $2 + 0 }' aug.csv || fail "--log: steps go back"
echo "ok: --log: $(($(wc -l <aug.csv) - 1)) lines, the printed losses and accuracies"
if command -v script >/dev/null 2>&1; then # on a terminal (a progress bar), the same log
    script -qec "./t_shapes_aug --log tty.csv" /dev/null >tty.txt </dev/null
    cut -d, -f1-6 aug.csv >pipe_log.csv
    cut -d, -f1-6 tty.csv >tty_log.csv
    cmp -s pipe_log.csv tty_log.csv || { diff pipe_log.csv tty_log.csv; fail "--log on a terminal differs"; }
    grep -q "samples/s" tty.txt || fail "no progress bar on a terminal"
    echo "ok: --log on a terminal is the same"
fi

# --- --help ---
./t_shapes --help >help.txt
for o in "--log FILE" "--plot FILE" "--show-samples FILE" "images, ANNOTATIONS.csv,DIR"; do
    grep -qF -e "$o" help.txt || fail "--help does not mention '$o'"
done
echo "ok: --help"

# --- the pictures ---
./t_shapes --no-progress --epochs 3 --plot curves.png --show-samples grid.png >/dev/null ||
    fail "--plot, --show-samples: training failed"
[ "$(png_size curves.png)" = "960 400" ] || fail "--plot: $(png_size curves.png), expected 960 400"
# 8x8 images magnified 16 times: cells of 144 x 164
[ "$(png_size grid.png)" = "432 492" ] || fail "--show-samples: $(png_size grid.png), expected 432 492"
rm grid.png
./t_shapes --epochs 0 --show-samples grid.png >epochs0.txt || fail "--show-samples with --epochs 0"
[ "$(png_size grid.png)" = "432 492" ] || fail "--show-samples --epochs 0 wrote no picture"
! grep -q Epoch epochs0.txt || fail "--epochs 0 trained"
ls | grep -q mlc-tmp && fail "a temporary file was left behind"
# new pictures get the mode of any new file (0666 less the umask); a replaced one keeps its
# mode, and a symbolic link stays one, pointing at the new picture
[ "$(umask 022 && rm -f new.png && ./t_shapes --epochs 0 --show-samples new.png >/dev/null &&
     stat -c %a new.png)" = 644 ] || fail "--show-samples: a new file is not 644 under umask 022"
chmod 640 grid.png && ln -s grid.png link.png
./t_shapes --epochs 0 --show-samples link.png >/dev/null || fail "--show-samples through a link"
[ -L link.png ] && [ "$(stat -c %a grid.png)" = 640 ] || fail "--show-samples: link or mode lost"
echo "ok: --plot (960x400) and --show-samples (432x492) write PNG files, as the weights are"

# --- errors ---
expect_error() { # expect_error TEXT CMD...: exit 1 and TEXT in the message
    text=$1
    shift
    if "$@" >out.txt 2>err.txt; then fail "$* succeeded"; fi
    grep -qF -e "$text" err.txt || { cat err.txt; fail "$*: no '$text' in the message"; }
}
expect_error "wrong/wide.png: 9x8 pixels, the input is 8x8 (width x height)" ./t_shapes --data wrong.csv,wrong
grep -qF "(wrong.csv:2)" err.txt || fail "the size error does not name the annotations line"
expect_error "nothere.csv: cannot open" ./t_shapes --data nothere.csv,train
expect_error "is not the annotations and the folder, ANNOTATIONS.csv,DIR" ./t_shapes --data train.csv
expect_error "--plot nothere/curves.png: cannot write in nothere" ./t_shapes --plot nothere/curves.png
grep -q Epoch out.txt && fail "--plot into a missing folder failed only after training"
echo "ok: errors name the file"
