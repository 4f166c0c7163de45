# Shared by backup.sh and restore.sh (sourced, not run): the manifest's two kinds of lines,
# written the same way at backup and after a restore so that comparing them is a plain diff.
#
# manifest.tsv lines (tab-separated, sorted, '#' lines are comments):
#   file   <sha256>  <name>     the backup's own files (database.dump, media.tar)
#   rows   <schema.table>  <n>  row count of every table, read in the dump's snapshot
#   media  <sha256>  <path>     every file under MEDIA_ROOT, path relative to it

export LC_ALL=C

# One statement counting every ordinary table (query_to_xml runs a count per table), so the
# backup can run it inside the transaction whose snapshot pg_dump uses.
ROW_COUNT_SQL="SELECT format(E'rows\t%s.%s\t%s', n.nspname, c.relname,
  (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname),
   false, true, '')))[1]::text)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  ORDER BY 1;"

die() {
  echo "错误 error: $*" >&2
  exit 2
}

require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 \
      || die "缺少 $tool（请安装 postgresql-client：scripts/system-packages.sh） missing $tool"
  done
}

# Splits a postgres:// URL into DB_NAME and MAINTENANCE_URL (same server, database "postgres").
parse_database_url() {
  local url=$1 scheme rest authority path query=""
  case "$url" in
    postgres://* | postgresql://*) ;;
    *) die "DATABASE_URL 必须是 postgres:// 地址 must be a postgres:// URL" ;;
  esac
  scheme=${url%%://*}
  rest=${url#*://}
  authority=${rest%%/*}
  [ "$authority" != "$rest" ] || die "DATABASE_URL 缺少数据库名 has no database name"
  path=${rest#*/}
  if [[ $path == *\?* ]]; then
    query="?${path#*\?}"
    path=${path%%\?*}
  fi
  [ -n "$path" ] || die "DATABASE_URL 缺少数据库名 has no database name"
  DB_NAME=$path
  MAINTENANCE_URL="${scheme}://${authority}/postgres${query}"
}

# What restore.sh --force keeps aside inside MEDIA_ROOT (a volume's mount point cannot be
# renamed); neither backed up nor compared.
ASIDE_PREFIX=.before-restore-

# Media lines for every regular file under $1 (none when the directory is absent); writes the
# NUL-separated relative paths to the file $2 too, so tar archives exactly the files listed.
media_lines() {
  local root=$1 list=$2
  : >"$list"
  [ -d "$root" ] || return 0
  (cd "$root" && find . -path "./$ASIDE_PREFIX*" -prune -o -type f -printf '%P\0' | sort -z) >"$list"
  (cd "$root" && xargs -0 -r sha256sum -- <"$list") \
    | sed -E 's/^\\?([0-9a-f]{64})  (.*)$/media\t\1\t\2/'
}
