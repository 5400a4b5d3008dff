"""Types of the renown package (see renown/__init__.py for the docstrings)."""
import os
from typing import Any, Callable, Literal, Optional, Sequence, Union, overload

import igraph
import networkx
import pandas
import polars
import pyarrow
import scipy.sparse

__version__: str
AsOf = Union[str, int, None]

class RenownError(Exception):
    """An error from renown, with the message the CLI prints."""

def measures() -> dict[str, str]:
    """The measures `Store.rank(by=...)` accepts, name -> description."""

class Store:
    """A renown store: one SQLite file. Every call reads one committed state of it."""

    def __init__(
        self,
        path: Union[str, os.PathLike[str]],
        config: Union[str, os.PathLike[str], None] = ...,
        params: Optional[dict[str, dict[str, Any]]] = ...,
    ) -> None:
        """Opens the store; the measures' parameters from `config`, else renown.toml beside the
        store, else the defaults, with `params` (renown.toml's shape) on top."""
    @property
    def path(self) -> str:
        """The store file."""
    @property
    def params(self) -> dict[str, Any]:
        """The parameters the measures are computed with: source, earned, pagerank."""
    @classmethod
    def demo(
        cls, path: Union[str, os.PathLike[str], None] = ..., seed: int = ..., accounts: int = ...
    ) -> Store:
        """A new store holding `renown demo`'s simulated network."""
    def ingest(
        self,
        paths: Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]],
        format: Optional[str] = ...,
        strict: bool = ...,
        progress: Optional[Callable[[int, Optional[int], int], Any]] = ...,
    ) -> list[dict[str, Any]]:
        """Ingests files (the store is created if missing); one run report per file."""
    def stats(self) -> dict[str, Any]:
        """Accounts, events by kind and platform, time span (`renown stats --format json`)."""
    @overload
    def rank(
        self,
        by: str = ...,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        top: int = ...,
        to: Literal["pandas"] = ...,
    ) -> "pandas.DataFrame":
        """Accounts ranked by a measure (the rows of `renown rank --format json`)."""
    @overload
    def rank(
        self,
        by: str = ...,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        top: int = ...,
        *,
        to: Literal["polars"],
    ) -> "polars.DataFrame": ...
    @overload
    def rank(
        self,
        by: str = ...,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        top: int = ...,
        *,
        to: Literal["arrow"],
    ) -> pyarrow.Table: ...
    def compare(
        self,
        measures: Sequence[str] = ...,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        top_percent: Sequence[float] = ...,
        per: Literal["account", "person"] = ...,
    ) -> dict[str, Any]:
        """How the measures agree (`renown compare [--per person] --format json`)."""
    def explain(
        self,
        account: str,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        endorsers: int = ...,
        months: int = ...,
        per: Literal["account", "person"] = ...,
    ) -> dict[str, Any]:
        """An account's (or person's) earned influence decomposed (`renown explain [--per person]
        --format json`)."""
    def audit(
        self,
        account: str,
        as_of: AsOf = ...,
        platform: Optional[str] = ...,
        min_reasons: int = ...,
        per: Literal["account", "person"] = ...,
    ) -> dict[str, Any]:
        """The audit of an account's (or person's) followers (`renown audit ACCOUNT [--per person]
        --format json`)."""
    def persons(
        self,
        by: str = ...,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        top: int = ...,
    ) -> dict[str, Any]:
        """Persons ranked by a measure computed over persons (`renown rank --per person --format
        json`)."""
    def offline(self, file: Union[str, os.PathLike[str]]) -> dict[str, Any]:
        """Stores a CSV of offline figures (`renown offline FILE`): what was stored and refused."""
    def gap(
        self,
        offline: Optional[str] = ...,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        top: int = ...,
    ) -> dict[str, Any]:
        """Offline figures against earned influence, the translation gap (`renown gap --format
        json`)."""
    def cascades(
        self,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        min_size: int = ...,
        by: Literal["size", "virality"] = ...,
        top: int = ...,
        accounts: bool = ...,
    ) -> dict[str, Any]:
        """Reshare cascades (`renown cascades --format json`), or with accounts=True who starts
        and carries them."""
    def dynamics(
        self,
        as_of: AsOf = ...,
        topic: Optional[str] = ...,
        platform: Optional[str] = ...,
        kinds: Optional[Sequence[str]] = ...,
        period: Literal["day", "week", "month"] = ...,
        bootstrap: int = ...,
        seed: int = ...,
        top: int = ...,
        min_arrivals: int = ...,
    ) -> dict[str, Any]:
        """Rich-get-richer dynamics (`renown dynamics --format json`)."""
    def backtest(
        self,
        splits: Sequence[int] = ...,
        horizon: Optional[int] = ...,
        k: int = ...,
        measures: Sequence[str] = ...,
        target: str = ...,
        bootstrap: int = ...,
        seed: int = ...,
        platform: Optional[str] = ...,
        per: Literal["account", "person"] = ...,
    ) -> dict[str, Any]:
        """Every measure scored against what happened after (`renown backtest [--per person]
        --format json`)."""
    def accounts(self) -> pyarrow.Table:
        """Every account (account = dense id, the graphs' node id)."""
    def events(
        self,
        as_of: AsOf = ...,
        kinds: Optional[Sequence[str]] = ...,
        platform: Optional[str] = ...,
        topic: Optional[str] = ...,
    ) -> pyarrow.Table:
        """The events, with the columns of `renown export --format parquet`."""
    @overload
    def graph(
        self,
        graph: Literal["follow", "engagement", "reshare"] = ...,
        as_of: AsOf = ...,
        platform: Optional[str] = ...,
        to: Literal["scipy"] = ...,
    ) -> tuple["scipy.sparse.csr_matrix", pyarrow.Table]:
        """A graph snapshot as a scipy CSR matrix and the accounts naming its rows."""
    @overload
    def graph(
        self,
        graph: Literal["follow", "engagement", "reshare"] = ...,
        as_of: AsOf = ...,
        platform: Optional[str] = ...,
        *,
        to: Literal["networkx"],
    ) -> "networkx.DiGraph": ...
    @overload
    def graph(
        self,
        graph: Literal["follow", "engagement", "reshare"] = ...,
        as_of: AsOf = ...,
        platform: Optional[str] = ...,
        *,
        to: Literal["igraph"],
    ) -> "igraph.Graph": ...
