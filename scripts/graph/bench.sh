#!/usr/bin/env bash
# Side-by-side graph benchmarks of renown against the peers in ../shared/bench (see its README
# for the one-time venv setup; graphblas also needs `/tmp/bench-venv/bin/pip install
# graphblas-algorithms`, which that list lacks). Every figure in BENCHMARKS.md `## Graph` comes from one of:
#
#   scripts/graph/bench.sh rmat20     # PageRank 20 iterations, 2 threads: igraph, NetworKit,
#                                     # python-graphblas, scipy and renown on R-MAT scale 20
#   scripts/graph/bench.sh rmat16     # the same with networkx, on R-MAT scale 16
#   scripts/graph/bench.sh scale26    # a billion-edge R-MAT graph generated, built and ranked
#
# renown renumbers the nodes by decreasing in-degree, then out-degree, while loading (inside LOAD_S) and writes
# scores under the file's ids; add `--order input` to ENGINE to time the file's own numbering.
#
# Environment: BIN (renown binary, default target/release/renown), PY (bench venv python),
# G (where the generated graphs and results go, default /tmp/g), RUNS (fresh processes per peer).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$ROOT/../shared/bench}
PY=${PY:-/tmp/bench-venv/bin/python}
G=${G:-/tmp/g}
BIN=${BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/renown}
RUNS=${RUNS:-1}
ENGINE="$BIN pagerank --input {el} --iterations {iters} --threads {threads} --repeat 3 --scores-out {scores}"
mkdir -p "$G"
[ -x "$BIN" ] || { echo "build first: cargo build --release -p renown (BIN=$BIN)" >&2; exit 1; }

gen() { # scale
    [ -f "$G/rmat$1.el" ] || "$PY" "$B/gen_graph.py" --kind rmat --scale "$1" --edge-factor 16 --seed 1 --out "$G/rmat$1"
}

case "${1:-}" in
rmat20)
    gen 20
    "$PY" "$B/bench_peers.py" --graph "$G/rmat20" --runs "$RUNS" --iters 20 --threads 2 \
        --peers scipy_ref,igraph,networkit,graphblas --sources el,npy \
        --engine-name renown --engine-cmd "$ENGINE" --json "$G/rmat20.results.json"
    ;;
rmat16)
    gen 16
    "$PY" "$B/bench_peers.py" --graph "$G/rmat16" --runs "$RUNS" --iters 20 --threads 2 \
        --peers networkx,igraph --sources el \
        --engine-name renown --engine-cmd "$ENGINE" --json "$G/rmat16.results.json"
    ;;
scale26)
    # Generation, in-adjacency build and PageRank in one process; /usr/bin/time reports the peak.
    /usr/bin/time -v "$BIN" pagerank --rmat-scale 26 --edge-factor 16 --seed 1 \
        --iterations 20 --threads 2 --repeat 1 2>&1 |
        grep -E 'LOAD_S|PR_S|PR_ITERS|nodes|G edges/s|Elapsed|Maximum resident'
    ;;
*)
    echo "usage: $0 rmat20|rmat16|scale26" >&2
    exit 2
    ;;
esac
