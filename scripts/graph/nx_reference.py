#!/usr/bin/env python3
"""networkx reference results for renown-graph's kernel tests.

Reads an edge list (`src dst [weight]`, dense ids) over nodes 0..n-1 and writes, into --out:
pagerank.txt, ppr.txt (when --seeds is given), hubs.txt, authorities.txt, in_degree.txt,
out_degree.txt (weighted by the summed edge weight; one float per node),
wcc.txt (component label per node: its smallest node id) and reciprocity.txt.

Parallel edges become one edge whose weight is the sum (renown's multigraph semantics); nodes
without edges are added, so dangling, isolated and self-loop cases match renown's.
Exit code 3 when networkx is missing, so the Rust test fails with a clear message.
"""
import argparse
import sys

try:
    import networkx as nx
except ImportError:  # pragma: no cover
    print("networkx is not installed (pip install networkx scipy numpy)", file=sys.stderr)
    sys.exit(3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edges", required=True)
    ap.add_argument("--nodes", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", default="")
    ap.add_argument("--hits", action="store_true")
    ap.add_argument("--tol", type=float, default=1e-13)
    a = ap.parse_args()

    g = nx.DiGraph()
    g.add_nodes_from(range(a.nodes))
    with open(a.edges) as f:
        for line in f:
            p = line.split()
            if not p or p[0].startswith("#"):
                continue
            u, v = int(p[0]), int(p[1])
            w = float(p[2]) if len(p) > 2 else 1.0
            if g.has_edge(u, v):
                g[u][v]["weight"] += w
            else:
                g.add_edge(u, v, weight=w)

    def dump(name, values):
        with open(f"{a.out}/{name}", "w") as f:
            f.write("\n".join(repr(float(x)) for x in values))
            f.write("\n")

    pr = nx.pagerank(g, alpha=0.85, tol=a.tol, max_iter=10000, weight="weight")
    dump("pagerank.txt", [pr[i] for i in range(a.nodes)])
    if a.seeds:
        seeds = [int(s) for s in a.seeds.split(",")]
        pers = {i: 0.0 for i in range(a.nodes)}
        for s in seeds:
            pers[s] = 1.0
        ppr = nx.pagerank(g, alpha=0.85, personalization=pers, tol=a.tol, max_iter=10000, weight="weight")
        dump("ppr.txt", [ppr[i] for i in range(a.nodes)])
    if a.hits:
        h, au = nx.hits(g, max_iter=100000, tol=1e-14)
        dump("hubs.txt", [h[i] for i in range(a.nodes)])
        dump("authorities.txt", [au[i] for i in range(a.nodes)])
    dump("in_degree.txt", [d for _, d in sorted(g.in_degree(weight="weight"))])
    dump("out_degree.txt", [d for _, d in sorted(g.out_degree(weight="weight"))])
    label = [0] * a.nodes
    for comp in nx.weakly_connected_components(g):
        m = min(comp)
        for v in comp:
            label[v] = m
    with open(f"{a.out}/wcc.txt", "w") as f:
        f.write("\n".join(str(x) for x in label) + "\n")
    with open(f"{a.out}/reciprocity.txt", "w") as f:
        f.write(repr(float(nx.overall_reciprocity(g)) if g.number_of_edges() else 0.0) + "\n")


if __name__ == "__main__":
    main()
