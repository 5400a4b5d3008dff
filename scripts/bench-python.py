#!/usr/bin/env python3
"""The Python package's speed goals on one store, in one run (BENCHMARKS.md):
`s.rank("earned")` against the CLI's `rank --by earned` (the same rows: all of them, and the top
20), `s.events()` (all events as an Arrow table) and `renown export --format parquet`.

    python scripts/bench-python.py RENOWN_BIN STORE [REPEATS]

Each figure is the best of REPEATS wall-clock runs (default 5); the CLI's time includes its
process start and printing, as a user sees it, and the package's includes building the
DataFrame."""
import os
import subprocess
import sys
import tempfile
import time

import renown

binary, db = sys.argv[1], sys.argv[2]
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
s = renown.Store(db)


def best(f):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def cli(*args):
    subprocess.run([binary, "--db", db, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


out = os.path.join(tempfile.mkdtemp(), "events.parquet")
rows = {
    "cli rank --by earned --top 0 --format json": best(lambda: cli("rank", "--by", "earned", "--top", "0", "--format", "json")),
    "python s.rank('earned') (all rows, pandas)": best(lambda: s.rank("earned")),
    "cli rank --by earned (top 20, table)": best(lambda: cli("rank", "--by", "earned")),
    "python s.rank('earned', top=20)": best(lambda: s.rank("earned", top=20)),
    "python s.events() (Arrow table)": best(lambda: s.events()),
    "cli export --format parquet": best(lambda: cli("export", "--format", "parquet", out)),
}
n = s.events().num_rows
print(f"store {db}: {n:,} events; best of {repeats}; load {os.getloadavg()[0]:.2f}")
for name, seconds in rows.items():
    print(f"{seconds:8.3f} s  {name}")
a = rows["python s.rank('earned') (all rows, pandas)"] / rows["cli rank --by earned --top 0 --format json"]
b = rows["python s.rank('earned', top=20)"] / rows["cli rank --by earned (top 20, table)"]
print(f"python / cli: all rows {a:.3f}, top 20 {b:.3f}")
