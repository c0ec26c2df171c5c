#!/usr/bin/env bash
#! Builds the release app and its Linux installers (.deb and .rpm) with the Tauri CLI from ui/.
#! Usage: scripts/package.sh [--version X.Y.Z]   (a version other than tauri.conf.json's re-bundles
#! the same build under that version: the installer tests use it for an upgrade)
#! Output: target/release/bundle/{deb,rpm}/. AppImage is configured but needs linuxdeploy from
#! the network at bundling time, which this machine does not reach; .msi and .dmg are built on
#! Windows and macOS (see README, "Installers").
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
version=""
if [ "${1:-}" = "--version" ]; then version=${2:?"--version needs a value"}; fi

# The Tauri CLI from npm (seconds, against ~9 minutes for `cargo install tauri-cli`), kept out of
# ui/'s lock file: the registry here lacks its other platforms' packages, which `npm ci` requires.
CLI_VERSION=2.12.5
CLI=target/tauri-cli
if [ "$("$CLI/node_modules/.bin/tauri" --version 2>/dev/null)" != "tauri-cli $CLI_VERSION" ]; then
  npm install --prefix "$CLI" --no-save --no-audit --no-fund --loglevel=error "@tauri-apps/cli@$CLI_VERSION"
fi
# The CLI takes the directory it runs in as the app's (src-tauri: Cargo.toml and the config link).
tauri=$PWD/$CLI/node_modules/.bin/tauri
if [ -z "$version" ]; then
  # refdeskctl goes into the packages beside the app (IT's tool: policy check, backup, export).
  cargo build --quiet --release -p refdesk-core --bin refdeskctl
  npm --prefix ui run --silent build
  # (The UI is built just above; the config's own before-build step assumes another directory.)
  (cd src-tauri && "$tauri" build --ci --bundles deb rpm --config '{"build":{"beforeBuildCommand":null}}')
else
  (cd src-tauri && "$tauri" bundle --ci --bundles deb rpm --config "{\"version\":\"$version\"}")
fi
ls -l target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm
