#!/usr/bin/env bash
# Copies the front-end packages installed by npm into static/vendor, where the app serves them.
# static/vendor is rebuilt from node_modules and never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules
dst=static/vendor
rm -rf "$dst.tmp"
mkdir -p "$dst.tmp"/{bootstrap,bootstrap-icons,htmx,echarts}
cp "$src/bootstrap/dist/css/bootstrap.min.css" "$src/bootstrap/dist/css/bootstrap.min.css.map" "$dst.tmp/bootstrap/"
cp "$src/bootstrap/dist/js/bootstrap.bundle.min.js" "$src/bootstrap/dist/js/bootstrap.bundle.min.js.map" "$dst.tmp/bootstrap/"
cp "$src/bootstrap-icons/font/bootstrap-icons.min.css" "$dst.tmp/bootstrap-icons/"
cp -r "$src/bootstrap-icons/font/fonts" "$dst.tmp/bootstrap-icons/fonts"
cp "$src/htmx.org/dist/htmx.min.js" "$dst.tmp/htmx/"
cp "$src/echarts/dist/echarts.min.js" "$dst.tmp/echarts/"
rm -rf "$dst"
mv "$dst.tmp" "$dst"
