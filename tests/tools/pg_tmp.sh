#!/bin/bash
# A throw-away PostgreSQL server for the tests (docs/testing.md, "PostgreSQL"):
#   pg_tmp.sh start DIR   creates DIR, starts a server on a Unix socket in DIR (no TCP) and
#                         prints the URL of its database "aimeter" (user "aimeter", trust)
#   pg_tmp.sh createdb DIR NAME   makes another database and prints its URL
#   pg_tmp.sh stop DIR    stops the server and removes DIR
#   pg_tmp.sh halt DIR    stops the server and keeps DIR; `resume DIR` starts it again (a
#                         server that goes away mid-run: tests/e2e/test_spool.py)
# initdb refuses to run as root, so as root the server runs as the unprivileged "postgres"
# user that Debian's package creates; otherwise as the caller. Exit 69 when PostgreSQL is not
# installed (tests skip with that line).
set -euo pipefail
cmd=${1:?usage: pg_tmp.sh start|createdb|stop DIR [NAME]}
dir=${2:?usage: pg_tmp.sh start|createdb|stop DIR [NAME]}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg_tmp.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 69
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url() { echo "postgresql://aimeter@/$1?host=$dir"; }
# No TCP at all; fsync off: a test server's data need not survive a power cut.
server_start() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 70; }
}
case $cmd in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U aimeter --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 70; }
  server_start
  "$bin/createdb" -h "$dir" -U aimeter aimeter
  url aimeter
  ;;
halt)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
resume)
  dir=$(cd "$dir" && pwd)
  server_start
  ;;
createdb)
  dir=$(cd "$dir" && pwd)
  name=${3:?usage: pg_tmp.sh createdb DIR NAME}
  "$bin/createdb" -h "$dir" -U aimeter "$name"
  url "$name"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "pg_tmp.sh: unknown command $cmd" >&2
  exit 64
  ;;
esac
