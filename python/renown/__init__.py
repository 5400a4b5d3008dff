"""renown: measure earned influence in social media, from Python.

    import renown
    s = renown.Store("higgs.db")                 # or renown.Store.demo()
    s.ingest(["higgs-activity_time.txt.gz"])     # the run reports
    df = s.rank("earned", as_of="2012-07-04")    # pandas DataFrame (to="polars" for polars)
    ev = s.events()                              # a pyarrow Table, zero-copy to pandas/polars/DuckDB
    g = s.graph("engagement", to="networkx")     # or "scipy", "igraph"

Every call runs the same Rust code as the `renown` CLI, with the GIL released, and raises
`RenownError` with the CLI's message when it fails.
"""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Callable, Optional, Sequence, Union

from . import _renown
from ._renown import RenownError

__all__ = ["Store", "RenownError", "measures", "__version__"]
__version__ = _renown.__version__

AsOf = Union[str, int, None]


def measures() -> dict[str, str]:
    """The measures `Store.rank(by=...)` accepts, name -> description."""
    return dict(_renown.measures())


def _as_of(value: AsOf) -> Optional[str]:
    """A date ("2012-07-04", the end of that day UTC), an RFC 3339 instant, or UTC seconds."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"as_of must be a date string or UTC seconds, not {type(value).__name__}")
    return str(value)


def _strings(pa, d: dict, name: str, length: int):
    nulls = d[f"{name}_nulls"]
    validity = pa.py_buffer(d[f"{name}_valid"]) if nulls else None
    return pa.Array.from_buffers(
        pa.large_string(),
        length,
        [validity, pa.py_buffer(d[f"{name}_offsets"]), pa.py_buffer(d[f"{name}_data"])],
        null_count=nulls,
    )


class Store:
    """A renown store: one SQLite file. Every call reads one committed state of it."""

    def __init__(
        self,
        path: Union[str, os.PathLike],
        config: Union[str, os.PathLike, None] = None,
        params: Optional[dict] = None,
    ):
        """Opens (or names, for `ingest`) the store at `path`.

        The measures' parameters come from `config` (a TOML file, as the CLI's `--config`), else
        from `renown.toml` beside the store when there is one, else the defaults; `params`, a
        dict in the same shape (`{"earned": {"half_life_days": 90}}`), is applied on top. An unknown key or a value out of range raises RenownError
        naming the key. Every answer that computes a measure uses them; `rank`, `compare`, `explain`
        and `audit` echo them (`df.attrs["parameters"]`, `compare()["parameters"]`,
        `explain(...)["params"]`, `audit(...)["parameters"])."""
        self._inner = _renown.Store(
            os.fspath(path),
            None if config is None else os.fspath(config),
            None if params is None else json.dumps(params),
        )

    @property
    def params(self) -> dict:
        """The parameters the measures are computed with: `source` (the file or "params" they
        came from; None for the defaults), `earned` and `pagerank` (renown.toml's sections)."""
        return json.loads(self._inner.params)

    @property
    def path(self) -> str:
        """The store file."""
        return os.fspath(self._inner.path)

    def __repr__(self) -> str:
        return f"renown.Store({self.path!r})"

    @classmethod
    def demo(
        cls, path: Union[str, os.PathLike, None] = None, seed: int = 42, accounts: int = 3000
    ) -> "Store":
        """A new store holding `renown demo`'s simulated network (two years, `accounts` accounts).

        Without `path` it is made in a new temporary folder."""
        if path is None:
            path = os.path.join(tempfile.mkdtemp(prefix="renown-demo-"), "demo.db")
        return cls(_renown.demo(os.fspath(path), seed, accounts))

    def ingest(
        self,
        paths: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]],
        format: Optional[str] = None,
        strict: bool = False,
        progress: Optional[Callable[[int, Optional[int], int], Any]] = None,
    ) -> list[dict]:
        """Ingests files (the store is created if missing); one run report per file.

        `progress(bytes_read, total_bytes_or_None, records_read)` is called as the files are read."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        return json.loads(self._inner.ingest([os.fspath(p) for p in paths], format, strict, progress))

    def stats(self) -> dict:
        """Accounts, events by kind and platform, time span (as `renown stats --format json`)."""
        return json.loads(self._inner.stats())

    def rank(
        self,
        by: str = "earned",
        as_of: AsOf = None,
        topic: Optional[str] = None,
        platform: Optional[str] = None,
        top: int = 0,
        to: str = "pandas",
    ):
        """Accounts ranked by a measure, best first: the rows of `renown rank --format json`.

        Columns: id (dense account id, the graphs' node id), account (handle or platform:id), platform, native_id, handle, rank (competition
        ranks: ties share one), score, followers; top=0 returns every account. With pandas,
        `df.attrs` holds the measure, the scope, the total ranked, the scope's warnings and the
        measure's parameters (None for a measure that takes none; see `Store.params`)."""
        import pyarrow as pa

        d = self._inner.rank(by, _as_of(as_of), topic, platform, top)
        report = json.loads(d["header"])
        n = d["length"]

        def numbers(name, arrow_type):
            return pa.Array.from_buffers(arrow_type, n, [None, pa.py_buffer(d[name])])

        def scores(name):
            values = numbers(name, pa.float64())
            return values.cast(pa.int64()) if d[f"{name}_whole"] else values

        table = pa.table(
            {
                "id": numbers("id", pa.uint32()).cast(pa.int64()),
                "account": _strings(pa, d, "account", n),
                "platform": _strings(pa, d, "platform", n),
                "native_id": _strings(pa, d, "native_id", n),
                "handle": _strings(pa, d, "handle", n),
                "rank": numbers("rank", pa.uint32()).cast(pa.int64()),
                "score": scores("score"),
                "followers": scores("followers"),
            }
        )
        if to == "arrow":
            return table
        if to == "polars":
            import polars as pl

            return pl.from_arrow(table)
        if to != "pandas":
            raise ValueError(f'to must be "pandas", "polars" or "arrow", not {to!r}')
        df = table.to_pandas()
        for key in ["measure", "scope", "total", "warnings"]:
            df.attrs[key] = report[key]
        df.attrs["parameters"] = report.get("parameters")
        return df

    def compare(
        self,
        measures: Sequence[str] = (),
        as_of: AsOf = None,
        topic: Optional[str] = None,
        platform: Optional[str] = None,
        top_percent: Sequence[float] = (10.0, 1.0),
        per: str = "account",
    ) -> dict:
        """How the measures agree: Spearman and Kendall over all accounts and top sets. With
        `per="person"` every measure is computed over persons (accounts linked by `renown link`)
        and the correlations run over persons, as `renown compare --per person`."""
        return json.loads(
            self._inner.compare(
                list(measures), _as_of(as_of), topic, platform, list(top_percent), per
            )
        )

    def explain(
        self,
        account: str,
        as_of: AsOf = None,
        topic: Optional[str] = None,
        platform: Optional[str] = None,
        endorsers: int = 10,
        months: int = 12,
        per: str = "account",
    ) -> dict:
        """An account's earned influence decomposed: endorsers, kinds, months, trajectory. With
        `per="person"` (account may then be a linked person's name): the person's earned
        influence by endorsing person and by platform, as `renown explain --per person`."""
        return json.loads(
            self._inner.explain(account, _as_of(as_of), topic, platform, endorsers, months, per)
        )

    def audit(
        self,
        account: str,
        as_of: AsOf = None,
        platform: Optional[str] = None,
        min_reasons: int = 2,
        per: str = "account",
    ) -> dict:
        """The audit of an account's followers: suspicious ones and why, audience quality. With
        `per="person"`: the audiences of all the person's accounts together, followers counted
        as persons, as `renown audit --per person`."""
        return json.loads(self._inner.audit(account, _as_of(as_of), platform, min_reasons, per))

    def persons(
        self,
        by: str = "earned",
        as_of: AsOf = None,
        topic: Optional[str] = None,
        platform: Optional[str] = None,
        top: int = 0,
    ) -> dict:
        """Persons (accounts linked by `renown link`, each other account alone) ranked by a
        measure computed over persons: `renown rank --per person --format json` (top=0: all)."""
        return json.loads(self._inner.persons(by, _as_of(as_of), topic, platform, top))

    def offline(self, file: Union[str, os.PathLike]) -> dict:
        """Stores a CSV of offline figures (first column a linked person's name or an account,
        the others numeric measures), as `renown offline FILE`: what was stored, the columns left
        out, and the lines refused with their reason."""
        return json.loads(self._inner.offline(os.fspath(file)))

    def gap(
        self,
        offline: Optional[str] = None,
        as_of: AsOf = None,
        topic: Optional[str] = None,
        platform: Optional[str] = None,
        top: int = 10,
    ) -> dict:
        """Offline figures against earned influence over persons: the Theil–Sen line of log10
        earned on log10 offline, each person's gap, and the two lists (`renown gap --format
        json`; top persons each, 0 = all)."""
        return json.loads(self._inner.gap(offline, _as_of(as_of), topic, platform, top))

    def cascades(
        self,
        as_of: AsOf = None,
        topic: Optional[str] = None,
        platform: Optional[str] = None,
        min_size: int = 2,
        by: str = "size",
        top: int = 0,
        accounts: bool = False,
    ) -> dict:
        """Reshare cascades of at least `min_size` nodes, largest first (`by="virality"`: most
        person-to-person first); `top=0` lists all. As `renown cascades --format json`; with
        `accounts=True`, who starts and carries them (`renown cascades --accounts`)."""
        return json.loads(
            self._inner.cascades(_as_of(as_of), topic, platform, min_size, by, top, accounts)
        )

    def dynamics(
        self,
        as_of: AsOf = None,
        topic: Optional[str] = None,
        platform: Optional[str] = None,
        kinds: Optional[Sequence[str]] = None,
        period: str = "month",
        bootstrap: int = 100,
        seed: int = 42,
        top: int = 20,
        min_arrivals: int = 5,
    ) -> dict:
        """Rich-get-richer dynamics: the attachment kernel (α with a bootstrap interval), each
        account's fitness (`top` of them, 0 = all) and concentration per `period`, as
        `renown dynamics --format json`."""
        return json.loads(
            self._inner.dynamics(
                _as_of(as_of),
                topic,
                platform,
                None if kinds is None else list(kinds),
                period,
                bootstrap,
                seed,
                top,
                min_arrivals,
            )
        )

    def backtest(
        self,
        splits: Sequence[int] = (),
        horizon: Optional[int] = None,
        k: int = 100,
        measures: Sequence[str] = (),
        target: str = "distinct-engagers",
        bootstrap: int = 1000,
        seed: int = 1,
        platform: Optional[str] = None,
        per: str = "account",
    ) -> dict:
        """Every measure scored as of rolling-origin splits (UTC seconds; default three) against
        what happened after (`target`), as `renown backtest --format json`; `per="person"`
        scores persons (measures and target over persons, `renown backtest --per person`)."""
        return json.loads(
            self._inner.backtest(
                list(splits), horizon, k, list(measures), target, bootstrap, seed, platform, per
            )
        )

    def accounts(self):
        """Every account as a pyarrow Table (account = dense id, the graphs' node id)."""
        import pyarrow as pa

        d = self._inner.accounts()
        n = d["length"]
        return pa.table(
            {
                "account": pa.array(range(n), pa.uint32()),
                "platform": _strings(pa, d, "platform", n),
                "native_id": _strings(pa, d, "native_id", n),
                "handle": _strings(pa, d, "handle", n),
            }
        )

    def events(
        self,
        as_of: AsOf = None,
        kinds: Optional[Sequence[str]] = None,
        platform: Optional[str] = None,
        topic: Optional[str] = None,
    ):
        """The events as a pyarrow Table, with the columns of `renown export --format parquet`.

        Built from column buffers (no Python object per event); `.to_pandas()`,
        `polars.from_arrow(t)` and DuckDB (`duckdb.sql("SELECT ... FROM t")`) read it as is."""
        import pyarrow as pa
        import pyarrow.compute as pc

        d = self._inner.events(_as_of(as_of), None if kinds is None else list(kinds), platform, topic)
        a = self._inner.accounts()
        n, m = d["length"], a["length"]

        def bitmap(name):
            return pa.py_buffer(d[f"{name}_valid"]) if d[f"{name}_nulls"] else None

        actor = pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(d["actor"])])
        target = pa.Array.from_buffers(
            pa.uint32(), n, [bitmap("target"), pa.py_buffer(d["target"])], null_count=d["target_nulls"]
        )
        platform_names = _strings(pa, a, "platform", m)
        native = _strings(pa, a, "native_id", m)
        handles = _strings(pa, a, "handle", m)
        codes = pa.Array.from_buffers(pa.uint8(), n, [None, pa.py_buffer(d["kind"])])
        topics = pa.LargeListArray.from_arrays(
            pa.Array.from_buffers(pa.int64(), n + 1, [None, pa.py_buffer(d["topic_offsets"])]),
            _strings(pa, d, "topic_value", d["topic_count"]),
        )
        return pa.table(
            {
                "event_id": pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(d["event_id"])]),
                "time": pa.Array.from_buffers(
                    pa.timestamp("s", tz="UTC"),
                    n,
                    [bitmap("time"), pa.py_buffer(d["time"])],
                    null_count=d["time_nulls"],
                ),
                "platform": pc.take(platform_names, actor),
                "kind": pc.take(pa.array(_renown.kind_names(), pa.large_string()), codes),
                "actor_account": actor,
                "actor": pc.take(native, actor),
                "actor_handle": pc.take(handles, actor),
                "target_account": target,
                "target": pc.take(native, target),
                "target_handle": pc.take(handles, target),
                "item": _strings(pa, d, "item", n),
                "parent": _strings(pa, d, "parent", n),
                "topics": topics,
            }
        )

    def graph(
        self,
        graph: str = "engagement",
        as_of: AsOf = None,
        platform: Optional[str] = None,
        to: str = "scipy",
    ):
        """A graph snapshot: "follow" (follower -> followee), "engagement" (engager -> engaged,
        weighted by kind) or "reshare" (resharer -> author, one per reshare).

        to="scipy": `(matrix, accounts)`, a scipy.sparse CSR matrix over dense ids and the
        accounts Table naming its rows; to="networkx": a DiGraph; to="igraph": a directed Graph.
        Both carry `account` (platform:native_id) and `handle` node attributes and `weight` edges."""
        import numpy as np

        d = self._inner.graph(graph, _as_of(as_of), platform)
        n = d["nodes"]
        indptr = np.frombuffer(d["indptr"], dtype="<i8")
        indices = np.frombuffer(d["indices"], dtype="<i4")
        data = np.frombuffer(d["data"], dtype="<f8")
        accounts = self.accounts().slice(0, n)
        if to == "scipy":
            import scipy.sparse

            return scipy.sparse.csr_matrix((data, indices, indptr), shape=(n, n)), accounts
        names = [f"{p}:{i}" for p, i in zip(accounts["platform"].to_pylist(), accounts["native_id"].to_pylist())]
        handles = accounts["handle"].to_pylist()
        sources = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        if to == "networkx":
            import networkx as nx

            g = nx.DiGraph()
            g.add_nodes_from(
                (i, {"account": names[i], **({"handle": handles[i]} if handles[i] is not None else {})})
                for i in range(n)
            )
            g.add_weighted_edges_from(zip(sources.tolist(), indices.tolist(), data.tolist()))
            return g
        if to == "igraph":
            import igraph

            return igraph.Graph(
                n=n,
                edges=np.column_stack((sources, indices)).tolist(),
                directed=True,
                vertex_attrs={"account": names, "handle": handles},
                edge_attrs={"weight": data.tolist()},
            )
        raise ValueError(f'to must be "scipy", "networkx" or "igraph", not {to!r}')
