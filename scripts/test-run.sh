#!/usr/bin/env bash
#! Checks the run command as a new user meets it: `bash scripts/run.sh` on this clone, without a
#! display, with whatever is (or is not) built. Waits until the window shows the demo account
#! signed in and a simulated patron's question in a tab (read from the window's accessibility
#! tree, as a screen reader hears it), saves a screenshot, stops it with TERM, and checks that
#! nothing it started is left. Then twice more, shorter: Ctrl-C (INT), and the app ending by itself.
#! Prints which step did not happen and exits 1 on the first failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ART="$ROOT/.test-artifacts"
mkdir -p "$ART/logs"
# Setup and a build from nothing come first on a fresh clone: minutes on two cores.
BUILD_SECS=${REFDESK_RUN_BUILD_SECS:-2700}
WINDOW_SECS=${REFDESK_RUN_WINDOW_SECS:-120}
# The first simulated patron asks this, 8 s after the demo server is up (tests/src/bin/demo_server.rs).
QUESTION="do you have anything on the history of the dutch railways"
# The demo's server and data, new for each start: a tab left from an earlier run proves nothing.
DEMO="$ART/run-demo"

run_pid=""
sid=""
passed=0

say() { echo "run check: $*"; }

# Every process of the run command's session, as "pid command".
session_procs() {
  [ -n "$sid" ] || return 0
  ps -e -o pid=,sid=,args= | awk -v sid="$sid" '$2 == sid { $2 = ""; print }'
}

# Processes the run command started that left its session, found by what they run: the demo's
# Prosody (its config is under $DEMO), and this checkout's app and demo server (by their executable:
# an app of another checkout, a test run beside this one, is not ours).
strays() {
  ps -e -o pid=,args= | awk -v demo="$DEMO/" 'index($0, demo) && !/awk /' || true
  local pid exe
  for pid in $(pgrep -x refdesk; pgrep -x refdesk-demo-se); do
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    case "$exe" in
      "$ROOT/target/debug/refdesk" | "$ROOT/target/debug/refdesk-demo-server") echo "$pid $exe" ;;
    esac
  done
}

kill_all() {
  local p
  for p in $(session_procs | awk '{print $1}') $(strays | awk '{print $1}'); do kill -KILL "$p" 2>/dev/null; done
}

fail() {
  echo "run check FAILED: $*" >&2
  if [ -n "${log:-}" ] && [ -f "$log" ]; then
    echo "--- last lines of $log:" >&2
    tail -n 25 "$log" >&2
  fi
  kill_all
  echo "run check: $passed passed, 1 failed"
  exit 1
}

# What a terminal gives the program it starts: a session of its own, and Ctrl-C not ignored (a
# background job of this script would inherit SIGINT ignored, and bash could not trap it then).
NEW_TERMINAL='import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])'

# Starts the run command in a session of its own, as a new user's terminal would, with no display
# and none of the test command's settings.
start() {
  log="$ART/logs/run-command-$1.log"
  rm -rf "$DEMO"
  env -u DISPLAY -u WAYLAND_DISPLAY -u NO_AT_BRIDGE -u REFDESK_DATA_DIR -u REFDESK_DEMO -u REFDESK_POLICY \
    -u WEBKIT_DISABLE_DMABUF_RENDERER -u WEBKIT_DISABLE_COMPOSITING_MODE -u DBUS_SESSION_BUS_ADDRESS \
    REFDESK_DEMO_DIR="$DEMO" \
    /usr/bin/python3 -c "$NEW_TERMINAL" bash scripts/run.sh >"$log" 2>&1 </dev/null &
  run_pid=$!
  sid=""
  for _ in $(seq 1 50); do
    sid=$(ps -o sid= -p "$run_pid" 2>/dev/null | tr -d ' ')
    [ -n "$sid" ] && [ "$sid" = "$run_pid" ] && break
    sleep 0.1
  done
  [ "$sid" = "$run_pid" ] || fail "could not start scripts/run.sh in a session of its own"
}

# The app's process in the run command's session, if it is running.
session_app() {
  ps -e -o pid=,sid=,comm= | awk -v sid="$sid" '$2 == sid && $3 == "refdesk" { print $1; exit }'
}

# Waits until the log shows `line` (or, for the app's start, the app is running whatever the log
# says), or fails with `what` if the run command ends or time runs out.
wait_log() {
  local line=$1 secs=$2 what=$3 start=$SECONDS
  while ! grep -qF -- "$line" "$log"; do
    [ "$line" = "run: starting Refdesk" ] && [ -n "$(session_app)" ] && break
    kill -0 "$run_pid" 2>/dev/null || fail "$what: scripts/run.sh exited first (status $(wait "$run_pid"; echo $?))"
    [ $((SECONDS - start)) -lt "$secs" ] || fail "$what: not within $secs s"
    sleep 1
  done
}

# Sets `pid` to the app's process (the shell's binary) in the run command's session, once it is there.
wait_app() {
  local start=$SECONDS
  pid=""
  while [ -z "$pid" ]; do
    pid=$(session_app)
    [ -n "$pid" ] && break
    kill -0 "$run_pid" 2>/dev/null || fail "the app did not start: scripts/run.sh exited first"
    [ $((SECONDS - start)) -lt 60 ] || fail "the app did not start within 60 s of \"run: starting Refdesk\""
    sleep 0.5
  done
}

# Sends `signal` to `target` (a pid, or -pgid) and checks the run command ends and leaves nothing.
stop_and_check() {
  local signal=$1 target=$2 how=$3 start=$SECONDS
  kill "-$signal" -- "$target" 2>/dev/null
  while kill -0 "$run_pid" 2>/dev/null; do
    [ $((SECONDS - start)) -lt 30 ] || fail "$how: scripts/run.sh still running 30 s later"
    sleep 0.2
  done
  wait "$run_pid" 2>/dev/null
  # Whatever it stopped has a moment to go (a WebKit helper notices its parent has gone).
  local left=""
  for _ in $(seq 1 20); do
    left="$(session_procs)$(strays)"
    [ -z "$left" ] && break
    sleep 0.25
  done
  [ -z "$left" ] || fail "$how: processes the run command started are still running:
$left"
  say "ok: $how; nothing it started is left"
  passed=$((passed + 1))
}

# Reads the window from outside through the app's own X display and session bus.
window_check() {
  local pid=$1
  shift
  local env_of
  env_of() { tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n "s/^$1=//p" | head -n 1; }
  local display bus xauth
  display=$(env_of DISPLAY)
  bus=$(env_of DBUS_SESSION_BUS_ADDRESS)
  xauth=$(env_of XAUTHORITY)
  [ -n "$display" ] || fail "the app has no DISPLAY (was it started under Xvfb?)"
  [ -n "$bus" ] || fail "the app has no session bus (was it started under dbus-run-session?)"
  DISPLAY=$display XAUTHORITY=$xauth DBUS_SESSION_BUS_ADDRESS=$bus NO_AT_BRIDGE=1 /usr/bin/python3 scripts/window-check.py "$@"
}

say "1. a fresh start, stopped with TERM (build log: ${ART#"$ROOT"/}/logs/run-command-term.log)"
start term
wait_log "setup: ok" "$BUILD_SECS" "setup (scripts/setup.sh) did not finish"
say "ok: setup"
wait_log "run: starting Refdesk" "$BUILD_SECS" "the build or the demo server did not finish"
say "ok: built, demo server up"
wait_app
say "ok: the app is running (pid $pid)"
window_check "$pid" --timeout "$WINDOW_SECS" --screenshot "$ART/run-command.png" \
  --text "ask@library.test: online" --tab "$QUESTION" ||
  fail "the window did not show the demo account online and a patron's question in a tab (see above)"
say "ok: the window shows ask@library.test online and a patron's question in a tab (screenshot ${ART#"$ROOT"/}/run-command.png)"
passed=$((passed + 1))
stop_and_check TERM "$run_pid" "stopped with TERM"

say "2. again, stopped with Ctrl-C"
start int
wait_log "run: starting Refdesk" 600 "the second start did not reach the app"
wait_app
window_check "$pid" --timeout "$WINDOW_SECS" --text "ask@library.test: online" ||
  fail "the second start's window did not show the account online"
# Ctrl-C in a terminal signals the foreground process group: the script's own.
stop_and_check INT "-$run_pid" "stopped with Ctrl-C"

say "3. again, the app ending by itself (as Quit in the tray, or a crash)"
start quit
wait_log "run: starting Refdesk" 600 "the third start did not reach the app"
wait_app
window_check "$pid" --timeout "$WINDOW_SECS" --text "ask@library.test: online" ||
  fail "the third start's window did not show the account online"
kill -TERM "$pid"
start_wait=$SECONDS
while kill -0 "$run_pid" 2>/dev/null; do
  [ $((SECONDS - start_wait)) -lt 30 ] || fail "the app ended, but scripts/run.sh still runs 30 s later"
  sleep 0.2
done
stop_and_check TERM "$run_pid" "the app ended by itself and the run command with it"

echo "run check: $passed passed, 0 failed"
