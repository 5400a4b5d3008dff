#!/usr/bin/env bash
# Fuzz every renown reader on stable Rust: mutated real samples, N seconds per reader (default 60).
# Findings (panics, >5 s inputs) are saved in crates/fuzz/regressions/ and replayed by
# `cargo test -p renown-fuzz`. Usage: scripts/fuzz.sh [SECONDS_PER_READER] [--reader NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
shared="../shared"
# The dev profile on purpose: overflow checks and debug assertions turn silent arithmetic bugs
# into panics the harness reports (dependencies are still optimized, see the workspace profile).
cargo build -p renown-fuzz
target="${CARGO_TARGET_DIR:-target}"
exec "$target/debug/renown-fuzz" --seconds "$secs" --out crates/fuzz/regressions "$@" \
  "$shared/formats" "$shared/data/feeds" "$shared/data/wordpress" "$shared/data/opml" \
  "$shared/data/mastodon" "$shared/data/twitter15" "$shared/data/higgs" "$shared/data/slashdot" \
  crates/fuzz/regressions
