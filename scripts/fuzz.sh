#!/usr/bin/env bash
#! Fuzzes the stanza reader and parsers, the redactor and the policy parser (issue #9): each target
#! runs from the committed seeds for FUZZ_SECS seconds (default 20) under libFuzzer with
#! AddressSanitizer. Any crash or failed check fails the script and leaves its input in
#! fuzz/artifacts/<target>/. Needs the nightly toolchain (on this machine image) and cargo-fuzz
#! (installed here on first use). A longer run: FUZZ_SECS=3600 bash scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
secs="${FUZZ_SECS:-20}"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: the nightly toolchain is missing (rustup toolchain list); cargo-fuzz needs it"
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install --quiet --locked cargo-fuzz@0.13.2
fi
targets=(stanzas redact policy)
cargo +nightly fuzz build --fuzz-dir fuzz
failed=0
passed=0
for t in "${targets[@]}"; do
  # The seeds stay as committed: libFuzzer writes what it finds to a scratch copy.
  corpus="$(mktemp -d)"
  cp fuzz/seeds/"$t"/* "$corpus"/
  log="$(mktemp)"
  if cargo +nightly fuzz run --fuzz-dir fuzz "$t" "$corpus" -- -max_total_time="$secs" -max_len=65536 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    runs="$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)"
    passed=$((passed + 1))
    echo "fuzz: $t ok: $runs inputs in ${secs}s, $(ls "$corpus" | wc -l) in corpus, $cov"
  else
    failed=$((failed + 1))
    echo "fuzz: $t FAILED (input kept in fuzz/artifacts/$t/):"
    grep -A1 -E "panicked|ERROR: |SUMMARY|Test unit written" "$log" | head -20
  fi
  rm -rf "$corpus" "$log"
done
echo "fuzz result: $passed targets passed; $failed failed"
[ "$failed" -eq 0 ]
