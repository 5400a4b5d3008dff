#!/usr/bin/env python3
"""Reads `renown graph export` files back with the tools analysts use, for crates/cli/tests/exports.rs.

    read_exports.py DIR STEM   # reads DIR/STEM.graphml, .gexf, .npz, .edgelist

Prints one JSON object: for each reader (networkx GraphML, igraph GraphML, networkx GEXF,
scipy .npz, networkx edge list) the node count, edge count, out- and in-degree and weighted
out-strength per node, PageRank (weighted, damping 0.85, solved to 1e-13) per node, and the
node attributes `account` and `handle` per node. Nodes are listed by their dense id (the files'
node ids). Exit code 3 when a package is missing, so the Rust test says what to install.
"""
import json
import sys

try:
    import igraph
    import networkx as nx
    import numpy as np
    import scipy.sparse
except ImportError as e:  # pragma: no cover
    print(f"{e.name} is not installed (pip install -r .ci/requirements.txt)", file=sys.stderr)
    sys.exit(3)


def from_networkx(g, n):
    assert not g.is_multigraph(), "parallel edges in the export"
    index = {v: int(v) for v in g.nodes}
    assert sorted(index.values()) == list(range(n)), "node ids are not 0..n-1"
    order = sorted(g.nodes, key=lambda v: index[v])
    pr = nx.pagerank(g, alpha=0.85, tol=1e-13, max_iter=10000, weight="weight")
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "out_degree": [g.out_degree(v) for v in order],
        "in_degree": [g.in_degree(v) for v in order],
        "out_strength": [g.out_degree(v, weight="weight") for v in order],
        "pagerank": [pr[v] for v in order],
        "account": [g.nodes[v].get("account") for v in order],
        "handle": [g.nodes[v].get("handle") for v in order],
    }


def from_igraph(g):
    names = g.vs["id"]
    assert [int(x) for x in names] == list(range(g.vcount())), "igraph reordered the nodes"
    pr = g.pagerank(weights="weight", damping=0.85, directed=True, implementation="prpack")
    handles = g.vs["handle"] if "handle" in g.vs.attributes() else [None] * g.vcount()
    return {
        "nodes": g.vcount(),
        "edges": g.ecount(),
        "out_degree": g.outdegree(),
        "in_degree": g.indegree(),
        "out_strength": g.strength(mode="out", weights="weight"),
        "pagerank": pr,
        "account": g.vs["account"],
        # igraph fills a missing string attribute with "".
        "handle": [h or None for h in handles],
    }


def from_npz(path):
    m = scipy.sparse.load_npz(path).tocsr()
    with np.load(path) as f:
        accounts = [str(x) for x in f["account"]]
        handles = [str(x) or None for x in f["handle"]]
    g = nx.from_scipy_sparse_array(m, create_using=nx.DiGraph)
    out = from_networkx(g, m.shape[0])
    out["account"], out["handle"] = accounts, handles
    return out


def main():
    d, stem = sys.argv[1], sys.argv[2]
    n = scipy.sparse.load_npz(f"{d}/{stem}.npz").shape[0]
    edgelist = nx.read_weighted_edgelist(f"{d}/{stem}.edgelist", create_using=nx.DiGraph, nodetype=int)
    edgelist.add_nodes_from(range(n))
    edgelist = nx.relabel_nodes(edgelist, {v: str(v) for v in edgelist.nodes})
    result = {
        "networkx_graphml": from_networkx(nx.read_graphml(f"{d}/{stem}.graphml"), n),
        "igraph_graphml": from_igraph(igraph.Graph.Read_GraphML(f"{d}/{stem}.graphml")),
        "networkx_gexf": from_networkx(nx.read_gexf(f"{d}/{stem}.gexf"), n),
        "scipy_npz": from_npz(f"{d}/{stem}.npz"),
        "networkx_edgelist": from_networkx(edgelist, n),
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
