#!/bin/sh
# install-deps.sh [EXTRA PACKAGE...]: installs the Debian packages mlc needs that are missing
# (the C and C++ compilers, CMake, flex, bison, OpenBLAS, zlib, minizip, cJSON, libpng, libjpeg,
# cairo, clang-format, and for the firmware tests the Arm cross compiler, newlib and QEMU), plus
# any named as arguments.
# Runs apt-get as root, or through sudo.
set -eu
need=
for pkg in gcc libc6-dev make cmake flex bison libopenblas-dev zlib1g-dev libminizip-dev libcjson-dev \
    libpng-dev libjpeg-dev libcairo2-dev \
    g++ gzip clang-format gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
        need="$need $pkg"
done
[ -n "$need" ] || exit 0
echo "install-deps.sh: installing$need" >&2
if [ "$(id -u)" = 0 ]; then
    sudo=
elif command -v sudo >/dev/null 2>&1; then
    sudo=sudo
else
    echo "install-deps.sh: need root (or sudo) to install:$need" >&2
    exit 1
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $need
