#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite and benchmarks.
# `postgres.sh url` installs the server when missing, starts it on a private port
# (trust auth, loopback only) and prints a SQLAlchemy URL. PostgreSQL refuses to run
# as root, so the cluster belongs to the `postgres` user.
set -euo pipefail
PORT=${SOPBOT_PG_PORT:-54329}
DATA=${SOPBOT_PG_DATA:-/tmp/sopbot-pg-$PORT}

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

install_server() {
  if ! find_bin >/dev/null; then
    echo "installing postgresql (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 || true
    apt-get install -y -q postgresql >&2
  fi
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  install_server
  local bin; bin=$(find_bin)
  if [ ! -s "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
    as_pg "$bin/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    # A server killed with the previous session leaves its lock file behind.
    rm -f "$DATA/postmaster.pid"
    as_pg "$bin/pg_ctl" -D "$DATA" -w -l "$DATA/server.log" \
      -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null
  fi
}

case "${1:-url}" in
  start) start ;;
  url) start; echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres" ;;
  stop) bin=$(find_bin) && as_pg "$bin/pg_ctl" -D "$DATA" -m fast stop ;;
  *) echo "usage: $0 start|url|stop" >&2; exit 2 ;;
esac
