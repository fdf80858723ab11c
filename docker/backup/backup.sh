#!/usr/bin/env bash
# Backs up the MCP Assistant database named by DATABASE_URL: pg_dump in custom format (-Fc) to
# <dir>/mcp-assistant-<UTC time>.dump, then deletes this script's dumps older than BACKUP_RETENTION_DAYS.
# Prints the new dump's path on stdout. Needs pg_dump of the server's major version or newer.
set -euo pipefail

usage() {
  cat >&2 <<USAGE
usage: DATABASE_URL=postgres://user:password@host:5432/database $0 [backup-dir]
  backup-dir             where dumps go (default: \$BACKUP_DIR, else ./backups)
  BACKUP_RETENTION_DAYS  dumps older than this many days are deleted (default 14; 0 keeps them all)
USAGE
  exit "${1:-2}"
}
fail() { echo "backup.sh: $*" >&2; exit 2; }

case "${1:-}" in -h | --help) usage 0 ;; esac
[ $# -le 1 ] || usage
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*) ;;
  "") fail "DATABASE_URL is not set (see --help)" ;;
  *) fail "DATABASE_URL must be a postgres:// URL" ;;
esac
retention_days=${BACKUP_RETENTION_DAYS:-14}
[[ $retention_days =~ ^[0-9]+$ ]] || fail "BACKUP_RETENTION_DAYS must be a whole number of days (got \"$retention_days\")"
command -v pg_dump >/dev/null || { echo "backup.sh: pg_dump not found; install the PostgreSQL client tools" >&2; exit 1; }

dir=${1:-${BACKUP_DIR:-./backups}}
mkdir -p "$dir"
file="$dir/mcp-assistant-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under another name and renamed once complete: a failed dump never looks like a backup, nor counts as one.
pg_dump --format=custom --file="$file.partial" "$DATABASE_URL"
mv "$file.partial" "$file"
echo "$file"

if [ "$retention_days" -gt 0 ]; then
  find "$dir" -maxdepth 1 -type f -name 'mcp-assistant-*.dump' -mmin "+$((retention_days * 24 * 60))" -print -delete |
    sed 's/^/backup.sh: deleted expired /' >&2
fi
