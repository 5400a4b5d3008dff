#!/usr/bin/env bash
# Load test of `renown serve` with wrk against a store (default: the Higgs data), on loopback.
#
#   crates/serve/load/run.sh [STORE] [SECONDS] [CONNECTIONS]
#   RENOWN_BIN=target/debug/renown crates/serve/load/run.sh ...
#
# Builds the release binary, ingests the Higgs activity file into STORE if it does not exist,
# starts the server on a free port, warms the caches, then runs wrk for SECONDS against
# (1) leaderboard pages under every measure and (2) account detail for the top 2,000 accounts
# by engagement. Prints throughput, latency percentiles and error counts; stops the server.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
store="${1:-/tmp/renown-higgs.db}"
secs="${2:-30}"
conns="${3:-32}"
threads=2
target="${CARGO_TARGET_DIR:-$root/target}"
higgs="$root/../shared/data/higgs/higgs-activity_time.txt.gz"

cd "$root"
# RENOWN_BIN=path uses an already built binary instead (say which profile in the results).
if [ -n "${RENOWN_BIN:-}" ]; then
  bin="$RENOWN_BIN"
else
  cargo build -q --release -p renown
  bin="$target/release/renown"
fi
if [ ! -f "$store" ]; then
  "$bin" --db "$store" ingest "$higgs"
fi
work="$(mktemp -d)"
"$bin" --db "$store" serve --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -n1 || true)"
  [ -n "$url" ] && break
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/serve.log"; exit 1; }

measures="$(curl -sf "$url/api/measures" | python3 -c 'import json,sys; print(" ".join(m["name"] for m in json.load(sys.stdin)["measures"]))')"
: >"$work/leaderboard.txt"
for m in $measures; do
  echo "first (uncached) leaderboard, $m: $(curl -sf -o /dev/null -w '%{time_total}' "$url/api/leaderboard?measure=$m&limit=1") s"
  for off in 0 50 100 150 200 250 300 350 400 450; do
    echo "/api/leaderboard?measure=$m&limit=50&offset=$off" >>"$work/leaderboard.txt"
  done
done
curl -sf "$url/api/leaderboard?measure=engagement&limit=1000" | python3 -c '
import json,sys
for r in json.load(sys.stdin)["rows"]: print("/api/accounts/%d" % r["id"])' >"$work/accounts.txt"
curl -sf "$url/api/leaderboard?measure=engagement&limit=1000&offset=1000" | python3 -c '
import json,sys
for r in json.load(sys.stdin)["rows"]: print("/api/accounts/%d" % r["id"])' >>"$work/accounts.txt"
echo "first account detail (every measure cached): $(curl -sf -o /dev/null -w '%{time_total}' "$url$(head -n1 "$work/accounts.txt")") s"

for kind in leaderboard accounts; do
  echo "== $kind: $(wc -l <"$work/$kind.txt") distinct paths, ${secs}s, $conns connections, $threads threads"
  PATHS_FILE="$work/$kind.txt" wrk -t"$threads" -c"$conns" -d"${secs}s" --latency \
    -s "$root/crates/serve/load/paths.lua" "$url" | grep -E "Requests/sec|Transfer/sec|requests in|p50|non-2xx|Socket errors|Non-2xx"
done
