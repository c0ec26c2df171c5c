#!/usr/bin/env bash
#! Runs a command with a throwaway, unlocked Secret Service keyring (gnome-keyring) on the current
#! D-Bus session, so the app keeps and reads passwords in a real keyring during tests.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# A keyring created with a password is unlocked and made the default collection; its files live in
# $dir, not in the person's own keyrings. The daemon ends with the D-Bus session.
printf 'refdesk-test-keyring' |
  XDG_DATA_HOME="$dir/data" XDG_CACHE_HOME="$dir/cache" gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
