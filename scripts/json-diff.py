#!/usr/bin/env python3
"""Two JSON answers compared value by value: the same structure, the same strings, integers and
nulls, and the largest difference between two numbers (with where it is). Exits non-zero when
the structure or a non-numeric value differs.

    scripts/json-diff.py old.json new.json
"""
import json
import sys


def walk(x, y, path, largest):
    if isinstance(x, dict):
        if not isinstance(y, dict) or x.keys() != y.keys():
            sys.exit(f"{path or '.'}: different keys")
        for k in x:
            walk(x[k], y[k], f"{path}.{k}", largest)
    elif isinstance(x, list):
        if not isinstance(y, list) or len(x) != len(y):
            sys.exit(f"{path or '.'}: different lengths")
        for i, (u, v) in enumerate(zip(x, y)):
            walk(u, v, f"{path}[{i}]", largest)
    elif isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
        d = abs(x - y)
        if d > largest[0]:
            largest[:] = [d, path]
    elif x != y:
        sys.exit(f"{path or '.'}: {x!r} vs {y!r}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as a, open(sys.argv[2]) as b:
        old, new = json.load(a), json.load(b)
    largest = [0.0, None]
    walk(old, new, "", largest)
    print(f"same structure and values; largest numeric difference {largest[0]!r}"
          + (f" at {largest[1]}" if largest[1] else ""))


if __name__ == "__main__":
    main()
