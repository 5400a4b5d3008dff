#!/usr/bin/env bash
# Influence maximization beside the reference IMM (Tang, Shi & Xiao 2015, the authors' C++ v1.1),
# side by side in one run: R-MAT from ../shared/bench/gen_graph.py, weighted cascade, IC, k = 50,
# each ε on one thread and two; both seed sets' expected spread by the same Monte Carlo
# simulator (renown simulate, 10,000 runs). The machine is shared, so the runs are interleaved
# (REPS rounds of: reference, renown 1 thread, renown 2 threads, per ε) and each line shows the
# median and every run's selection time, with the load average before each round.
# Peak RSS from /usr/bin/time -v.
#
# The reference is never part of this repository: build it outside, e.g. in /tmp/seeds/imm
#   (g++ -DDISCRETE src/imm.cpp -Wall -std=c++0x -O3 src/sfmt/SFMT.c -o imm_discrete)
# and point IMM at the binary. Usage:
#   IMM=/tmp/seeds/imm/imm_discrete PY=/tmp/seeds/venv/bin/python REPS=3 scripts/bench_im.sh [scale] [eps...]
# SIMS=0 skips the Monte Carlo comparison.
set -euo pipefail
SCALE=${1:-20}
shift || true
EPSILONS=${*:-0.5 0.2}
K=${K:-50}
SIMS=${SIMS:-10000}
REPS=${REPS:-3}
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
spread() { # seeds file -> "mean ± se"
  [ "$SIMS" -gt 0 ] || { echo -; return; }
  "$RENOWN" simulate --input "$G.el" --probabilities weighted-cascade --seeds "$1" --sims "$SIMS" \
    --format json | "$PY" -c "import json,sys; s=json.load(sys.stdin)['spread']; print('%.1f ± %.1f' % (s['mean'], s['std_error']))"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One run of each engine; times in $WORK/out/<engine>-<scale>-<eps>.times, one line per round.
imm_run() { # eps rep
  local O=$WORK/out/imm-$SCALE-$1-r$2
  /usr/bin/time -v "$IMM" -dataset "$G-imm/" -k "$K" -model IC -epsilon "$1" >"$O.log" 2>"$O.time"
  awk '/InfluenceMaximize\(Total Time\)/ {print $2}' "$O.log" >>"$WORK/out/imm-$SCALE-$1.times"
  sed -n 's/^g.seedSet=//p' "$O.log" | tr ' ' '\n' | grep -v '^$' >"$O.seeds"
}
renown_run() { # eps threads rep
  local O=$WORK/out/renown-$SCALE-$1-$2-r$3
  /usr/bin/time -v "$RENOWN" seeds --input "$G.el" --probabilities weighted-cascade --k "$K" \
    --epsilon "$1" --threads "$2" --format json --seeds-out "$O.seeds" >"$O.json" 2>"$O.time"
  "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print('%.3f' % r['seconds'])" "$O.json" \
    >>"$WORK/out/renown-$SCALE-$1-$2.times"
}

rm -f "$WORK"/out/*-"$SCALE"-*.times
for rep in $(seq 1 "$REPS"); do
  echo "round $rep: $(uptime)"
  for eps in $EPSILONS; do
    imm_run "$eps" "$rep"
    renown_run "$eps" 1 "$rep"
    renown_run "$eps" 2 "$rep"
  done
done
echo "after: $(uptime)"

printf '%-6s %-22s %9s %-26s %8s %9s %20s\n' eps engine median_s "runs (s)" RSS_MB rr_sets "spread(${SIMS} MC)"
for eps in $EPSILONS; do
  T=$WORK/out/imm-$SCALE-$eps.times
  O=$WORK/out/imm-$SCALE-$eps-r1
  printf '%-6s %-22s %9s %-26s %8s %9s %20s\n' "$eps" "IMM reference (1 thr)" "$(median <"$T")" "$(tr '\n' ' ' <"$T")" \
    "$(rss "$O.time")" - "$(spread "$O.seeds")"
  for threads in 1 2; do
    T=$WORK/out/renown-$SCALE-$eps-$threads.times
    O=$WORK/out/renown-$SCALE-$eps-$threads-r1
    sets=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['selection']['rr_sets'])" "$O.json")
    # Seeds do not depend on the thread count: simulate a set once.
    if [ "$threads" = 2 ] && cmp -s "$O.seeds" "$WORK/out/renown-$SCALE-$eps-1-r1.seeds"; then s="same seeds"; else s=$(spread "$O.seeds"); fi
    printf '%-6s %-22s %9s %-26s %8s %9s %20s\n' "$eps" "renown ($threads thr)" "$(median <"$T")" "$(tr '\n' ' ' <"$T")" \
      "$(rss "$O.time")" "$sets" "$s"
  done
done
