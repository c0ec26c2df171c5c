#!/usr/bin/env bash
#! The run command: installs what is missing, builds, starts the demo XMPP server (unless you point
#! Refdesk at your own data with REFDESK_DATA_DIR) and opens Refdesk. Ctrl-C or "Quit" stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
npm --prefix ui run --silent build
# The patrons' chat box for the library's website, served on the demo's sample page.
npm --prefix widget run --silent build
# Both binaries in one build, each named: `--bin` filters the targets of every package the command
# selects, so naming only the demo server's left the app unbuilt on a fresh clone.
cargo build -p refdesk -p refdesk-tests --bin refdesk --bin refdesk-demo-server --features refdesk/custom-protocol
for bin in refdesk refdesk-demo-server; do
  [ -x "target/debug/$bin" ] || { echo "run: the build did not produce target/debug/$bin" >&2; exit 1; }
done

# Each background job gets a process group of its own (job control), so the clean-up below stops a
# program and everything it started (Xvfb, D-Bus, WebKit's processes; Prosody and the patrons), and
# a Ctrl-C in the terminal reaches this script's trap rather than each program on its own.
set -m
demo_pid=""
app_pid=""
# Stops one process group: TERM, then KILL whatever is left after 10 s.
stop_group() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 -- "-$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "run: $2 did not stop within 10 s of TERM; killing it" >&2
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleaned=""
cleanup() {
  # Runs once, whatever brought it here, and never stops half-way (no `set -e` inside a trap).
  [ -n "$cleaned" ] && return 0
  cleaned=1
  set +e
  [ -n "$app_pid" ] && stop_group "$app_pid" "Refdesk"
  [ -n "$demo_pid" ] && stop_group "$demo_pid" "the demo server"
  wait 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

if [ -z "${REFDESK_DATA_DIR:-}" ]; then
  # The demo desk keeps its data apart from a real desk's (REFDESK_DEMO_DIR: elsewhere than .demo/).
  DEMO="${REFDESK_DEMO_DIR:-$ROOT/.demo}"
  mkdir -p "$DEMO/server"
  rm -f "$DEMO/server/demo.json"
  ./target/debug/refdesk-demo-server "$DEMO/server" &
  demo_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$DEMO/server/demo.json" ] && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -s "$DEMO/server/demo.json" ] || { echo "run: the demo XMPP server did not start; see $DEMO/server/prosody.log" >&2; exit 1; }
  export REFDESK_DATA_DIR="$DEMO/data"
  # The app signs in to the demo's shared account (ask@library.test); three simulated patrons ask questions.
  export REFDESK_DEMO="$DEMO/server/demo.json"
  echo "run: demo desk data in $REFDESK_DATA_DIR"
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display here; starting Refdesk under Xvfb (screenshot it with: DISPLAY=:\$n xwd -root)"
  # No GPU under Xvfb: WebKit renders in software (its DMA-BUF renderer shows a blank window there).
  export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
  exec_prefix=(xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" dbus-run-session --)
else
  exec_prefix=()
fi
echo "run: starting Refdesk"
# In the background with `wait`, so a TERM to this script stops the app and the demo at once.
"${exec_prefix[@]}" ./target/debug/refdesk &
app_pid=$!
set +e
wait "$app_pid"
status=$?
set -e
echo "run: Refdesk exited (status $status)"
exit "$status"
