#!/usr/bin/env bash
# Restores a backup made by backup.sh into a fresh database and media directory, then verifies
# it against the backup's manifest:
#   scripts/restore.sh [--force] BACKUP_DIR
# The target is DATABASE_URL (postgres://…) and MEDIA_ROOT from the environment, as the app
# reads them. A database or media directory that already holds data is refused; with --force
# it is kept aside, never deleted: the database renamed to <name>_before_<stamp>, the media
# files moved into MEDIA_ROOT/.before-restore-<stamp>/ (a volume's mount point stays put). Exit status: 0 restored
# and verified, 1 restored but the verification found a difference, 2 refused or failed.
set -Eeuo pipefail
# Any command that fails (psql, pg_restore, tar …) ends the restore with status 2, as a refusal.
trap 'echo "恢复失败 restore failed: line $LINENO" >&2; exit 2' ERR
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/backup-common.sh
. "$here/backup-common.sh"

force=0
backup=""
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -*) die "用法 usage: scripts/restore.sh [--force] BACKUP_DIR" ;;
    *) [ -z "$backup" ] || die "只能指定一个备份目录 one backup directory only"; backup=$arg ;;
  esac
done
[ -n "$backup" ] || die "用法 usage: scripts/restore.sh [--force] BACKUP_DIR"
database_url=${DATABASE_URL:-}
[ -n "$database_url" ] || die "未设置 DATABASE_URL DATABASE_URL is not set"
media_root=${MEDIA_ROOT:-media}
parse_database_url "$database_url"
require_tools psql pg_restore sha256sum tar
manifest="$backup/manifest.tsv"
for name in manifest.tsv database.dump media.tar; do
  [ -f "$backup/$name" ] || die "备份不完整，缺少 $name backup is missing $name"
done

# The backup's own files first: a damaged dump is found before anything is changed.
while IFS=$'\t' read -r kind sum name; do
  [ "$kind" = file ] || continue
  [ "$(sha256sum "$backup/$name" | cut -d' ' -f1)" = "$sum" ] \
    || die "备份文件已损坏 $name is damaged (sha256 differs from the manifest)"
done <"$manifest"

maintenance() { psql "$MAINTENANCE_URL" -X -q -A -t -v ON_ERROR_STOP=1 -v name="$DB_NAME" "$@"; }
exists=$(maintenance <<<"SELECT 1 FROM pg_database WHERE datname = :'name';")
relations=0
if [ -n "$exists" ]; then
  relations=$(psql "$database_url" -X -A -t -c "SELECT count(*) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'S')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%';")
fi
media_used=0
if [ -d "$media_root" ] && [ -n "$(ls -A "$media_root" | grep -v "^$ASIDE_PREFIX" || true)" ]; then
  media_used=1
fi
if [ "$force" -eq 0 ] && { [ "$relations" -gt 0 ] || [ "$media_used" -eq 1 ]; }; then
  [ "$relations" -eq 0 ] || echo "数据库 $DB_NAME 不是空的 database is not empty" >&2
  [ "$media_used" -eq 0 ] || echo "媒体目录 $media_root 不是空的 media directory is not empty" >&2
  die "拒绝覆盖；先停止服务，再加 --force（原数据会改名保留） refusing to overwrite; use --force"
fi

stamp=$(date +%Y%m%d%H%M%S)
if [ "$relations" -gt 0 ]; then
  aside="${DB_NAME:0:40}_before_$stamp"
  maintenance -v aside="$aside" <<<'ALTER DATABASE :"name" RENAME TO :"aside";'
  echo "原数据库已改名保留 old database kept as $aside" >&2
  exists=""
fi
if [ -z "$exists" ]; then
  maintenance <<<'CREATE DATABASE :"name";'
fi
if [ "$media_used" -eq 1 ]; then
  aside="$media_root/$ASIDE_PREFIX$stamp"
  mkdir "$aside"
  find "$media_root" -mindepth 1 -maxdepth 1 ! -name "$ASIDE_PREFIX*" -exec mv -t "$aside" {} +
  echo "原媒体文件已移至 old media files kept in $aside" >&2
fi

# One transaction: all of it or nothing (and one commit instead of hundreds).
pg_restore --single-transaction --exit-on-error --no-owner --no-privileges --dbname="$database_url" \
  "$backup/database.dump"
mkdir -p "$media_root"
tar --extract --file="$backup/media.tar" --directory="$media_root" --no-same-owner

# Verify: the restored database and media, described as the backup described them, joined on
# "kind:name" (rows compare counts, media compare checksums; "-" where one side has none).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
keyed() { awk -F'\t' -v OFS='\t' '$1 == "rows" { print "rows:" $2, $3 } $1 == "media" { print "media:" $3, $2 }' | sort -t$'\t' -k1,1; }
grep -E '^(rows|media)'$'\t' "$manifest" | keyed >"$work/expected" || true
{
  psql "$database_url" -X -q -A -t -v ON_ERROR_STOP=1 <<<"$ROW_COUNT_SQL"
  media_lines "$media_root" "$work/media.list"
} | keyed >"$work/actual"

echo "恢复校验 restore verification: $backup -> 数据库 database $DB_NAME, 媒体 media $media_root"
printf '%-6s %-48s %14s %14s  %s\n' kind "表/文件 table/file" "备份 backup" "恢复后 restored" "结果 result"
verdict=0
join -t$'\t' -a1 -a2 -e - -o 0,1.2,2.2 "$work/expected" "$work/actual" | awk -F'\t' '
  {
    kind = substr($1, 1, index($1, ":") - 1); name = substr($1, index($1, ":") + 1)
    ok = ($2 == $3); total[kind]++; if (!ok) bad[kind]++
    want = $2; got = $3
    if (kind == "media") { want = substr(want, 1, 12); got = substr(got, 1, 12) }
    if (kind == "rows" || !ok)
      printf "%-6s %-48s %14s %14s  %s\n", kind, name, want, got, ok ? "一致 ok" : "不一致 DIFFERS"
  }
  END {
    printf "合计 total: %d 张表 tables (%d 不一致 differ), %d 个媒体文件 media files (%d 不一致 differ)\n",
      total["rows"], bad["rows"], total["media"], bad["media"]
    exit (bad["rows"] + bad["media"] > 0)
  }' || verdict=1

if [ "$verdict" -eq 0 ]; then
  echo "校验通过 verification passed: 各表行数与媒体文件校验和均与备份清单一致"
else
  echo "校验失败 verification FAILED: 与备份清单不一致（见上表） differs from the manifest" >&2
fi
exit "$verdict"
