"""Shared fixtures: one small demo store for the session, and the `renown` binary to compare
against (RENOWN_BIN, which scripts/test.sh sets; a missing binary fails rather than skips)."""
import json
import os
import subprocess

import pytest

import renown


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    return renown.Store.demo(tmp_path_factory.mktemp("demo") / "demo.db", seed=7, accounts=300)


@pytest.fixture(scope="session")
def cli():
    binary = os.environ.get("RENOWN_BIN")
    assert binary and os.path.exists(binary), "set RENOWN_BIN to the renown binary (scripts/test.sh does)"

    def run(store, *args, ok=True):
        out = subprocess.run(
            [binary, "--db", store.path, *args],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "RENOWN_DB"},
        )
        if ok:
            assert out.returncode == 0, out.stderr
        return out

    def run_json(store, *args):
        return json.loads(run(store, *args, "--format", "json").stdout)

    run.json = run_json
    return run
