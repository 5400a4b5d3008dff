#!/usr/bin/env python3
"""Latency of every API route against a running `renown serve`.

    renown --db STORE serve --addr 127.0.0.1:8080 &
    scripts/api-latency.py http://127.0.0.1:8080/ [--warm 50] [--warm-limit 1] [--cold-limit 3]

The routes are the GET paths of the server's own /api/openapi.json, so a route added to the
server is timed without editing this script; `{id}` is the top account by the default measure
(the largest cascade's id under /api/cascades/). POST /api/ingest writes to the store and is not
timed. Each route is asked once ("first": on a freshly started server that is the cold answer,
nothing in its memory, the caches on disk beside the store as any restart finds them), then
--warm more times in turn, all routes per round; p50, p99 and max of those.

Prints a Markdown table (seconds) and exits non-zero when a request fails, or when the first
answer of a route exceeds --cold-limit or its warm p99 exceeds --warm-limit (when given).
"""
import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def fetch(base, path, timeout):
    """Seconds taken and the parsed answer, or the failure's text."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as r:
            body = r.read()
        took = time.perf_counter() - started
        return took, json.loads(body), None
    except urllib.error.HTTPError as e:
        return time.perf_counter() - started, None, f"HTTP {e.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        return time.perf_counter() - started, None, str(e)


def routes(base, timeout):
    """Every GET path of the server's OpenAPI document, its parameters filled in."""
    took, doc, err = fetch(base, "api/openapi.json", timeout)
    if err:
        sys.exit(f"no OpenAPI document at {base}api/openapi.json: {err}")
    _, measures, err = fetch(base, "api/measures", timeout)
    if err:
        sys.exit(f"/api/measures: {err}")
    _, top, err = fetch(base, f"api/leaderboard?measure={measures['default']}&limit=1", timeout)
    if err or not top["rows"]:
        sys.exit(f"no account to ask about: {err or 'empty leaderboard'}")
    account = str(top["rows"][0]["id"])
    _, cascades, err = fetch(base, "api/cascades?limit=1", timeout)
    cascade = None
    if not err and cascades["rows"]:
        cascade = "/".join(urllib.parse.quote(p, safe="") for p in cascades["rows"][0]["id"].split("/"))
    paths, skipped = [], []
    for template, ops in sorted(doc["paths"].items()):
        if "get" not in ops:
            skipped.append(f"{' '.join(m.upper() for m in ops)} {template}")
            continue
        if template.startswith("/api/cascades/{id}"):
            if cascade is None:
                skipped.append(f"GET {template} (no cascade in the store)")
                continue
            path = template.replace("{id}", cascade)
        else:
            path = template.replace("{id}", account)
        if "{" in path:
            sys.exit(f"cannot fill the parameters of {template}")
        paths.append(path.lstrip("/"))
    return paths, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url", help="the server's base URL, e.g. http://127.0.0.1:8080/")
    ap.add_argument("--warm", type=int, default=50, help="warm rounds over every route")
    ap.add_argument("--timeout", type=float, default=600, help="seconds before a request is given up")
    ap.add_argument("--warm-limit", type=float, help="fail when a route's warm p99 exceeds this")
    ap.add_argument("--cold-limit", type=float, help="fail when a route's first answer exceeds this")
    args = ap.parse_args()
    base = args.url if args.url.endswith("/") else args.url + "/"

    paths, skipped = routes(base, args.timeout)
    failures = []
    first = {}
    for p in paths:
        first[p], _, err = fetch(base, p, args.timeout)
        if err:
            failures.append(f"/{p}: {err} after {first[p]:.2f} s")
    warm = {p: [] for p in paths}
    for _ in range(args.warm):
        for p in paths:
            t, _, err = fetch(base, p, args.timeout)
            warm[p].append(t)
            if err:
                failures.append(f"/{p} (warm): {err}")

    print("| route | first | warm p50 | warm p99 | warm max |")
    print("|---|---:|---:|---:|---:|")
    over = []
    for p in paths:
        ts = sorted(warm[p]) or [float("nan")]
        p99 = ts[min(len(ts) - 1, int(round(0.99 * (len(ts) - 1))))]
        print(f"| `/{p}` | {first[p]:.3f} | {statistics.median(ts):.3f} | {p99:.3f} | {ts[-1]:.3f} |")
        if args.warm_limit is not None and p99 > args.warm_limit:
            over.append(f"/{p}: warm p99 {p99:.3f} s > {args.warm_limit} s")
        if args.cold_limit is not None and first[p] > args.cold_limit:
            over.append(f"/{p}: first answer {first[p]:.3f} s > {args.cold_limit} s")
    slowest = max(first.items(), key=lambda kv: kv[1])
    print(f"\n{len(paths)} routes, {args.warm} warm rounds; slowest first answer {slowest[1]:.3f} s (/{slowest[0]})")
    if args.warm:
        worst = max((max(v), p) for p, v in warm.items())
        print(f"slowest warm answer {worst[0]:.3f} s (/{worst[1]})")
    for s in skipped:
        print(f"not timed: {s}")
    for line in failures + over:
        print(f"FAILED: {line}")
    sys.exit(1 if failures or over else 0)


if __name__ == "__main__":
    main()
