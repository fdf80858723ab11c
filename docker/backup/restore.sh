#!/usr/bin/env bash
# Restores a dump made by backup.sh into the database named by DATABASE_URL, replacing what is there: every object
# in the dump is dropped first (--clean --if-exists), in one transaction, so a failed restore changes nothing.
# Stop the servers (or scale them to 0) first, and start them again after. Needs pg_restore as new as the dump's pg_dump.
set -euo pipefail

usage() {
  echo "usage: DATABASE_URL=postgres://user:password@host:5432/database $0 <dump-file>" >&2
  exit "${1:-2}"
}
fail() { echo "restore.sh: $*" >&2; exit 2; }

case "${1:-}" in -h | --help) usage 0 ;; esac
[ $# -eq 1 ] || usage
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*) ;;
  "") fail "DATABASE_URL is not set (see --help)" ;;
  *) fail "DATABASE_URL must be a postgres:// URL" ;;
esac
[ -f "$1" ] || fail "no such dump file: $1"
command -v pg_restore >/dev/null || { echo "restore.sh: pg_restore not found; install the PostgreSQL client tools" >&2; exit 1; }

# Owners and grants are the target's own (a managed database's user is rarely the one the dump was made as).
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$1"
echo "restore.sh: restored $1" >&2
