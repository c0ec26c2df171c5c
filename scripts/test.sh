#!/usr/bin/env bash
#! The test command: installs what is missing, then runs every check and test and prints a summary.
#! Steps: format, the run command (scripts/test-run.sh), UI build/type check/unit tests, clippy, clippy for Windows and macOS, all Rust tests (unit, store, real Prosody,
#! end-to-end through WebDriver under Xvfb and a private D-Bus session), ts-rs binding drift, a
#! short fuzzing run of each fuzz target, and the Linux installers (built, installed, upgraded and
#! removed in scratch roots).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOGS="$ROOT/.test-artifacts/logs"
mkdir -p "$LOGS"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

bash scripts/setup.sh || { echo "test: setup failed; nothing was tested"; exit 1; }

# A fresh clone's builds (debug, release, the two cross checks, fuzz) took 8.8 GB on 2026-12-06
# (without incremental caches, as .ci/run builds); a full disk otherwise shows up half an hour later
# as an odd failure in whichever step ran out first.
free_gb() { df -Pk "$ROOT" | awk 'NR==2 {print int($4 / 1048576)}'; }
if [ "$(free_gb)" -lt 15 ]; then
  echo "test: warning: only $(free_gb) GB free on the disk holding $ROOT; a build from nothing takes about 9 GB"
fi

declare -a NAMES=() RESULTS=() TIMES=()
failed_steps=0
step() {
  local name=$1; shift
  local log="$LOGS/${name// /-}.log" start=$SECONDS rc
  echo "== $name"
  "$@" > >(tee "$log") 2>&1
  rc=$?
  NAMES+=("$name"); TIMES+=($((SECONDS - start)))
  if [ $rc -eq 0 ]; then
    RESULTS+=(ok)
  else
    local why="exit $rc"
    if grep -qE 'No space left on device|ENOSPC' "$log"; then why="$why, the disk is full: $(free_gb) GB free"; fi
    RESULTS+=("FAILED ($why, log: ${log#"$ROOT"/})"); failed_steps=$((failed_steps + 1))
  fi
}

# WebKit under Xvfb has no GPU: software rendering avoids DMA-BUF errors.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
export REFDESK_APP="$ROOT/target/debug/refdesk" REFDESK_ARTIFACTS="$ROOT/.test-artifacts"

bindings_clean() {
  local drift
  drift=$(git status --porcelain -- ui/src/lib/bindings)
  if [ -n "$drift" ]; then
    echo "ts-rs bindings differ from the committed ones; run 'cargo test' and commit ui/src/lib/bindings:"
    echo "$drift"
    git --no-pager diff --stat -- ui/src/lib/bindings
    return 1
  fi
}

step "rustfmt" cargo fmt --all -- --check
# The run command as a new user types it, first: on a fresh clone it builds from nothing, as theirs
# does (the steps below reuse that build).
step "run command" bash scripts/test-run.sh
step "ui build" npm --prefix ui run --silent build
step "ui type check" npm --prefix ui run --silent check
step "ui unit tests" npm --prefix ui run --silent test
# The patrons' chat box for library websites: type check and bundle (its tests run in Chromium
# with the Rust tests, against the bundle built here).
widget_build() {
  npm --prefix widget run --silent check && npm --prefix widget run --silent build || return 1
  # A site's strict CSP allows no eval: the bundle must have none.
  local found
  found=$(grep -oE '.{0,60}((^|[^A-Za-z0-9_$.])eval\(|new Function\().{0,60}' widget/dist/refdesk-chat.js)
  if [ -n "$found" ]; then
    echo "widget: the bundle calls eval or new Function, which a strict Content-Security-Policy refuses: $found"
    return 1
  fi
  echo "widget: $(wc -c <widget/dist/refdesk-chat.js) bytes, $(gzip -c widget/dist/refdesk-chat.js | wc -c) gzipped"
}
step "widget build" widget_build
step "app build" cargo build -p refdesk --features custom-protocol
step "clippy" cargo clippy --workspace --all-targets --all-features -- -D warnings
# What ships, type-checked and linted for Windows and macOS (nothing linked or run; see the script).
step "windows macos" bash scripts/check-targets.sh
# The GitHub Actions workflow that builds the installers on Windows and macOS runners: linted here,
# never run here.
step "workflows" bash scripts/lint-workflows.sh
# One run for all Rust tests; the end-to-end ones need a display and a session bus.
step "rust tests" xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
  dbus-run-session -- scripts/with-keyring.sh cargo test --workspace --all-features --no-fail-fast -- --test-threads=2
step "bindings drift" bindings_clean
# The stanza reader and parsers, the redactor and the policy parser under libFuzzer, briefly.
step "fuzz" bash scripts/fuzz.sh
# The .deb and .rpm built in release and installed, upgraded and removed in scratch roots.
step "installers" xvfb-run --auto-servernum --error-file="$LOGS/xvfb-installers.log" --server-args="-screen 0 1280x800x24" \
  dbus-run-session -- bash scripts/test-packages.sh

# Totals of individual tests, from the runners' own closing lines.
passed=0; failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' \
    "$LOGS/rust-tests.log" "$LOGS/installers.log" 2>/dev/null
  sed -n 's/^fuzz result: \([0-9]*\) targets passed; \([0-9]*\) failed.*/\1 \2/p' "$LOGS/fuzz.log" 2>/dev/null
  sed -n 's/^run check: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$LOGS/run-command.log" 2>/dev/null
  # vitest: "Tests  5 passed (5)" or "Tests  1 failed | 4 passed (5)"
  sed 's/\x1b\[[0-9;]*m//g' "$LOGS/ui-unit-tests.log" 2>/dev/null | awk '/^ *Tests /{
    p=0; f=0; for (i=1;i<=NF;i++) { if ($(i+1) ~ /^passed/) p=$i; if ($(i+1) ~ /^failed/) f=$i } print p, f }'
)

echo
echo "Summary"
for i in "${!NAMES[@]}"; do printf '  %-16s %4ss  %s\n' "${NAMES[$i]}" "${TIMES[$i]}" "${RESULTS[$i]}"; done
echo "  total wall time: ${SECONDS}s"
# A step that is not a test runner (format, lint, build, drift) counts as one failure; so does a
# test step that failed before any test could fail (a compile error).
for i in "${!NAMES[@]}"; do
  [ "${RESULTS[$i]}" = ok ] && continue
  case "${NAMES[$i]}" in
    "rust tests"|"ui unit tests"|"installers"|"fuzz"|"run command") [ "$failed" -gt 0 ] || failed=$((failed + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
done
echo "tests: $passed passed, $failed failed"
[ "$failed_steps" -eq 0 ]
