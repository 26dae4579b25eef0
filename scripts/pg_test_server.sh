#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server on loopback for the plan-store tests.
#
#   eval "$(bash scripts/pg_test_server.sh start /tmp/cb-pg [PORT])"   # exports CREMONA_BIKE_TEST_PG_URL
#   bash scripts/pg_test_server.sh stop /tmp/cb-pg
#
# Without PORT (or with 0) a free loopback port is picked.
# `start` installs Debian's postgresql package when it is missing (root, as on CI), runs
# initdb and the server as the `postgres` user in DIR (which that user must be able to
# reach: use /tmp, not /root), creates the database `testdb`, and prints the export line
# for the test URL on stdout; everything else goes to stderr. The server listens on
# 127.0.0.1 only, trusts local connections and runs with fsync off: for tests only.
# See shared docs: stack-notes §5.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
ACTION=$1 DIR=$2 PORT=${3:-0}
if [[ $ACTION == start && $PORT == 0 ]]; then
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_pg() { runuser -u postgres -- "$@"; }

case $ACTION in
start)
  if [[ -z "$(pg_bin)" ]]; then
    echo "Installing PostgreSQL (Debian package)..." >&2
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; } >&2
  fi
  PGBIN=$(pg_bin)
  if [[ -f "$DIR/data/postmaster.pid" ]]; then
    echo "A server already runs in $DIR; stop it first" >&2; exit 1
  fi
  mkdir -p "$DIR"; chown postgres: "$DIR"; chmod 700 "$DIR"
  as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2
  as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres testdb
  echo "export CREMONA_BIKE_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PORT/testdb"
  ;;
stop)
  PGBIN=$(pg_bin)
  if [[ -n "$PGBIN" && -f "$DIR/data/postmaster.pid" ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
  fi
  rm -rf "$DIR"
  ;;
*) usage ;;
esac
