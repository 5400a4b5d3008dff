"""Persons from Python: `persons`, `explain`/`audit`/`compare`/`backtest` with per="person",
`offline` and `gap` answer exactly as the CLI does on one store whose accounts are linked."""
import pytest

import renown
from test_renown import same


@pytest.fixture(scope="module")
def linked(tmp_path_factory, cli):
    """A small demo store with its two top accounts by earned linked as one person, "Pat"."""
    d = tmp_path_factory.mktemp("persons")
    s = renown.Store.demo(d / "demo.db", seed=11, accounts=200)
    top = cli.json(s, "rank", "--top", "2")["rows"]
    rows = "".join(f"Pat,{r['platform']},{r['native_id']}\n" for r in top)
    (d / "people.csv").write_text("person,platform,handle\n" + rows)
    cli(s, "link", str(d / "people.csv"))
    return s, [r["account"] for r in top]


def test_persons_and_person_explain_equal_the_cli(linked, cli):
    s, accounts = linked
    board = s.persons()
    same(board, cli.json(s, "rank", "--per", "person", "--top", "0"))
    assert board["per"] == "person" and board["linked"] == 1
    # Every account a person, but the two linked ones one person.
    n = s.stats()["accounts"]
    assert board["total"] == n - 1
    same(s.persons(by="followers", top=5), cli.json(s, "rank", "--per", "person", "--by", "followers", "--top", "5"))
    pat = s.explain("Pat", per="person")
    same(pat, cli.json(s, "explain", "Pat", "--per", "person"))
    assert pat["label"] == "Pat" and len(pat["accounts"]) == 2
    # Any of Pat's accounts names Pat.
    assert s.explain(accounts[1], per="person")["label"] == "Pat"


def test_audit_compare_backtest_per_person_equal_the_cli(linked, cli):
    s, accounts = linked
    same(s.audit("Pat", per="person"), cli.json(s, "audit", "Pat", "--per", "person"))
    same(
        s.compare(["earned", "followers", "reshares"], per="person"),
        cli.json(s, "compare", "--per", "person", "--by", "earned,followers,reshares"),
    )
    bt = s.backtest(bootstrap=0, measures=["earned", "engagement"], per="person")
    same(bt, cli.json(s, "backtest", "--per", "person", "--bootstrap", "0", "--measures", "earned,engagement"))
    assert bt["per"] == "person"
    # Per person the two linked accounts are one.
    n = s.compare(["earned", "followers"])["accounts"]
    assert s.compare(["earned", "followers"], per="person")["accounts"] == n - 1


def test_offline_figures_and_the_gap_equal_the_cli(linked, cli, tmp_path):
    s, accounts = linked
    ranked = cli.json(s, "rank", "--top", "12")["rows"]
    lines = ["person,pageviews,title", "Pat,5000000,CEO"]
    lines += [f"{r['account']},{100 * (i + 1)}," for i, r in enumerate(ranked[2:])]
    lines.append("nobody-at-all,7,")
    f = tmp_path / "offline.csv"
    f.write_text("\n".join(lines) + "\n")
    report = s.offline(f)
    assert report["stored"] == 11
    assert report["measures"] == ["pageviews"]
    assert report["skipped_columns"] == ["title"]
    assert [r["line"] for r in report["refused"]] == [13]
    g = s.gap()
    same(g, cli.json(s, "gap"))
    assert g["offline_measure"] == "pageviews" and g["persons"] == 11
    assert g["fit"] is not None
    same(s.gap(offline="pageviews", top=0), cli.json(s, "gap", "--measure", "pageviews", "--top", "0"))


def test_a_wrong_per_is_refused_with_the_cli_message(linked):
    s, _ = linked
    for call in (lambda: s.compare(per="persons"), lambda: s.backtest(per="x"), lambda: s.audit("Pat", per="")):
        with pytest.raises(renown.RenownError, match="per must be account or person"):
            call()
