#!/usr/bin/env bash
# Installs aimeter's build dependencies (Debian/Ubuntu, apt-get), builds it, and measures
# the bundled example workload. Re-running it is harmless.
set -euo pipefail
cd "$(dirname "$0")"

packages=(gcc meson ninja-build pkg-config libsqlite3-dev libjansson-dev libcurl4-openssl-dev libcmocka-dev
          sqlite3 python3-pytest valgrind python3-numpy python3-pandas python3-torch
          clang libclang-rt-14-dev
          libplplot-dev plplot-driver-cairo poppler-utils fonts-dejavu-core
          python3-pil python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ -f build/build.ninja ] || meson setup build
ninja -C build

echo "== measuring build/examples/mlp-train (a small MLP training loop) =="
build/src/cli/aimeter run -n mlp-train -- build/examples/mlp-train
