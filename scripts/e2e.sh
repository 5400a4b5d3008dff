#!/usr/bin/env bash
# Dashboard end-to-end test: builds renown, simulates a demo store, serves it on a free loopback
# port, drives the dashboard in headless Chromium (crates/serve/e2e) and stops the server.
# Exits non-zero when anything fails. Screenshots go to $SCREENSHOTS (default
# target/e2e-screenshots).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
shots="${SCREENSHOTS:-$root/target/e2e-screenshots}"
chromium="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "e2e: installing Debian's chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "e2e: $chromium not found (apt-get install chromium)" >&2
    exit 1
  fi
fi

echo "e2e: building renown"
cargo build -q -p renown
bin="$target/debug/renown"

work="$(mktemp -d)"
server_pid=""
pending_pid=""
cleanup() {
  if [ -n "$pending_pid" ] && kill -0 "$pending_pid" 2>/dev/null; then
    kill "$pending_pid" 2>/dev/null || true
    wait "$pending_pid" 2>/dev/null || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "e2e: simulating the demo store"
"$bin" demo --dir "$work/demo" --accounts 800 >"$work/demo.log"

cp -r "$work/demo" "$work/pending"

# Port 0: the server picks a free port and prints its URL.
"$bin" --db "$work/demo/demo.db" serve --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/serve.log" | head -n1 || true)"
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: the server exited:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  sleep 0.2
done
if [ -z "$url" ]; then
  echo "e2e: the server did not start:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
echo "e2e: server at $url"

# A second server, on its own copy of the store (made before the first server kept anything
# beside it), that answers 202 ("computing") to every question it
# has not kept: the dashboard's pending state, then its answer.
"$bin" --db "$work/pending/demo.db" serve --addr 127.0.0.1:0 --answer-within 0 >"$work/pending.log" 2>&1 &
pending_pid=$!
pending_url=""
for _ in $(seq 1 100); do
  pending_url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/pending.log" | head -n1 || true)"
  [ -n "$pending_url" ] && break
  sleep 0.2
done
if [ -z "$pending_url" ]; then
  echo "e2e: the second server did not start:" >&2
  cat "$work/pending.log" >&2
  exit 1
fi

cd "$root/crates/serve/e2e"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --silent
fi
mkdir -p "$shots"
status=0
BASE_URL="$url" PENDING_URL="$pending_url" SCREENSHOTS="$shots" CHROMIUM="$chromium" node --test dashboard.test.mjs || status=$?
echo "e2e: screenshots in $shots"
exit "$status"
