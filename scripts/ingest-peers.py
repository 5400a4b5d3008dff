#!/usr/bin/env python3
"""renown ingest beside what a user would do instead, on the same decompressed file, in one run.

    python3 -m venv /tmp/io/venv && /tmp/io/venv/bin/pip install duckdb
    /tmp/io/venv/bin/python scripts/ingest-peers.py --work /tmp/io/peers --rounds 3 \\
        --renown new=target/release/renown --renown old=/tmp/old-renown-s7 \\
        ../shared/data/higgs/higgs-activity_time.txt.gz ../shared/data/slashdot/soc-Slashdot0902.txt.gz

Each file is decompressed once into --work; every contestant then reads that plain file into a
new database file of its own, in a fresh process under /usr/bin/time (user + system CPU, wall,
peak RSS), and the contestants take turns (round 1: each once, round 2: each once, …) so a
change in the machine's load hits them alike. The contestants:

- `renown ingest FILE` into a new store (`--renown NAME=BINARY`, any number of binaries):
  parsing, identities, de-duplication, accounts interned to dense ids, column blocks, WAL
  commits; the same binary again on the same file ("again": every event a duplicate, nothing
  added) and on the .gz itself;
- DuckDB `CREATE TABLE ev AS SELECT * FROM read_csv(FILE, …)` into a new DuckDB file: typed
  columns, no identities, no account table, no de-duplication;
- Python `sqlite3` `executemany` of the split lines into one table without an index, one
  transaction, into a new SQLite file (the file read and split included).

The peers run in a Python process, so their figures include starting Python and importing the
module; the last column gives their load alone, timed inside the process.

Prints a Markdown table of medians over the rounds, with `uptime` before and after.
"""
import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys

DUCKDB = r"""
import duckdb, sys, time
db, path, kind = sys.argv[1:4]
wall, cpu = time.perf_counter(), time.process_time()
con = duckdb.connect(db)
if kind == "higgs":
    cols = "{'a': 'BIGINT', 'b': 'BIGINT', 'ts': 'BIGINT', 'kind': 'VARCHAR'}"
    opts = "delim=' '"
else:
    cols = "{'a': 'BIGINT', 'b': 'BIGINT'}"
    # The `#` header lines skipped by count: comment='#' fails DuckDB's sniffer on this CRLF file.
    with open(path) as f:
        skip = next(i for i, l in enumerate(f) if not l.startswith("#"))
    opts = f"delim='\t', skip={skip}"
con.execute(f"CREATE TABLE ev AS SELECT * FROM read_csv('{path}', header=false, {opts}, columns={cols})")
con.close()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(duckdb.connect(db).execute("SELECT count(*) FROM ev").fetchone()[0], f"{wall:.2f}", f"{cpu:.2f}")
"""

SQLITE = r"""
import sqlite3, sys, time
db, path, kind = sys.argv[1:4]
wall, cpu = time.perf_counter(), time.process_time()
con = sqlite3.connect(db)
if kind == "higgs":
    con.execute("CREATE TABLE ev(a INTEGER, b INTEGER, ts INTEGER, kind TEXT)")
    sql = "INSERT INTO ev VALUES (?, ?, ?, ?)"
else:
    con.execute("CREATE TABLE ev(a INTEGER, b INTEGER)")
    sql = "INSERT INTO ev VALUES (?, ?)"
with open(path) as f:
    rows = (l.split() for l in f if l.strip() and not l.startswith("#"))
    with con:
        con.executemany(sql, rows)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(con.execute("SELECT count(*) FROM ev").fetchone()[0], f"{wall:.2f}", f"{cpu:.2f}")
con.close()
"""


def timed(cmd, label):
    """(user + system CPU s, wall s, peak RSS MB, stdout) of `cmd` run under /usr/bin/time."""
    out = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %U %S %e %M"] + cmd,
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 3):
        sys.exit(f"{label} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    line = [l for l in out.stderr.splitlines() if l.startswith("TIME ")][-1]
    user, system, wall, rss = map(float, line.split()[1:])
    return user + system, wall, rss / 1024, out.stdout


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def fresh(path):
    for suffix in ("", ".wal", "-wal", "-shm", "-journal", ".lock", ".rejects.txt"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.rmtree(path + ".cache", ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", help=".gz files (SNAP Higgs activity or SNAP edge lists)")
    ap.add_argument("--renown", action="append", default=[], metavar="NAME=BINARY")
    ap.add_argument("--work", default="/tmp/ingest-peers")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    binaries = [r.split("=", 1) for r in args.renown]
    print(f"before: {uptime()}", flush=True)
    rows = []
    for gz in args.files:
        stem = os.path.basename(gz).removesuffix(".gz")
        plain = os.path.join(args.work, stem)
        if not os.path.exists(plain):
            with gzip.open(gz, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        kind = "higgs" if "higgs" in stem else "snap"
        db = lambda name: os.path.join(args.work, f"{stem}.{name}.db")
        runs = {}

        def add(label, cmd, prepare=None):
            if prepare:
                prepare()
            cpu, wall, rss, out = timed(cmd, label)
            runs.setdefault(label, []).append((cpu, wall, rss, out))

        for _ in range(args.rounds):
            for name, binary in binaries:
                store = db(f"renown-{name}")
                add(f"renown ingest ({name})", [binary, "--db", store, "ingest", plain],
                    prepare=lambda s=store: fresh(s))
                add(f"renown ingest ({name}), again: nothing new", [binary, "--db", store, "ingest", plain])
                gzstore = db(f"renown-{name}-gz")
                add(f"renown ingest ({name}) of the .gz", [binary, "--db", gzstore, "ingest", gz],
                    prepare=lambda s=gzstore: fresh(s))
            duck = db("duckdb")
            add("DuckDB read_csv into a table", [sys.executable, "-c", DUCKDB, duck, plain, kind],
                prepare=lambda: fresh(duck))
            lite = db("sqlite")
            add("Python sqlite3 executemany", [sys.executable, "-c", SQLITE, lite, plain, kind],
                prepare=lambda: fresh(lite))
        # Every line is one event (Slashdot's comment lines aside), as the table counts them.
        events = int(runs["DuckDB read_csv into a table"][0][3].split()[0])
        for label, rs in runs.items():
            # Only the peers print "count wall cpu"; renown's own output is its report.
            peer = not label.startswith("renown")
            counts = {r[3].split()[0] for r in rs} if peer else set()
            inner = "; ".join(f"{r[3].split()[1]} / {r[3].split()[2]}" for r in rs) if peer else ""
            rows.append((stem, label, rs, counts, events, inner))
    print(f"after: {uptime()}\n")
    print("| file | what | wall s (each round) | CPU s (each round) | M events/s (median wall) "
          "| M events per CPU-s (median) | peak RSS MB | rows counted | the load alone, in the process: wall / CPU s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for stem, label, rs, counts, events, inner in rows:
        walls = ", ".join(f"{r[1]:.2f}" for r in rs)
        cpus = ", ".join(f"{r[0]:.2f}" for r in rs)
        wall = statistics.median(r[1] for r in rs)
        cpu = statistics.median(r[0] for r in rs)
        rss = statistics.median(r[2] for r in rs)
        print(f"| {stem} | {label} | {walls} | {cpus} | {events / wall / 1e6:.2f} "
              f"| {events / cpu / 1e6:.2f} | {rss:.0f} | {', '.join(sorted(counts)) or '—'} | {inner or '—'} |")


if __name__ == "__main__":
    main()
