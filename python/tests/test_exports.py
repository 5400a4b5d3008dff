"""`renown graph export` read back the way analysts read it: GraphML by networkx and igraph, GEXF
by networkx and against the GEXF 1.3 schema (vendored in gexf-1.3/, see its README), the .npz by
scipy, the edge list by networkx. Every reading has renown's degrees and renown's own PageRank
(the `pagerank` and `engagement-pagerank` measures) within 1e-9 after normalising."""
import pathlib

import igraph
import networkx as nx
import numpy as np
import pytest
import scipy.sparse
from lxml import etree

SCHEMA = pathlib.Path(__file__).parent / "gexf-1.3" / "gexf.xsd"
# The graph and the renown measure that is PageRank on it.
PAGERANK_OF = {"follow": "pagerank", "engagement": "engagement-pagerank"}


def normalised(values):
    v = np.asarray(values, dtype=float)
    return v / v.sum()


def renown_scores(cli, store, measure, n):
    want = cli.json(store, "rank", "--by", measure, "--top", "0")
    scores = np.zeros(n)
    for row in want["rows"]:
        scores[row["id"]] = row["score"]
    return scores


@pytest.mark.parametrize("graph", ["follow", "engagement", "reshare"])
def test_every_format_reads_back_with_renowns_degrees_and_pagerank(store, cli, tmp_path, graph):
    matrix, accounts = store.graph(graph, to="scipy")
    n = matrix.shape[0]
    out_strength = np.asarray(matrix.sum(axis=1)).ravel()
    in_degree = np.diff(matrix.tocsc().indptr)
    files = {}
    for fmt in ["graphml", "gexf", "npz", "edgelist"]:
        files[fmt] = tmp_path / f"{graph}.{fmt}"
        cli(store, "graph", "export", "--graph", graph, "--format", fmt, str(files[fmt]))

    # igraph reads the GraphML; networkx reads GraphML, GEXF and the edge list.
    ig = igraph.Graph.Read_GraphML(str(files["graphml"]))
    by_id = {int(v["id"]): v.index for v in ig.vs}
    order = [by_id[i] for i in range(n)]
    readings = {
        "igraph graphml": (
            np.array(ig.strength(mode="out", weights="weight"))[order],
            np.array(ig.indegree())[order],
            np.array(ig.pagerank(weights="weight", damping=0.85, implementation="prpack"))[order],
        )
    }
    for label, g, key in [
        ("networkx graphml", nx.read_graphml(files["graphml"]), str),
        ("networkx gexf", nx.read_gexf(files["gexf"]), str),
    ]:
        assert g.number_of_nodes() == n, label
        pr = nx.pagerank(g, alpha=0.85, tol=1e-13, max_iter=10000)
        readings[label] = (
            np.array([g.out_degree(key(i), weight="weight") for i in range(n)]),
            np.array([g.in_degree(key(i)) for i in range(n)]),
            np.array([pr[key(i)] for i in range(n)]),
        )
    edges = nx.read_weighted_edgelist(files["edgelist"], create_using=nx.DiGraph, nodetype=int)
    assert edges.number_of_edges() == matrix.nnz
    assert {(u, v): w for u, v, w in edges.edges(data="weight")} == {
        (int(u), int(v)): w for u, v, w in zip(*matrix.nonzero(), matrix.data)
    }
    npz = scipy.sparse.load_npz(files["npz"])
    assert (npz != matrix).nnz == 0
    assert np.load(files["npz"])["account"].tolist() == [
        f"{p}:{i}" for p, i in zip(accounts["platform"].to_pylist(), accounts["native_id"].to_pylist())
    ]

    reference = readings["networkx graphml"][2]
    if graph in PAGERANK_OF:
        reference = renown_scores(cli, store, PAGERANK_OF[graph], n)
    if graph == "follow":
        # Followers is the follow graph's in-degree.
        assert np.array_equal(in_degree, renown_scores(cli, store, "followers", n))
    for label, (strength, indegree, pr) in readings.items():
        assert np.array_equal(strength, out_strength), label
        assert np.array_equal(indegree, in_degree), label
        assert np.abs(normalised(pr) - normalised(reference)).max() <= 1e-9, label


def test_the_gexf_export_is_valid_gexf_1_3(store, cli, tmp_path):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for graph in ["follow", "engagement"]:
        path = tmp_path / f"{graph}.gexf"
        cli(store, "graph", "export", "--graph", graph, "--format", "gexf", str(path))
        doc = etree.parse(str(path))
        assert schema.validate(doc), schema.error_log
    # The schema is not a check that cannot fail: an edge without a target is refused.
    doc.find(".//{http://gexf.net/1.3}edge").attrib.pop("target")
    assert not schema.validate(doc)


@pytest.mark.parametrize(
    "args",
    [
        ["rank", "--top", "0"],
        ["rank", "--by", "followers", "--top", "0"],
        ["compare"],
        ["audit", "--all"],
        ["cascades", "--top", "0"],
        ["cascades", "--accounts", "--top", "0"],
    ],
    ids=" ".join,
)
def test_long_tables_as_parquet_hold_what_their_csv_holds(store, cli, tmp_path, args):
    import io
    import subprocess

    import pandas as pd
    import pyarrow.parquet as pq

    path = tmp_path / "table.parquet"
    with open(path, "wb") as f:
        subprocess.run([cli.binary, "--db", store.path, *args, "--format", "parquet"], stdout=f, check=True)
    table = pq.read_table(path)
    want = pd.read_csv(io.StringIO(cli(store, *args, "--format", "csv").stdout), keep_default_na=False)
    assert table.column_names == list(want.columns)
    assert table.num_rows == len(want) > 0
    got = table.to_pandas()
    for column in want.columns:
        if pd.api.types.is_numeric_dtype(got[column]):
            # A number column with nulls reads back as floats with NaN; CSV leaves them empty.
            w = pd.to_numeric(want[column].replace("", float("nan"))).tolist()
            assert got[column].tolist() == pytest.approx(w, rel=1e-15, nan_ok=True), column
        else:
            g = ["" if v is None or v != v else str(v) for v in got[column].tolist()]
            assert g == [str(v) for v in want[column].tolist()], column
    if args[0] == "rank":
        # Types from the values: ranks are integers, earned scores floating point.
        assert str(table.schema.field("rank").type) == "int64"
        assert str(table.schema.field("score").type) == ("int64" if "followers" in args else "double")
