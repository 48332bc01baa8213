#!/usr/bin/env bash
# Install and start a throwaway PostgreSQL server on 127.0.0.1:55432 (user/password/db: storyline).
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
data=/tmp/storyline-ci-pg
run_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! run_as "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  rm -rf "$data"; mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
  run_as "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
  run_as "$bin/pg_ctl" -D "$data" -l "$data/log" -o "-p 55432 -k /tmp -c listen_addresses=127.0.0.1" -w start >/dev/null
fi
run_as "$bin/psql" -h 127.0.0.1 -p 55432 -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='storyline'" | grep -q 1 \
  || run_as "$bin/psql" -h 127.0.0.1 -p 55432 -U postgres -c "CREATE ROLE storyline LOGIN PASSWORD 'storyline'" >/dev/null
run_as "$bin/psql" -h 127.0.0.1 -p 55432 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='storyline'" | grep -q 1 \
  || run_as "$bin/psql" -h 127.0.0.1 -p 55432 -U postgres -c "CREATE DATABASE storyline OWNER storyline" >/dev/null
echo "PostgreSQL ready on 127.0.0.1:55432"
