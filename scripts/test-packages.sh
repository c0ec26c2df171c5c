#!/usr/bin/env bash
#! The Linux installers as IT would use them: builds the .deb and .rpm (scripts/package.sh), then
#! installs, upgrades and removes each with the system's own tools into a scratch root
#! (`dpkg --root`, `rpm --root`), runs the installed binaries (--version, refdeskctl, a real start
#! up to the window, under the caller's display) and prints sizes and the time to first window.
#! Ends with a "test result:" line like cargo's, which scripts/test.sh counts.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
passed=0; failed=0
check() {
  local name=$1; shift
  if "$@"; then echo "ok: $name"; passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
}
finish() { echo "test result: $([ $failed -eq 0 ] && echo ok || echo FAILED). $passed passed; $failed failed"; exit $((failed > 0)); }

if ! bash scripts/package.sh || ! bash scripts/package.sh --version 0.1.1; then
  echo "FAILED: building the installers"; failed=$((failed + 1)); finish
fi
B=target/release/bundle
DEB=$B/deb/Refdesk_0.1.0_amd64.deb DEB2=$B/deb/Refdesk_0.1.1_amd64.deb
RPM=$B/rpm/Refdesk-0.1.0-1.x86_64.rpm RPM2=$B/rpm/Refdesk-0.1.1-1.x86_64.rpm
SCRATCH=$(mktemp -d); trap 'rm -rf "$SCRATCH"' EXIT

has_files() { # root: the app, IT's tool, the menu entry, an icon and the name lexicon's notice are in place
  [ -x "$1/usr/bin/refdesk" ] && [ -x "$1/usr/bin/refdeskctl" ] &&
    [ -f "$1/usr/share/applications/Refdesk.desktop" ] && [ -f "$1/usr/share/icons/hicolor/128x128/apps/refdesk.png" ] &&
    grep -qs "faker" "$(find "$1/usr/lib" -name NOTICE-names.txt 2>/dev/null | head -1)"
}
says_version() { [ "$("$1/usr/bin/refdesk" --version)" = "refdesk $2" ]; }
checks_policy() {
  printf '[desk]\nlibraryName = "Test Library"\nminStaffForIm = 2\n' > "$SCRATCH/policy.toml"
  "$1/usr/bin/refdeskctl" policy check "$SCRATCH/policy.toml" >/dev/null &&
    ! "$1/usr/bin/refdeskctl" policy check /dev/null/missing.toml >/dev/null 2>&1
}
# Starts the installed app on a fresh data dir and waits for its window; prints the time it took.
starts_with_window() {
  local data start state=absent pid
  data=$(mktemp -d -p "$SCRATCH"); start=$(date +%s%N); LAST_LOG=$data/stderr.log
  REFDESK_DATA_DIR=$data "$1/usr/bin/refdesk" >"$data/stderr.log" 2>&1 & pid=$!
  for _ in $(seq 1 300); do
    state=$(/usr/bin/python3 scripts/x11-window.py state Refdesk 2>/dev/null || echo absent)
    [ "$state" = visible ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "  $2: first window after $(( ($(date +%s%N) - start) / 1000000 )) ms"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  [ "$state" = visible ] || { cat "$data/stderr.log"; return 1; }
}
# The same, once more if the app could not open the display (and only then). Twice (2026-12-06
# and -07, both in full runs, never in the step run alone) the first start under the step's Xvfb
# failed in GTK's init while every later start worked: a plain X client's view is printed (the
# server's own log is .test-artifacts/logs/xvfb-installers.log), and a second failure fails.
starts_with_window_once_more() {
  starts_with_window "$@" && return 0
  grep -q "no usable graphical display" "$LAST_LOG" || return 1
  echo "  $2: retrying once; a plain X client says: $(/usr/bin/python3 -c 'import Xlib.display; d = Xlib.display.Display(); print("display open,", d.get_display_name())' 2>&1 | tail -1)"
  sleep 1
  starts_with_window "$@"
}
no_files_left() { [ -z "$(find "$1/usr" -type f 2>/dev/null)" ]; }

# --- .deb, with dpkg into an empty root (dependencies are the host's: they are not checked there)
D=$SCRATCH/deb-root
mkdir -p "$D/var/lib/dpkg/info" "$D/var/lib/dpkg/updates" "$D/var/lib/dpkg/triggers"
touch "$D/var/lib/dpkg/status" "$D/var/lib/dpkg/available"
dpkg_r() { dpkg --root="$D" --force-not-root --force-depends "$@" >/dev/null; }
deb_version() { dpkg-query --admindir="$D/var/lib/dpkg" -W -f='${Status} ${Version}' refdesk 2>/dev/null; }
check "deb: installs" dpkg_r -i "$DEB"
check "deb: recorded as installed, 0.1.0" test "$(deb_version)" = "install ok installed 0.1.0"
check "deb: app, refdeskctl, menu entry, icon and notices in place" has_files "$D"
check "deb: installed app says its version" says_version "$D" 0.1.0
check "deb: installed refdeskctl checks a policy file" checks_policy "$D"
check "deb: installed app starts to its window" starts_with_window_once_more "$D" "deb"
check "deb: upgrades to 0.1.1" dpkg_r -i "$DEB2"
check "deb: recorded as 0.1.1" test "$(deb_version)" = "install ok installed 0.1.1"
check "deb: upgraded app still starts" starts_with_window_once_more "$D" "deb after upgrade"
check "deb: removes" dpkg_r --purge refdesk
check "deb: nothing left behind" no_files_left "$D"

# --- .rpm, with rpm into an empty root
P=$SCRATCH/rpm-root
mkdir -p "$P"
rpm_r() { rpm --root="$P" --nodeps "$@" >/dev/null 2>&1; }
check "rpm: database made" rpm --root="$P" --initdb
check "rpm: installs" rpm_r -i "$RPM"
check "rpm: recorded as 0.1.0" test "$(rpm --root="$P" -q refdesk 2>/dev/null)" = "refdesk-0.1.0-1.x86_64"
check "rpm: app, refdeskctl, menu entry, icon and notices in place" has_files "$P"
check "rpm: installed app says its version" says_version "$P" 0.1.0
check "rpm: installed app starts to its window" starts_with_window_once_more "$P" "rpm"
check "rpm: upgrades to 0.1.1" rpm_r -U "$RPM2"
check "rpm: recorded as 0.1.1" test "$(rpm --root="$P" -q refdesk 2>/dev/null)" = "refdesk-0.1.1-1.x86_64"
check "rpm: removes" rpm_r -e refdesk
check "rpm: nothing left behind" no_files_left "$P"

kib() { du -k "$1" | cut -f1; }
echo "sizes: .deb $(kib "$DEB") KiB, .rpm $(kib "$RPM") KiB, release binary $(kib target/release/refdesk) KiB, refdeskctl $(kib target/release/refdeskctl) KiB, installed (deb Installed-Size) $(dpkg-deb -f "$DEB" Installed-Size) KiB"
finish
