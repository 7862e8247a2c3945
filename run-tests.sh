#!/usr/bin/env bash
# Runs every test: cmocka unit tests, fuzz-corpus replays and pytest end-to-end tests on a
# normal build (the store's tests also on a PostgreSQL server), the same under ASan+UBSan, the fuzz targets under libFuzzer (clang), and the
# unit tests under valgrind; the Python
# package's tests (tests/python) on the normal build. The last line
# is the summary: "aimeter tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
export LC_ALL=C.UTF-8
py=/usr/bin/python3
results=$(mktemp -d)
# files the tests leave to look at (the HTML report's screenshots): kept, path printed at the end
export AIMETER_ARTIFACTS=${AIMETER_ARTIFACTS:-$PWD/build/test-artifacts}
trap 'rm -rf "$results"' EXIT

step() { echo; echo "== $* =="; }

build() { # dir, meson options...
  local dir=$1; shift
  [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null || return 1
  ninja -C "$dir" >/dev/null
}

# meson's log of the pass labelled label (--logbase testlog-LABEL) into the results; a pass
# that wrote none counts as failed.
keep_log() { # label, build dir
  local label=$1 dir=$2 log
  log=$(ls "$dir"/meson-logs/testlog-"$label"*.json 2>/dev/null | head -n 1)
  if [ -n "$log" ]; then
    cp "$log" "$results/$label.meson.json"
  else
    echo "no test log" > "$results/$label-tests.failed"
  fi
}

suite() { # label, build dir, [meson test options...]
  local label=$1 dir=$2; shift 2
  step "$label: unit and fuzz replays"
  # A log of its own per label. With --wrapper meson adds the wrapper's name to the log's
  # (testlog-valgrind-valgrind.json): copying testlog.json had counted the normal run's
  # results instead, and a failure under valgrind went unseen by the summary.
  rm -f "$dir"/meson-logs/testlog-"$label"*.json
  meson test -C "$dir" --suite unit --suite fuzz --print-errorlogs --logbase "testlog-$label" \
    "$@" | tail -n 12
  keep_log "$label" "$dir"
}

e2e() { # label, build dir
  local label=$1 dir=$2
  step "$label: end-to-end (pytest)"
  AIMETER_BUILD="$PWD/$dir" $py -m pytest tests/e2e -q -p no:cacheprovider \
    --junitxml="$results/$label.junit.xml" | tail -n 15
}

# The store's unit tests (meson suite 'store') once more on PostgreSQL, with the driver's own
# (suite 'pg', on the server's database AIMETER_TEST_PG_URL): a throw-away server
# (tests/tools/pg_tmp.sh) that store_rig.c makes a fresh database on for every store a test
# opens (AIMETER_TEST_PG_DIR). The end-to-end suite starts its own
# (tests/e2e/pgserver.py). A missing PostgreSQL counts as a failure: bootstrap.sh installs it.
postgres() { # label, build dir
  local label=$1 dir=$2 pgdir url
  step "$label: the store's tests on PostgreSQL"
  pgdir=$(mktemp -d /tmp/aimpg-XXXXXX)
  if ! url=$(bash tests/tools/pg_tmp.sh start "$pgdir"); then
    echo "no PostgreSQL server" > "$results/$label-server.failed"
    rm -rf "$pgdir"
    return
  fi
  rm -f "$dir"/meson-logs/testlog-"$label"*.json
  AIMETER_TEST_PG_DIR=$pgdir AIMETER_TEST_PG_URL=$url \
    meson test -C "$dir" --suite store --suite pg --print-errorlogs \
    --logbase "testlog-$label" | tail -n 12
  keep_log "$label" "$dir"
  bash tests/tools/pg_tmp.sh stop "$pgdir"
}

pytests() { # label, build dir: the Python package over that build's libaimeter
  local label=$1 dir=$2
  step "$label: Python package (pytest)"
  AIMETER_BUILD="$PWD/$dir" $py -m pytest tests/python -q -p no:cacheprovider \
    --junitxml="$results/$label.python.junit.xml" | tail -n 15
}

if build build; then
  suite normal build
  postgres postgres build
  e2e normal build
  pytests normal build
else
  echo "build failed" > "$results/build.failed"
fi

if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  suite asan build-asan
  e2e asan build-asan
  unset ASAN_OPTIONS UBSAN_OPTIONS
else
  echo "asan build failed" > "$results/build-asan.failed"
fi

# The libFuzzer build (clang, library instrumented): it must build with warnings as errors,
# and every target runs over its corpus under libFuzzer with ASan+UBSan, seeing the library's
# coverage counters (fuzz/libfuzzer_check.py). Fuzzing itself is docs/testing.md's campaign.
if CC=clang build build-fuzz -Dfuzz=true; then
  step "clang-fuzz: libFuzzer targets over their corpora"
  meson test -C build-fuzz --suite fuzz --print-errorlogs | tail -n 12
  cp build-fuzz/meson-logs/testlog.json "$results/clang-fuzz.meson.json" 2>/dev/null || true
else
  echo "clang fuzz build failed" > "$results/build-fuzz.failed"
fi

if command -v valgrind >/dev/null && [ -f build/build.ninja ]; then
  suite valgrind build --suite unit --no-suite fuzz \
    --wrapper 'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite' \
    --timeout-multiplier 10
fi

echo; echo "test artefacts (screenshots): $AIMETER_ARTIFACTS"
$py tests/summarize.py "$results"
