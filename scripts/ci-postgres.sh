#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the state-store tests, listening only on 127.0.0.1:${PGPORT:-54329},
# and prints its URL. Installs Debian's postgresql if missing. Idempotent: an already running one is reused.
set -euo pipefail
port=${PGPORT:-54329}
data=${CINFRA_PG_DATA:-/tmp/cinfra-pg-$port}
url="postgres://cinfra:cinfra@127.0.0.1:$port/cinfra"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_pg() { runuser -u postgres -- "$@"; }
if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data" && chown postgres: "$data"
    as_pg "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
  fi
  as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c fsync=off" start >/dev/null
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE cinfra LOGIN PASSWORD 'cinfra'" >/dev/null 2>&1 || true
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE cinfra OWNER cinfra" >/dev/null 2>&1 || true
fi
echo "$url"
