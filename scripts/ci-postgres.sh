#!/usr/bin/env bash
# A throwaway PostgreSQL server for the state-store tests, listening only on 127.0.0.1:${PGPORT:-54329}.
#   ci-postgres.sh [start]  install Debian's postgresql if missing, start the server (reusing a running one),
#                           make sure role and database exist, print the URL to use. Idempotent.
#   ci-postgres.sh status   exit 0 when the server is running
#   ci-postgres.sh stop     stop it and remove its data directory
# The data directory (CINFRA_PG_DATA, default /tmp/cinfra-pg-<port>) belongs to the postgres user.
set -euo pipefail
cmd=${1:-start}
port=${PGPORT:-54329}
data=${CINFRA_PG_DATA:-/tmp/cinfra-pg-$port}
url="postgres://cinfra:cinfra@127.0.0.1:$port/cinfra"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_pg() { runuser -u postgres -- "$@"; }
bin=$(pg_bin || true)
running() { [ -n "$bin" ] && [ -f "$data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case $cmd in
  status) running; exit ;;
  stop)
    if running; then as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
    # Only ever remove a directory that is a PostgreSQL data directory.
    if [ -f "$data/PG_VERSION" ] && [ ! -L "$data" ]; then rm -rf -- "$data"; fi
    exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|status|stop]" >&2; exit 2 ;;
esac

if [ -z "$bin" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # No default cluster on 5432: this script runs its own server.
  apt-get install -y -q postgresql-common >/dev/null
  sed -i 's/^#\?\s*create_main_cluster\s*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
  apt-get install -y -q postgresql >/dev/null
  bin=$(pg_bin)
fi

if ! running; then
  if [ -L "$data" ] || { [ -e "$data" ] && [ "$(stat -c %U "$data")" != postgres ]; }; then
    echo "ci-postgres: $data exists and is not a postgres-owned directory; refusing to use it" >&2
    exit 1
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p -m 0700 "$data" && chown postgres: "$data"
    # Local socket (inside the 0700 data directory) trusted; TCP needs a password.
    as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  fi
  as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c fsync=off" start >/dev/null || {
    echo "ci-postgres: the server did not start (port $port taken?); see $data/server.log:" >&2
    tail -5 "$data/server.log" >&2 || true
    exit 1
  }
fi

psql() { as_pg "$bin/psql" -h "$data" -p "$port" -U postgres -d postgres -qtAX "$@"; }
if [ "$(psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'cinfra'")" != 1 ]; then
  psql -c "CREATE ROLE cinfra LOGIN PASSWORD 'cinfra'" >/dev/null
fi
if [ "$(psql -c "SELECT 1 FROM pg_database WHERE datname = 'cinfra'")" != 1 ]; then
  psql -c "CREATE DATABASE cinfra OWNER cinfra" >/dev/null
fi
echo "$url"
