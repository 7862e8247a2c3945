#!/usr/bin/env bash
# Installs aimeter's build dependencies (Debian/Ubuntu, apt-get) and the web front end's
# packages (npm, from web/package-lock.json), builds it, and measures the bundled example
# workload. Re-running it is harmless.
set -euo pipefail
cd "$(dirname "$0")"

packages=(gcc meson ninja-build pkg-config libsqlite3-dev libjansson-dev libcurl4-openssl-dev libcmocka-dev
          sqlite3 python3-pytest valgrind python3-numpy python3-pandas python3-torch
          clang libclang-rt-14-dev
          libplplot-dev plplot-driver-cairo poppler-utils fonts-dejavu-core
          python3-pil python3-matplotlib
          python3-jsonschema  # the HTTP API's answers checked against docs/openapi.yaml
          libmicrohttpd-dev prometheus  # /metrics, and promtool that checks it (tests)
          libgnutls28-dev libcrypt-dev libyaml-dev openssl  # TLS, bcrypt and the web-config file
          libncurses-dev tmux  # aimeter top, and the terminal its test drives
          libpq-dev postgresql  # the PostgreSQL store, and the server its tests start
          libslurm-dev slurm-wlm munge  # the SPANK plugin, and the one-node SLURM of its test
          python3-mesonpy python3-venv python3-pip  # pip install of the Python package (docs/install.md)
          debhelper dh-python lintian chrpath  # the Debian packages (debian/, tests/e2e/test_debian.py)
          bash-completion zsh  # the shell completion and its tests (tests/e2e/test_man_completion.py)
          chromium)  # the HTML report's browser test (tests/e2e/test_html_browser.py)
# Node.js bundles web/ at build time; a node already installed (e.g. from NodeSource) is kept.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
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
  # Debian's package makes a cluster ("main") and may start it: the tests start servers of
  # their own (tests/tools/pg_tmp.sh), so one just installed is not left running.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null; then
    pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _ status _; do
      [ "$status" = online ] && $sudo pg_ctlcluster "$version" "$cluster" stop || true
    done
  fi
  # slurm-wlm and munge start their daemons on install: the tests start their own
  # (tests/e2e/test_slurm.py, on loopback ports with a key of their own).
  for unit in slurmctld slurmd munge; do
    if [[ " ${missing[*]} " == *" slurm-wlm "* || " ${missing[*]} " == *" munge "* ]]; then
      $sudo systemctl disable --now "$unit" >/dev/null 2>&1 || $sudo service "$unit" stop >/dev/null 2>&1 || true
    fi
  done
fi

# web/'s packages exactly as the lock file pins them (again only when the lock changed)
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  npm ci --prefix web --no-audit --no-fund
fi

[ -f build/build.ninja ] || meson setup build
ninja -C build

echo "== measuring build/examples/mlp-train (a small MLP training loop) =="
build/src/cli/aimeter run -n mlp-train -- build/examples/mlp-train
