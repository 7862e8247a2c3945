#!/usr/bin/env bash
# Runs every benchmark against a build and prints the tables docs/performance.md records.
# usage: bench/run.sh [BUILD_DIR] [--quick]
# The soak of a long run (15 minutes) is separate: bench/soak.py, docs/performance.md.
# The PostgreSQL store's benches are separate too (they start their own servers):
# bench/pg_bench.sh BUILD_DIR [--quick].
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
quick=${2:-}
echo "# aimeter benchmarks — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) logical CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
echo
echo "## Sampling cost per source"
"$build/bench/bench_sources" tests/fixtures
echo
echo "## Session in-process"
"$build/bench/bench_session" "$([ "$quick" = --quick ] && echo 3 || echo 10)"
echo
echo "## Whole command"
/usr/bin/python3 bench/overhead.py "$build" $quick
echo
echo "## Store"
"$build/bench/bench_store" /tmp
echo
echo "## Correlation"
"$build/bench/bench_corr" /tmp
echo
echo "## GPU (nvml source on the fake libnvidia-ml)"
"$build/bench/bench_gpu" "$build/tests/fakes/libfake_nvml.so"
echo
echo "## Prometheus exposition (a /metrics scrape's rendering)"
"$build/bench/bench_prometheus"
echo
echo "## Live: the sampler under 100 scrapes/s, a scrape's round trip (bench_live)"
"$build/bench/bench_live" "$build/tests/fakes/libfake_nvml.so" "$([ "$quick" = --quick ] && echo 3 || echo 10)" "$([ "$quick" = --quick ] && echo 1 || echo 3)"
echo
echo "## aimeter serve's API: 10,000 runs listed, a one-hour 1 kHz run's series (bench_serve_api)"
"$build/bench/bench_serve_api" /tmp
echo
echo "## Plots and HTML report (one-hour 100 Hz run)"
/usr/bin/python3 bench/plot.py "$build" $quick
