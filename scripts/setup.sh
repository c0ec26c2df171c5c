#!/usr/bin/env bash
#! Installs everything Refdesk needs to build, run and test on Debian/Ubuntu; idempotent.
# Usage: scripts/setup.sh            (system packages, npm packages, tauri-driver)
# Safe to run again: each step checks first and does nothing when its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Build deps of Tauri 2 on Linux, then what the tests and the demo need.
APT_PACKAGES=(
  build-essential pkg-config curl file openssl ca-certificates
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev libssl-dev libxdo-dev
  xvfb xauth dbus-x11 webkit2gtk-driver gnome-keyring keyutils dunst python3-xlib at-spi2-core python3-pyatspi
  rpm
  # The website chat box's tests run in a real browser.
  chromium chromium-driver
  prosody prosody-modules lua-unbound lua-dbi-sqlite3
  ejabberd
  dnsmasq-base
  nodejs npm
  # Type-checking Windows and macOS builds (scripts/check-targets.sh): Debian's Rust with its
  # standard library source and clippy, and MinGW for the Windows C build scripts.
  rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  # node/npm may come from elsewhere (nvm, NodeSource); don't fight it.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    filtered=()
    for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
    missing=("${filtered[@]+"${filtered[@]}"}")
  fi
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # Prosody's and ejabberd's packages would start system-wide servers; we only ever run our own
  # instances (the tests' second server is ejabberd).
  if [[ " ${missing[*]} " == *" prosody "* || " ${missing[*]} " == *" ejabberd "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Rust toolchain components used by the test command.
if command -v rustup >/dev/null; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
fi

# tauri-driver: the WebDriver proxy for the end-to-end tests.
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver (cargo install, a few minutes)"
  cargo install --locked tauri-driver --version '^2' >/dev/null
fi

# The window's and the website chat box's packages, from their lock files.
for pkg in ui widget; do
  if [ ! -d "$pkg/node_modules" ] || [ "$pkg/package-lock.json" -nt "$pkg/node_modules/.package-lock.json" ]; then
    echo "setup: installing $pkg packages"
    (cd "$pkg" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
echo "setup: ok"
