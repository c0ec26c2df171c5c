#!/usr/bin/env bash
#! Type-checks what ships (refdesk-core and the app, with their unit tests) for Windows and macOS
#! with `cargo clippy -D warnings`, from this Linux machine. Nothing is linked or run: this proves
#! the code compiles for those targets and is lint-clean there, not that it works there.
#!
#! How: Debian's Rust (rustc-web, cargo-web, rust-web-clippy; setup.sh installs them) with its
#! standard library source (rust-web-src) builds std for each target (-Zbuild-std; RUSTC_BOOTSTRAP
#! allows the unstable flag on a stable compiler). C build scripts compile with MinGW for Windows;
#! for macOS there is no SDK here, so the C compiler and archiver are /bin/true: `cargo check` only
#! needs the C libraries' build scripts to finish, never their objects.
#! Usage: scripts/check-targets.sh [windows|macos]...   (both when none is named)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's toolchain, not rustup's: ~/.cargo/bin stays off PATH, and cargo-clippy is called by its
# path (cargo looks in ~/.cargo/bin for subcommands first, which would be rustup's clippy).
for tool in /usr/bin/cargo /usr/bin/rustc /usr/bin/cargo-clippy; do
  [ -x "$tool" ] || { echo "check-targets: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
done
[ -f /usr/lib/rustlib/src/rust/library/Cargo.lock ] ||
  { echo "check-targets: the standard library's source (rust-web-src) is missing; run scripts/setup.sh" >&2; exit 1; }

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(windows macos)
status=0
for t in "${targets[@]}"; do
  case "$t" in
    windows) triple=x86_64-pc-windows-gnu; cc_env=() ;;
    macos) triple=aarch64-apple-darwin; cc_env=(CC_aarch64_apple_darwin=/bin/true AR_aarch64_apple_darwin=/bin/true CXX_aarch64_apple_darwin=/bin/true) ;;
    *) echo "check-targets: unknown target '$t' (windows or macos)" >&2; exit 2 ;;
  esac
  echo "== $t ($triple): cargo clippy -D warnings, refdesk-core and the app"
  if env PATH=/usr/bin:/bin HOME="$HOME" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" \
    RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=never "${cc_env[@]}" \
    /usr/bin/cargo-clippy clippy -Zbuild-std=std,panic_abort --target "$triple" \
    -p refdesk-core -p refdesk --all-targets --target-dir target/cross -- -D warnings; then
    echo "check-targets: $t ok"
  else
    echo "check-targets: $t FAILED (above: what does not compile or warns for $triple)"
    status=1
  fi
done
exit "$status"
