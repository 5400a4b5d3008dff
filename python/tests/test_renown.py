"""The Python package against the CLI on one store: the same rankings, explanations, audits,
event counts and graphs, the same error messages; Arrow, pandas, polars, DuckDB, scipy,
networkx and igraph all read what it returns."""
import ast
import math
import pathlib
import threading
import time

import duckdb
import igraph
import networkx as nx
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import renown


def same(got, want, path="", rel=1e-9):
    """Equal JSON trees, floats within `rel` (the CLI's own sums differ in the last digits from
    run to run: parallel reductions)."""
    if isinstance(want, float) or isinstance(got, float):
        assert got == pytest.approx(want, rel=rel, abs=1e-12), path
    elif isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), path
        for k in want:
            same(got[k], want[k], f"{path}.{k}", rel)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{path}[{i}]", rel)
    else:
        assert got == want, path


def test_rank_equals_the_cli_json_for_every_measure(store, cli):
    for by in ["earned", "followers", "reshares", "pagerank"]:
        want = cli.json(store, "rank", "--by", by, "--top", "0")
        df = store.rank(by)
        assert len(df) == want["total"] == len(want["rows"])
        assert df.attrs["measure"] == want["measure"]
        assert df.attrs["warnings"] == want["warnings"]
        got = [{k: (None if v is None or v != v else v) for k, v in r.items()} for r in df.to_dict("records")]
        same(got, want["rows"], by)


def test_rank_scopes_and_polars(store, cli):
    want = cli.json(store, "rank", "--by", "earned", "--as-of", "2024-06-30", "--top", "25")
    df = store.rank("earned", as_of="2024-06-30", top=25, to="polars")
    assert isinstance(df, pl.DataFrame)
    same(df.to_dicts(), want["rows"])


def test_explain_and_audit_equal_the_cli(store, cli):
    # One account: explain and audit run the whole earned computation several times over.
    top = store.rank("earned", top=1)
    for account in top["handle"]:
        same(store.explain(account, months=3), cli.json(store, "explain", account, "--months", "3"))
        want = cli.json(store, "audit", account)
        got = store.audit(account)
        for key in ["account", "followers", "suspicious", "quality", "quality_low", "suspicious_low"]:
            same(got[key], want[key], key)


def test_compare_cascades_dynamics_backtest_equal_the_cli(store, cli):
    same(store.compare(), cli.json(store, "compare"))
    cascades = store.cascades()
    assert cascades["rows"], "the demo has reshare cascades"
    same(cascades, cli.json(store, "cascades", "--top", "0"))
    same(store.cascades(by="virality", top=5), cli.json(store, "cascades", "--by", "virality", "--top", "5"))
    spreaders = store.cascades(accounts=True, top=10)
    assert [r["account"]["account"] for r in spreaders["rows"]] == [
        r["account"] for r in cli.json(store, "cascades", "--accounts", "--top", "10")
    ]
    same(store.dynamics(bootstrap=2, seed=3), cli.json(store, "dynamics", "--bootstrap", "2", "--seed", "3"))
    same(store.backtest(bootstrap=0), cli.json(store, "backtest", "--bootstrap", "0"))


def test_events_round_trip_through_duckdb_and_equal_the_parquet_export(store, cli, tmp_path):
    ev = store.events()
    assert isinstance(ev, pa.Table)
    stats = cli.json(store, "stats")
    assert ev.num_rows == stats["events"]
    counts = dict(duckdb.sql("SELECT kind, count(*) FROM ev GROUP BY kind").fetchall())
    assert counts == stats["by_kind"]
    cli(store, "export", "--format", "parquet", str(tmp_path / "e.parquet"))
    exported = pq.read_table(tmp_path / "e.parquet")
    assert exported.column_names == ev.column_names
    got = ev.set_column(1, "time", ev["time"].cast(pa.timestamp("ms", tz="UTC")))
    assert got.to_pylist() == exported.to_pylist()
    # pandas and polars take the table as it is.
    assert len(ev.to_pandas()) == len(pl.from_arrow(ev)) == ev.num_rows


def test_events_filters(store, cli):
    reshares = store.events(kinds=["reshare"], as_of="2024-06-30")
    assert set(reshares["kind"].to_pylist()) == {"reshare"}
    assert all(t.year < 2024 or (t.year, t.month) <= (2024, 6) for t in reshares["time"].to_pylist())
    with pytest.raises(renown.RenownError, match="unknown kind"):
        store.events(kinds=["retweet"])


def test_graphs_read_back_with_the_same_degrees_and_pagerank(store, cli, tmp_path):
    for graph in ["follow", "engagement", "reshare"]:
        matrix, accounts = store.graph(graph, to="scipy")
        n = matrix.shape[0]
        g = store.graph(graph, to="networkx")
        ig = store.graph(graph, to="igraph")
        out = tmp_path / f"{graph}.graphml"
        cli(store, "graph", "export", "--graph", graph, "--format", "graphml", str(out))
        from_file = nx.read_graphml(out)
        want_out = np.asarray(matrix.sum(axis=1)).ravel()
        assert [g.out_degree(i, weight="weight") for i in range(n)] == pytest.approx(want_out, abs=0)
        assert ig.strength(mode="out", weights="weight") == pytest.approx(want_out, abs=0)
        assert [from_file.out_degree(str(i), weight="weight") for i in range(n)] == pytest.approx(want_out, abs=0)
        assert [d for _, d in sorted(g.in_degree())] == ig.indegree()
        pr_nx = nx.pagerank(g, alpha=0.85, tol=1e-13, max_iter=10000)
        pr_ig = ig.pagerank(weights="weight", damping=0.85, implementation="prpack")
        pr_file = nx.pagerank(from_file, alpha=0.85, tol=1e-13, max_iter=10000)
        a = np.array([pr_nx[i] for i in range(n)])
        b = np.array(pr_ig)
        c = np.array([pr_file[str(i)] for i in range(n)])
        assert np.abs(a / a.sum() - b / b.sum()).max() <= 1e-9, graph
        assert np.abs(a / a.sum() - c / c.sum()).max() <= 1e-9, graph
        labels = [f"{p}:{i}" for p, i in zip(accounts["platform"].to_pylist(), accounts["native_id"].to_pylist())]
        assert [g.nodes[i]["account"] for i in range(n)] == labels == ig.vs["account"]
        assert [from_file.nodes[str(i)]["account"] for i in range(n)] == labels


def test_errors_carry_the_cli_messages(store, cli, tmp_path):
    missing = renown.Store(tmp_path / "none.db")
    with pytest.raises(renown.RenownError) as e:
        missing.rank()
    cli_err = cli(missing, "rank", ok=False)
    assert cli_err.returncode == 1
    assert cli_err.stderr.strip() == f"renown: {e.value}"
    with pytest.raises(renown.RenownError) as e:
        store.explain("@nobody-at-all")
    assert cli(store, "explain", "@nobody-at-all", ok=False).stderr.strip() == f"renown: {e.value}"
    with pytest.raises(renown.RenownError, match='measure "fame" does not exist'):
        store.rank("fame")
    with pytest.raises(renown.RenownError, match="not-a-date"):
        store.rank(as_of="not-a-date")


def test_ingest_reports_and_calls_progress(tmp_path, cli):
    src = renown.Store.demo(tmp_path / "src.db", seed=3, accounts=100)
    cli(src, "export", str(tmp_path / "ev.jsonl"))
    dst = renown.Store(tmp_path / "dst.db")
    calls = []
    (report,) = dst.ingest(tmp_path / "ev.jsonl", progress=lambda *a: calls.append(a))
    assert report["status"] == "clean"
    assert report["added"] == src.stats()["events"] == dst.stats()["events"]
    assert calls and calls[-1][2] > 0
    (again,) = dst.ingest([tmp_path / "ev.jsonl"])
    assert again["added"] == 0 and again["duplicate"] == report["added"]
    def boom(*_):
        raise KeyError("stop")
    with pytest.raises(KeyError):
        renown.Store(tmp_path / "other.db").ingest(tmp_path / "ev.jsonl", progress=boom)


def test_long_calls_release_the_gil(store):
    """Another Python thread runs while a long call works: with the GIL held it would stall
    for the whole call."""
    gaps = []
    done = threading.Event()

    def work():
        store.explain(account, months=24)
        done.set()

    account = store.rank("earned", top=1)["handle"][0]

    t = threading.Thread(target=work)
    start = time.perf_counter()
    t.start()
    last = time.perf_counter()
    while not done.is_set():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        time.sleep(0.001)
    t.join()
    elapsed = time.perf_counter() - start
    assert elapsed > 0.2, f"the call took {elapsed:.3f} s: too short to tell"
    assert max(gaps) < elapsed / 2, f"the main thread stalled {max(gaps):.3f} s of {elapsed:.3f} s"


def test_the_stub_types_every_public_method_with_a_docstring():
    package = pathlib.Path(renown.__file__).parent
    stub = ast.parse((package / "__init__.pyi").read_text())
    store_stub = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Store")
    typed = {n.name for n in store_stub.body if isinstance(n, ast.FunctionDef)}
    public = {name for name in vars(renown.Store) if not name.startswith("_")}
    assert public <= typed, public - typed
    for name in public:
        assert getattr(renown.Store, name).__doc__, name
    assert (package / "py.typed").exists()
