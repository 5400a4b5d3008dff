#!/usr/bin/env python3
"""Latency of every API request the dashboard makes, cold and warm, against `renown serve`.

    crates/serve/load/latency.py STORE [--bin target/release/renown] [--warm 20] [--cold]
                                 [--cold-empty] [--settle 0]

Cold (--cold): for each request, a fresh server process on STORE answers that request first:
nothing in its memory, the caches on disk beside the store (`STORE.cache/`: graph snapshots,
scores, answers) as an earlier server left them. Cold, empty disk (--cold-empty): the same, but
`STORE.cache/` is deleted before each fresh server starts, so nothing computed before is reused.
--settle S waits S seconds after each fresh server starts before asking (what a user who opens
the dashboard a little after the server started sees; 0 asks at once). Warm: one server, every request answered once, then each asked --warm more times in
turn; p50, p99 and max of those. Dynamics without `bootstrap` answers the point estimate at once
and computes the CLI's interval in the background: its first answer is timed, and the time until
the interval is ready is reported on its own line.

A request the server does not answer within its --answer-within (2.5 s) is answered 202
("computing") and asked again every 0.25 s until the answer comes: each cold figure is
"first response / complete answer" (one figure when the first response was the answer). A
progressive answer (the backtest's, with `pending` set: point estimates first) is asked again
the same way; the time to its first partial answer is printed on the cold lines.

Prints a Markdown table (seconds) and every failed request (a 503 is the server's --timeout);
exits non-zero if any failed.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


ANSWER_WITHIN = []


def start(binary, store, timeout=60):
    proc = subprocess.Popen([binary, "--db", store, "serve", "--addr", "127.0.0.1:0",
                             "--timeout", str(timeout)] + ANSWER_WITHIN,
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


COMPLETE_TIMEOUT = 600.0

# Seconds to the first partial answer (point estimates, `pending` set) of a progressive request,
# by path, from the last time it was asked.
USEFUL = {}


def fetch_timed(base, path, complete_timeout=None):
    """(seconds to the first response, seconds to the complete answer or None, the JSON answer).
    A 202 ("computing") is asked again every 0.25 s until the answer comes or COMPLETE_TIMEOUT
    passes; a failed request is recorded (and answers None)."""
    started = time.perf_counter()
    first = None
    USEFUL.pop(path, None)
    while True:
        try:
            with urllib.request.urlopen(base + path, timeout=600) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            took = time.perf_counter() - started
            failures.append(f"/{path}: HTTP {e.code} after {took:.1f} s")
            print(failures[-1], file=sys.stderr, flush=True)
            return (first if first is not None else took), None, None
        took = time.perf_counter() - started
        if first is None:
            first = took
        if status != 202:
            answer = json.loads(body)
            # A progressive answer (the backtest) says what is still `pending`: asked again
            # like a 202; the first of them is reported as its first useful answer.
            if not (isinstance(answer, dict) and answer.get("pending")):
                return first, took, answer
            if path not in USEFUL:
                USEFUL[path] = took
        if took > (COMPLETE_TIMEOUT if complete_timeout is None else complete_timeout):
            return first, None, None
        time.sleep(0.25)


def fetch(base, path, complete_timeout=None):
    """Seconds to the complete answer (to the first response when none came) and the answer."""
    first, complete, body = fetch_timed(base, path, complete_timeout)
    return (complete if complete is not None else first), body


def cell(first, complete):
    """A table cell: the first response, then the complete answer when it came later."""
    if complete is None:
        return f"{first:.3f} / not in {COMPLETE_TIMEOUT:.0f} s"
    if complete - first < 0.0005:
        return f"{first:.3f}"
    return f"{first:.3f} / {complete:.3f}"


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (Linux; nan elsewhere): the server's
    own work, whatever else loads the machine (its warm-up included)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def load():
    """The 1-minute load average, as text."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def months_spanned(first, last):
    """The dashboard's `monthsSpanned`: calendar months from first to last, both counted."""
    return (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1


def requests(base):
    """The dashboard's requests, written as web/app.js writes them (kept answers are keyed by
    path and query), with the top earned account and the largest cascade."""
    _, measures = fetch(base, "api/measures", 600)
    lead = measures["default"]
    _, stats = fetch(base, "api/stats", 600)
    _, lb = fetch(base, f"api/leaderboard?measure={lead}&limit=1", 600)
    account = lb["rows"][0]["id"]
    _, cascades = fetch(base, "api/cascades?limit=1", 600)
    cascade = "/".join(urllib.parse.quote(p, safe="") for p in cascades["rows"][0]["id"].split("/"))
    _, persons = fetch(base, "api/persons?limit=1", 600)
    person = persons["rows"][0]["accounts"][0]["id"] if persons and persons.get("rows") else account
    months = 12
    if stats.get("first_time") and stats.get("last_time"):
        months = max(1, min(12, months_spanned(stats["first_time"], stats["last_time"])))
    a = f"api/accounts/{account}"
    return [
        "api/openapi.json", "api/measures", "api/stats",
        f"api/leaderboard?measure={lead}&limit=50&offset=0",
        "api/leaderboard?measure=followers&limit=50&offset=0",
        a, f"{a}/timeline?limit=10", f"{a}/explain?endorsers=10", f"{a}/profile?limit=10",
        f"{a}/audit", f"{a}/fake", f"{a}/trajectory?months={months}", f"{a}/spread",
        "api/scatter", "api/compare", "api/audit?limit=50&offset=0",
        "api/cascades?limit=50&offset=0", f"api/cascades/{cascade}?limit=1000",
        "api/dynamics?period=month&limit=20",
        "api/backtest?target=distinct-engagers&bootstrap=1000", "api/seeds?k=10&model=ic",
        f"api/persons?measure={lead}&limit=50&offset=0", f"api/persons/{person}/explain?endorsers=10",
        "api/gap?limit=20",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--bin", default="target/release/renown")
    ap.add_argument("--warm", type=int, default=20, help="warm repetitions of each request")
    ap.add_argument("--cold", action="store_true", help="also time each request on a fresh server")
    ap.add_argument("--cold-empty", action="store_true",
                    help="also time each request on a fresh server with STORE.cache/ deleted first")
    ap.add_argument("--settle", type=float, default=0,
                    help="seconds to wait after a fresh server starts before the cold request")
    ap.add_argument("--timeout", type=int, default=60, help="the server's --timeout")
    ap.add_argument("--only", default="", help="time only the requests containing this text")
    ap.add_argument("--interval-timeout", type=float, default=0,
                    help="stop waiting for the dynamics interval after this many seconds (0: wait)")
    ap.add_argument("--answer-within", type=float, default=None,
                    help="the server's --answer-within (its default when not given)")
    ap.add_argument("--populate-timeout", type=float, default=1800,
                    help="--cold: stop waiting for the priming server's answers after this many seconds")
    ap.add_argument("--complete-timeout", type=float, default=600,
                    help="stop waiting for a 202's complete answer after this many seconds")
    args = ap.parse_args()
    global COMPLETE_TIMEOUT
    COMPLETE_TIMEOUT = args.complete_timeout
    if args.answer_within is not None:
        ANSWER_WITHIN.extend(["--answer-within", str(args.answer_within)])

    proc, base = start(args.bin, args.store)
    try:
        paths = requests(base)
    finally:
        stop(proc)

    if args.only:
        paths = [p for p in paths if args.only in p]

    def fresh(p, empty):
        if empty:
            shutil.rmtree(args.store + ".cache", ignore_errors=True)
        proc, base = start(args.bin, args.store, args.timeout)
        try:
            time.sleep(args.settle)
            first, complete, _ = fetch_timed(base, p)
            useful = f", first partial answer {USEFUL[p]:.3f}" if p in USEFUL else ""
            print(f"{'cold-empty' if empty else 'cold'} /{p}: {cell(first, complete)}{useful}"
                  f" (server CPU {cpu_seconds(proc.pid):.2f} s, load {load()})", file=sys.stderr, flush=True)
            return first, complete
        finally:
            stop(proc)

    cold_empty = {p: fresh(p, True) for p in paths} if args.cold_empty else {}
    cold = {}
    populated = {}
    if args.cold:
        # What an earlier server leaves on disk: every request answered once (a request that
        # timed out is asked again until it is answered: its computation went on).
        # Every request is asked at once (each first answer within the server's deadline), then
        # the pending ones again every second until all are answered or --populate-timeout
        # passes: the time each complete answer took on that server, from an empty disk, is
        # reported.
        shutil.rmtree(args.store + ".cache", ignore_errors=True)
        proc, base = start(args.bin, args.store, args.timeout)
        began = time.perf_counter()
        try:
            waiting = list(paths)
            while waiting and time.perf_counter() - began < args.populate_timeout:
                for p in list(waiting):
                    try:
                        with urllib.request.urlopen(base + p, timeout=600) as r:
                            done = r.status != 202
                    except urllib.error.HTTPError as e:
                        done = e.code not in (202, 503)
                    if done:
                        populated[p] = time.perf_counter() - began
                        waiting.remove(p)
                time.sleep(1)
        finally:
            stop(proc)
        failures.clear()
        cold = {p: fresh(p, False) for p in paths}

    proc, base = start(args.bin, args.store, args.timeout)
    interval = None
    try:
        first = {}
        began = time.perf_counter()
        for p in paths:
            f, c, _ = fetch_timed(base, p)
            first[p] = cell(f, c)
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

    head = ("cold, empty disk cache | " if cold_empty else "") + ("cold, disk cache kept | " if cold else "")
    print(f"| request | {head}first on one server | warm p50 | warm p99 | warm max |")
    print("|---|" + "---|" * (head.count("|") + 4))
    for p in paths:
        ts = sorted(warm[p])
        p99 = ts[min(len(ts) - 1, int(round(0.99 * (len(ts) - 1))))] if ts else float("nan")
        c = (f" {cell(*cold_empty[p])} |" if cold_empty else "") + (f" {cell(*cold[p])} |" if cold else "")
        med = statistics.median(ts) if ts else float("nan")
        last = ts[-1] if ts else float("nan")
        print(f"| `/{p}` |{c} {first[p]} | {med:.3f} | {p99:.3f} | {last:.3f} |")
    if interval is None:
        print(f"\ndynamics interval ({d.get('bootstrap')} replicates) not ready {args.interval_timeout:.0f} s after the first request (the warm rounds ran while it was computed)")
    else:
        print(f"\ndynamics interval ({d.get('bootstrap')} replicates) ready {interval:.1f} s after the first request on that server")
    if args.warm:
        worst = max(max(v) for v in warm.values())
        print(f"warm: slowest of {args.warm * len(paths)} answers {worst:.3f} s")
    if args.cold:
        print(f"\ncomplete answers on one server asked everything at once (seconds from the first ask; "
              f"not answered within {args.populate_timeout:.0f} s: "
              + (", ".join(f"/{p}" for p in paths if p not in populated) or "none") + ")")
        for p in paths:
            if p in populated:
                print(f"- `/{p}`: {populated[p]:.1f}")
    for name, times in (("cold, empty disk cache", cold_empty), ("cold, disk cache kept", cold)):
        if times:
            p, (t, _) = max(times.items(), key=lambda kv: kv[1][0])
            print(f"{name}: slowest first response {t:.3f} s (/{p})")
            done = {q: c for q, (_, c) in times.items()}
            if any(c is None for c in done.values()):
                print(f"{name}: not complete within {COMPLETE_TIMEOUT:.0f} s: " + ", ".join(f"/{q}" for q, c in done.items() if c is None))
            else:
                p, c = max(done.items(), key=lambda kv: kv[1])
                print(f"{name}: slowest complete answer {c:.3f} s (/{p})")
    for f in failures:
        print(f"failed: {f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
