#!/usr/bin/env bash
# Installs the Debian packages the project needs (CJK fonts for PDFs, Pango for WeasyPrint,
# poppler for PDF checks, Chromium for browser tests, postgresql-client for scripts/backup.sh and
# restore.sh) when run as root and any is missing.
set -euo pipefail
packages=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium postgresql-client)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "注意：缺少系统软件包 ${missing[*]}；请以 root 运行 make，或请管理员安装（apt-get install ${missing[*]}）。" >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
