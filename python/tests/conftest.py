"""Shared fixtures: one small demo store for the session, one Higgs store when the data is there,
and the `renown` binary to compare against (RENOWN_BIN, which scripts/test.sh sets; a missing
binary fails rather than skips)."""
import json
import os
import pathlib
import subprocess

import pytest

import renown

ROOT = pathlib.Path(__file__).resolve().parents[2]
HIGGS = ROOT.parent / "shared" / "data" / "higgs" / "higgs-activity_time.txt.gz"


def shared_data(path: pathlib.Path) -> pathlib.Path:
    """`path` under ../shared/data, or a skip that says why; with RENOWN_REQUIRE_DATA set (CI)
    a missing file fails instead, as in crates/testdata."""
    if path.exists():
        return path
    if os.environ.get("RENOWN_REQUIRE_DATA", "0") not in ("", "0"):
        pytest.fail(f"{path} is absent, and RENOWN_REQUIRE_DATA is set (CI always has ../shared)")
    pytest.skip(f"{path} is absent (the real datasets sit in ../shared/data beside the repository)")


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    return renown.Store.demo(tmp_path_factory.mktemp("demo") / "demo.db", seed=7, accounts=300)


@pytest.fixture(scope="session")
def higgs(tmp_path_factory):
    """The Higgs activity log (563,069 events), ingested once for the session through the package."""
    data = shared_data(HIGGS)
    s = renown.Store(tmp_path_factory.mktemp("higgs") / "higgs.db")
    (report,) = s.ingest(data)
    assert report["added"] == 563_069, report
    return s


@pytest.fixture(scope="session")
def cli():
    binary = os.environ.get("RENOWN_BIN")
    assert binary and os.path.exists(binary), "set RENOWN_BIN to the renown binary (scripts/test.sh does)"

    def run(store, *args, ok=True):
        out = subprocess.run(
            [binary, "--db", store.path, *args],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k not in ("RENOWN_DB", "RENOWN_CONFIG")},
        )
        if ok:
            assert out.returncode == 0, out.stderr
        return out

    def run_json(store, *args):
        return json.loads(run(store, *args, "--format", "json").stdout)

    run.json = run_json
    run.binary = binary
    return run
