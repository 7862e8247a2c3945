#!/usr/bin/env bash
# The PostgreSQL benchmarks (issue 16; docs/performance.md, "PostgreSQL store"), each on a
# throw-away server of tests/tools/pg_tmp.sh (fsync off, as the tests run it), then the
# real-time ingest once more on a server with fsync on (a durable server's commits). The
# chunked reads (bench_pg_layout read-*) compare the driver's results as text and in binary.
# usage: bench/pg_bench.sh [BUILD_DIR] [--quick]   (needs PostgreSQL and a build with it)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
quick=${2:-}
secs=30 hour=3600
[ "$quick" = --quick ] && secs=10 hour=600
if [ ! -x "$build/bench/bench_pg_ingest" ]; then
  echo "pg_bench.sh: $build has no bench_pg_ingest (built without PostgreSQL)" >&2
  exit 69
fi
dir=$(mktemp -d /tmp/aimeter-pgbench.XXXXXX)
chmod 755 "$dir" # as root the server runs as "postgres" (pg_tmp.sh), which must reach it
pg=$dir/pg
trap 'bash tests/tools/pg_tmp.sh stop "$pg"; rm -rf "$dir"' EXIT
url=$(bash tests/tools/pg_tmp.sh start "$pg")
echo "# PostgreSQL benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/postgres" --version)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) logical CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## Ingest, 64 nodes, real time (fsync off)"
"$build/bench/bench_pg_ingest" "$url" "$pg/data" 64 "$secs" 1
echo
echo "## Ingest, 64 nodes, as fast as it goes (fsync off)"
"$build/bench/bench_pg_ingest" "$url" "$pg/data" 64 "$secs" 0
echo
for shape in 10hz 1khz; do
  echo "## Layout: chunked or plain columns, $shape"
  "$build/bench/bench_pg_layout" "$url" "$pg/data" "$shape" "$hour"
  echo
  echo "## aimeter push, $shape"
  "$build/bench/bench_pg_layout" "$url" "$pg/data" "push-$shape" "$hour" "$build/src/cli/aimeter"
  echo
  echo "## Chunked reads: PostgreSQL (results as text, in binary) and SQLite, $shape"
  "$build/bench/bench_pg_layout" "$url" "$pg/data" "read-$shape" "$hour"
  echo
done
# The same real-time ingest on another throw-away server, restarted durable: fsync,
# synchronous commit and full-page writes on (PostgreSQL's defaults).
bash tests/tools/pg_tmp.sh stop "$pg"
pg=$dir/pg-fsync
url=$(bash tests/tools/pg_tmp.sh start "$pg")
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_owner "$bin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null
as_owner "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 \
  -o "-k $pg -c listen_addresses= -c fsync=on -c synchronous_commit=on -c full_page_writes=on" \
  start >/dev/null
echo "## Ingest, 64 nodes, real time (fsync on, synchronous_commit on)"
"$build/bench/bench_pg_ingest" "$url" "$pg/data" 64 "$secs" 1
