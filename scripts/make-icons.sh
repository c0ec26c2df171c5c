#!/usr/bin/env bash
#! Makes every icon from one source: draws the tray icons and icons/app-icon.png (make-icons.py),
#! then Tauri's CLI makes the app icon's sizes and formats for each OS from that image: PNGs (Linux),
#! icon.ico (Windows: the installer and the .exe's resource) and icon.icns (macOS).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/make-icons.py
CLI_VERSION=2.12.5
CLI=target/tauri-cli
if [ "$("$CLI/node_modules/.bin/tauri" --version 2>/dev/null)" != "tauri-cli $CLI_VERSION" ]; then
  npm install --prefix "$CLI" --no-save --no-audit --no-fund --loglevel=error "@tauri-apps/cli@$CLI_VERSION"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$CLI/node_modules/.bin/tauri" icon icons/app-icon.png --output "$out" >"$out/log" 2>&1 || { cat "$out/log" >&2; exit 1; }
# What tauri.conf.json lists; the store tiles and mobile icons it also makes are not used here.
for f in 32x32.png 64x64.png 128x128.png 128x128@2x.png icon.png icon.ico icon.icns; do
  cp "$out/$f" "icons/$f"
done
echo "make-icons: icons/ updated from icons/app-icon.png"
