#!/usr/bin/env bash
#! Whole-app benchmarks (issue #10): builds the release app and its .deb, starts a private Prosody
#! and simulated patrons, measures memory (PSS over the app and its WebKit processes), startup,
#! message latency, idle CPU and sizes, prints a table and updates bench/RESULTS.md. Not part of the
#! test command: it prints figures and fails only if it cannot measure. `--quick` for a short run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
# The desktop clients Refdesk is compared with (bench only; the tests never need them).
missing=()
for p in pidgin dino-im gajim; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ] && [[ " $* " != *" --no-others "* ]]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    echo "bench: could not install ${missing[*]}; they are reported as not measured"
fi
# The app as it ships: built and bundled by the Tauri CLI, so the size rows read this build's .deb
# (and nothing older: the installer tests leave packages of other versions in the same place).
rm -rf target/release/bundle
if ! bash scripts/package.sh; then
  echo "bench: the installers could not be built; the .deb rows say not built"
  rm -rf target/release/bundle
  npm --prefix ui run --silent build
  cargo build --quiet --release -p refdesk --features custom-protocol
fi
cargo build --quiet --release -p refdesk-tests --bin refdesk-bench --bin refdesk-webkit-floor
# As the end-to-end tests: Xvfb has no GPU, so WebKit renders in software.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
exec xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
  dbus-run-session -- scripts/with-keyring.sh ./target/release/refdesk-bench --app "$PWD/target/release/refdesk" "$@"
