#!/usr/bin/env bash
#! The run command: installs what is missing, builds, starts the demo XMPP server (unless you point
#! Refdesk at your own data with REFDESK_DATA_DIR) and opens Refdesk. Ctrl-C or "Quit" stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
npm --prefix ui run --silent build
cargo build -p refdesk --features custom-protocol -p refdesk-tests --bin refdesk-demo-server

demo_pid=""
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [ -z "${REFDESK_DATA_DIR:-}" ]; then
  # The demo desk keeps its data apart from a real desk's.
  DEMO="$ROOT/.demo"
  mkdir -p "$DEMO/server"
  rm -f "$DEMO/server/demo.json"
  ./target/debug/refdesk-demo-server "$DEMO/server" &
  demo_pid=$!
  for _ in $(seq 1 100); do [ -s "$DEMO/server/demo.json" ] && break; sleep 0.1; done
  [ -s "$DEMO/server/demo.json" ] || { echo "run: the demo XMPP server did not start; see $DEMO/server/prosody.log"; exit 1; }
  export REFDESK_DATA_DIR="$DEMO/data"
  # The app signs in to the demo's shared account (ask@library.test); three simulated patrons ask questions.
  export REFDESK_DEMO="$DEMO/server/demo.json"
  echo "run: demo desk data in $REFDESK_DATA_DIR"
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display here; starting Refdesk under Xvfb (screenshot it with: DISPLAY=:\$n xwd -root)"
  exec_prefix=(xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" dbus-run-session --)
else
  exec_prefix=()
fi
# In the background with `wait`, so a TERM to this script stops the app and the demo at once.
"${exec_prefix[@]}" ./target/debug/refdesk &
app_pid=$!
wait "$app_pid"
