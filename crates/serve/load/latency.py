#!/usr/bin/env python3
"""Latency of every API request the dashboard makes, cold and warm, against `renown serve`.

    crates/serve/load/latency.py STORE [--bin target/release/renown] [--warm 20] [--cold]

Cold: for each request, a fresh server on STORE answers that request first (nothing in its
memory; the graph snapshots cached on disk beside the store are kept, as they are for any
restart). Warm: one server, every request answered once, then each asked --warm more times in
turn; p50, p99 and max of those. Dynamics without `bootstrap` answers the point estimate at once
and computes the CLI's interval in the background: its first answer is timed, and the time until
the interval is ready is reported on its own line.

Prints a Markdown table (seconds) and every failed request (a 503 is the server's --timeout);
exits non-zero if any failed.
"""
import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def start(binary, store):
    proc = subprocess.Popen([binary, "--db", store, "serve", "--addr", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not m:
        proc.kill()
        sys.exit(f"the server did not start: {line!r}")
    return proc, m.group(0)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


failures = []


def fetch(base, path):
    """Seconds taken and the JSON answer; a failed request is recorded (and answers None)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=600) as r:
            body = r.read()
    except urllib.error.HTTPError as e:
        took = time.perf_counter() - started
        failures.append(f"/{path}: HTTP {e.code} after {took:.1f} s")
        print(failures[-1], file=sys.stderr, flush=True)
        return took, None
    return time.perf_counter() - started, json.loads(body)


def requests(base):
    """The dashboard's requests, with the top earned account and the largest cascade."""
    _, measures = fetch(base, "api/measures")
    lead = measures["default"]
    _, lb = fetch(base, f"api/leaderboard?measure={lead}&limit=1")
    account = lb["rows"][0]["id"]
    _, cascades = fetch(base, "api/cascades?limit=1")
    cascade = "/".join(urllib.parse.quote(p, safe="") for p in cascades["rows"][0]["id"].split("/"))
    a = f"api/accounts/{account}"
    return [
        "api/openapi.json", "api/measures", "api/stats",
        f"api/leaderboard?measure={lead}&limit=50", "api/leaderboard?measure=followers&limit=50",
        a, f"{a}/timeline?limit=10", f"{a}/explain?endorsers=10", f"{a}/profile?limit=10",
        f"{a}/audit", f"{a}/trajectory?months=12", f"{a}/spread",
        "api/compare", "api/scatter", "api/audit?limit=50",
        "api/cascades?limit=50", f"api/cascades/{cascade}?limit=1000",
        "api/dynamics?period=month&limit=20",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--bin", default="target/release/renown")
    ap.add_argument("--warm", type=int, default=20, help="warm repetitions of each request")
    ap.add_argument("--cold", action="store_true", help="also time each request on a fresh server")
    ap.add_argument("--interval-timeout", type=float, default=0,
                    help="stop waiting for the dynamics interval after this many seconds (0: wait)")
    args = ap.parse_args()

    proc, base = start(args.bin, args.store)
    try:
        paths = requests(base)
    finally:
        stop(proc)

    cold = {}
    if args.cold:
        for p in paths:
            proc, base = start(args.bin, args.store)
            try:
                cold[p], _ = fetch(base, p)
            finally:
                stop(proc)

    proc, base = start(args.bin, args.store)
    interval = None
    try:
        first = {}
        began = time.perf_counter()
        for p in paths:
            first[p], _ = fetch(base, p)
        # The dynamics interval: asked again until it is in.
        dyn = "api/dynamics?period=month&limit=20"
        while True:
            _, d = fetch(base, dyn)
            if d is None:
                d = {}
                break
            if not d.get("interval_pending"):
                interval = time.perf_counter() - began
                break
            if args.interval_timeout and time.perf_counter() - began > args.interval_timeout:
                break
            time.sleep(0.5)
        warm = {p: [] for p in paths}
        for _ in range(args.warm):
            for p in paths:
                t, _ = fetch(base, p)
                warm[p].append(t)
    finally:
        stop(proc)

    print(f"| request | {'cold (fresh server) | ' if cold else ''}first on one server | warm p50 | warm p99 | warm max |")
    print(f"|---|{'---|' if cold else ''}---|---|---|---|")
    for p in paths:
        ts = sorted(warm[p])
        p99 = ts[min(len(ts) - 1, int(round(0.99 * (len(ts) - 1))))]
        c = f" {cold[p]:.3f} |" if cold else ""
        print(f"| `/{p}` |{c} {first[p]:.3f} | {statistics.median(ts):.3f} | {p99:.3f} | {ts[-1]:.3f} |")
    if interval is None:
        print(f"\ndynamics interval ({d.get('bootstrap')} replicates) not ready {args.interval_timeout:.0f} s after the first request (the warm rounds ran while it was computed)")
    else:
        print(f"\ndynamics interval ({d.get('bootstrap')} replicates) ready {interval:.1f} s after the first request on that server")
    worst = max(max(v) for v in warm.values())
    print(f"warm: slowest of {args.warm * len(paths)} answers {worst:.3f} s")
    if cold:
        p, t = max(cold.items(), key=lambda kv: kv[1])
        print(f"cold: slowest {t:.3f} s ({p})")
    for f in failures:
        print(f"failed: {f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
