#!/usr/bin/env bash
# Backs up the database and the media files into one dated directory:
#   scripts/backup.sh [DEST]        (DEST defaults to ./backups)
# reads DATABASE_URL (postgres://…) and MEDIA_ROOT from the environment, as the app does.
# Writes database.dump (pg_dump -Fc), media.tar and manifest.tsv (per-table row counts and a
# sha256 of every media file; see backup-common.sh), then prints the directory's path.
# The row counts are read in the same snapshot pg_dump dumps, so a backup taken while the
# system runs still matches its manifest; media is archived after the database, so every file
# the dump refers to is in the archive.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/backup-common.sh
. "$here/backup-common.sh"

[ $# -le 1 ] || die "用法 usage: scripts/backup.sh [DEST]"
dest_parent=${1:-backups}
database_url=${DATABASE_URL:-}
[ -n "$database_url" ] || die "未设置 DATABASE_URL DATABASE_URL is not set"
media_root=${MEDIA_ROOT:-media}
parse_database_url "$database_url"
require_tools psql pg_dump sha256sum tar

mkdir -p "$dest_parent"
dest="$dest_parent/jiaozhang-$(date +%Y%m%d-%H%M%S)"
mkdir "$dest" || die "备份目录已存在 $dest already exists"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One read-only transaction exports its snapshot: pg_dump dumps it and the counts read it.
coproc PSQL { psql "$database_url" -X -q -A -t -v ON_ERROR_STOP=1; }
# Kept now: bash unsets PSQL and PSQL_PID as soon as the coprocess has exited.
psql_pid=$PSQL_PID
psql_in=${PSQL[1]}
psql_out=${PSQL[0]}
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;" \
  "SELECT pg_export_snapshot();" >&"$psql_in"
read -r -t 60 snapshot <&"$psql_out" || die "无法连接数据库 cannot connect to the database"
pg_dump --format=custom --snapshot="$snapshot" --file="$dest/database.dump" "$database_url"
printf '%s\n' "$ROW_COUNT_SQL" "SELECT 'end-of-counts';" >&"$psql_in"
counted=0
while read -r -t 600 line <&"$psql_out"; do
  [ "$line" = end-of-counts ] && counted=1 && break
  printf '%s\n' "$line"
done >"$work/rows"
printf '%s\n' "COMMIT;" '\q' >&"$psql_in"
wait "$psql_pid" || die "数据库事务未能正常结束 the snapshot transaction did not end cleanly"
[ "$counted" -eq 1 ] && [ -s "$work/rows" ] || die "未能读取各表行数 could not count the tables' rows"

media_lines "$media_root" "$work/media.list" >"$work/media"
if [ -d "$media_root" ]; then
  tar --create --file="$dest/media.tar" --directory="$media_root" --null \
    --files-from="$work/media.list"
else
  echo "注意 note: 媒体目录不存在 MEDIA_ROOT $media_root does not exist; no media backed up" >&2
  tar --create --file="$dest/media.tar" --files-from=/dev/null
fi

{
  echo "# jiaozhang backup $(date --iso-8601=seconds) database $DB_NAME media $media_root"
  echo "# $(pg_dump --version)"
  for name in database.dump media.tar; do
    printf 'file\t%s\t%s\n' "$(sha256sum "$dest/$name" | cut -d' ' -f1)" "$name"
  done
  sort "$work/rows" "$work/media"
} >"$dest/manifest.tsv"

tables=$(wc -l <"$work/rows")
files=$(wc -l <"$work/media")
echo "备份完成 backup done: $tables 张表 tables, $files 个媒体文件 media files" >&2
echo "$dest"
