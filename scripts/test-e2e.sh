#!/usr/bin/env bash
#! End-to-end tests: builds the app as shipped (embedded UI), runs it under Xvfb in a private D-Bus
#! session, and drives it through tauri-driver + WebKitWebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."

(cd ui && npm run --silent build)
cargo build --quiet -p refdesk --features custom-protocol
export REFDESK_APP="$PWD/target/debug/refdesk"
export REFDESK_ARTIFACTS="$PWD/.test-artifacts"
export PATH="$HOME/.cargo/bin:$PATH"
# WebKit under Xvfb has no GPU; software rendering avoids DMA-BUF errors with no display hardware.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
cargo build --quiet -p refdesk-tests --features e2e --tests
exec xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
  dbus-run-session -- scripts/with-keyring.sh cargo test --quiet -p refdesk-tests --features e2e --test e2e -- --test-threads=1 "$@"
