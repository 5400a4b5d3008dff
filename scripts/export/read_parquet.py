#!/usr/bin/env python3
"""Reads a `renown export --format parquet` file with pyarrow, pandas, polars and DuckDB, for
crates/cli/tests/exports.rs.

    read_parquet.py FILE

Prints one JSON object: `rows` (every event as pyarrow reads it: time as UTC seconds, topics as
a list) and, per reader, the event count by kind. Exit code 3 when a package is missing.
"""
import json
import sys

try:
    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow.parquet as pq
except ImportError as e:  # pragma: no cover
    print(f"{e.name} is not installed (pip install -r .ci/requirements.txt)", file=sys.stderr)
    sys.exit(3)


def main():
    path = sys.argv[1]
    table = pq.read_table(path)
    rows = table.to_pylist()
    for r in rows:
        r["time"] = None if r["time"] is None else int(r["time"].timestamp())
    frame = pd.read_parquet(path)
    assert str(frame["time"].dtype).startswith("datetime64"), frame["time"].dtype
    by_kind = {
        "pandas": {k: int(v) for k, v in frame["kind"].value_counts().items()},
        "polars": {
            k: int(v) for k, v in pl.read_parquet(path).group_by("kind").len().iter_rows()
        },
        "duckdb": {
            k: int(v)
            for k, v in duckdb.sql(
                f"SELECT kind, count(*) FROM read_parquet('{path}') GROUP BY kind"
            ).fetchall()
        },
    }
    json.dump({"rows": rows, "by_kind": by_kind}, sys.stdout)


if __name__ == "__main__":
    main()
