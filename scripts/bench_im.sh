#!/usr/bin/env bash
# Influence maximization beside the reference IMM (Tang, Shi & Xiao 2015, the authors' C++ v1.1),
# side by side in one run: R-MAT from ../shared/bench/gen_graph.py, weighted cascade, IC, k = 50,
# each ε on one thread and two; both seed sets' expected spread by the same Monte Carlo
# simulator (renown simulate, 10,000 runs). Prints one table; peak RSS from /usr/bin/time -v.
#
# The reference is never part of this repository: build it outside, e.g. in /tmp/seeds/imm
#   (g++ -DDISCRETE src/imm.cpp -Wall -std=c++0x -O3 src/sfmt/SFMT.c -o imm_discrete)
# and point IMM at the binary. Usage:
#   IMM=/tmp/seeds/imm/imm_discrete PY=/tmp/seeds/venv/bin/python scripts/bench_im.sh [scale] [eps...]
set -euo pipefail
SCALE=${1:-20}
shift || true
EPSILONS=${*:-0.5 0.2}
K=${K:-50}
SIMS=${SIMS:-10000}
WORK=${WORK:-/tmp/seeds}
IMM=${IMM:-$WORK/imm/imm_discrete}
PY=${PY:-python3}
RENOWN=${RENOWN:-target/release/renown}
BENCH=$(cd "$(dirname "$0")/../../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)
G=$WORK/g/rmat$SCALE
mkdir -p "$WORK/g" "$WORK/out"

[ -f "$G.el" ] || "$PY" "$BENCH/gen_graph.py" --kind rmat --scale "$SCALE" --edge-factor 16 --seed 1 --out "$G"
# The reference reads `attribute.txt` (n=, m=) and `graph_ic.inf` (src dst p): weighted cascade.
if [ ! -f "$G-imm/graph_ic.inf" ]; then
  mkdir -p "$G-imm"
  "$PY" - "$G.el" "$G-imm" <<'EOF'
import sys, numpy as np
el, out = sys.argv[1], sys.argv[2]
e = np.fromfile(el, dtype=np.int64, sep=" ").reshape(-1, 2)
n = int(e.max()) + 1
indeg = np.bincount(e[:, 1], minlength=n)
with open(f"{out}/attribute.txt", "w") as f:
    f.write(f"n={n}\nm={len(e)}\n")
p = 1.0 / indeg[e[:, 1]]
np.savetxt(f"{out}/graph_ic.inf", np.column_stack([e[:, 0], e[:, 1], p]), fmt="%d %d %.10g")
EOF
fi

rss() { awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall/ {print $2}' "$1"; }
spread() { # seeds file -> "mean ± se"
  "$RENOWN" simulate --input "$G.el" --probabilities weighted-cascade --seeds "$1" --sims "$SIMS" \
    --format json | "$PY" -c 'import json,sys; s=json.load(sys.stdin)["spread"]; print(f"{s[\"mean\"]:.1f} ± {s[\"std_error\"]:.1f}")'
}

printf '%-6s %-22s %10s %10s %9s %8s %20s\n' eps engine select_s wall "RSS_MB" rr_sets "spread(${SIMS} MC)"
for eps in $EPSILONS; do
  O=$WORK/out/imm-$SCALE-$eps
  /usr/bin/time -v "$IMM" -dataset "$G-imm/" -k "$K" -model IC -epsilon "$eps" >"$O.log" 2>"$O.time"
  t=$(awk '/InfluenceMaximize\(Total Time\)/ {print $2}' "$O.log")
  sed -n 's/^g.seedSet=//p' "$O.log" | tr ' ' '\n' | grep -v '^$' >"$O.seeds"
  printf '%-6s %-22s %10s %10s %9s %8s %20s\n' "$eps" "IMM reference (1 thr)" "$t" "$(wall "$O.time")" "$(rss "$O.time")" - "$(spread "$O.seeds")"
  for threads in 1 2; do
    O=$WORK/out/renown-$SCALE-$eps-$threads
    /usr/bin/time -v "$RENOWN" seeds --input "$G.el" --probabilities weighted-cascade --k "$K" \
      --epsilon "$eps" --threads "$threads" --format json --seeds-out "$O.seeds" >"$O.json" 2>"$O.time"
    read -r t sets < <("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(f"{r[\"seconds\"]:.2f}", r["selection"]["rr_sets"])' "$O.json")
    # Seeds do not depend on the thread count: simulate a set once.
    if [ "$threads" = 2 ] && cmp -s "$O.seeds" "$WORK/out/renown-$SCALE-$eps-1.seeds"; then s="same seeds"; else s=$(spread "$O.seeds"); fi
    printf '%-6s %-22s %10s %10s %9s %8s %20s\n' "$eps" "renown OPIM-C ($threads thr)" "$t" "$(wall "$O.time")" "$(rss "$O.time")" "$sets" "$s"
  done
done
