"""The worked example (python/examples/cha_comparison.py) runs as written on Higgs: its own
asserts check renown's compare against pandas, and it must write its plot."""
import os
import pathlib
import runpy

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "cha_comparison.py"


def test_the_cha_comparison_example_runs_and_writes_its_plot(higgs, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RENOWN_EXAMPLE_DB", higgs.path)
    monkeypatch.setenv("RENOWN_EXAMPLE_OUT", str(tmp_path))
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    plot = tmp_path / "cha_comparison.png"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plot.stat().st_size > 20_000
    printed = capsys.readouterr().out
    assert "563,069 events" in printed and "top-100 sets hold" in printed
