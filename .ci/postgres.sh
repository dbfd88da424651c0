#!/usr/bin/env bash
# Make sure PostgreSQL is running and has pgvector, then create a fresh
# database for the tests and print its URL. Debian bookworm has no pgvector
# binary package: build Debian's source package from the trixie suite
# against bookworm's postgresql-server-dev (about 10 s of compiling).
set -euo pipefail
log() { echo "ci/postgres: $*" >&2; }

host=127.0.0.1 port=5432 user=postgres
psql_() { psql -h "$host" -p "$port" -U "$user" -d postgres -v ON_ERROR_STOP=1 -tAq "$@"; }

if ! pg_isready -h "$host" -p "$port" -q 2>/dev/null; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -h "$host" -p "$port" -q && break; sleep 1; done
fi

if [ -z "$(psql_ -c "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")" ]; then
  pgmajor=$(psql_ -c "SHOW server_version_num" | cut -c1-2)
  log "installing pgvector for PostgreSQL $pgmajor from Debian's source package"
  export DEBIAN_FRONTEND=noninteractive
  if ! grep -rqs "trixie" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb-src http://deb.debian.org/debian trixie main" > /etc/apt/sources.list.d/daoyi-trixie-src.list
  fi
  apt-get update -qq >&2
  apt-get install -y -qq build-essential "postgresql-server-dev-$pgmajor" >&2
  work=$(mktemp -d)
  (cd "$work" && apt-get source -qq pgvector >&2 2>/dev/null || apt-get source pgvector >&2)
  src=$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -1)
  make -s -C "$src" PG_CONFIG="/usr/lib/postgresql/$pgmajor/bin/pg_config" >&2
  make -s -C "$src" PG_CONFIG="/usr/lib/postgresql/$pgmajor/bin/pg_config" install >&2
  rm -rf "$work"
fi

db="daoyi_ci_$$"
psql_ -c "CREATE DATABASE $db"
echo "postgres://$user@$host:$port/$db"
