"""The measures' parameters from a file (`renown.toml` beside the store, `--config FILE`) and
from Python: the same scores from both surfaces, echoed where they act, refused with the key named
when wrong."""
import shutil

import pytest

import renown
from test_renown import same

TOML = """
[earned]
half_life_days = 30
reciprocity_discount = 0.5
[earned.kind_weights]
mention = 0.1
"""
AS_DICT = {
    "earned": {"half_life_days": 30, "reciprocity_discount": 0.5, "kind_weights": {"mention": 0.1}},
}


def test_params_from_python_equal_the_cli_with_the_same_file(store, cli, tmp_path):
    config = tmp_path / "params.toml"
    config.write_text(TOML)
    tuned = renown.Store(store.path, params=AS_DICT)
    assert tuned.params["earned"]["half_life_days"] == 30
    assert tuned.params["earned"]["damping"] == 0.85  # not set: the default
    for by in ["earned"]:
        want = cli.json(store, "--config", str(config), "rank", "--by", by, "--top", "10")
        df = tuned.rank(by, top=10)
        got = [{k: (None if v is None or v != v else v) for k, v in r.items()} for r in df.to_dict("records")]
        same(got, want["rows"], by)
        assert want["parameters"]["source"] == str(config)
        assert df.attrs["parameters"]["source"] == "params"
        assert {k: v for k, v in want["parameters"].items() if k != "source"} == {
            k: v for k, v in df.attrs["parameters"].items() if k != "source"
        }
        # The parameters change the answer: the defaults rank differently.
        default = cli.json(store, "rank", "--by", by, "--top", "10")
        assert [r["score"] for r in default["rows"]] != [r["score"] for r in want["rows"]], by
    assert "parameters" not in cli.json(store, "--config", str(config), "rank", "--by", "followers", "--top", "1")
    account = store.rank("earned", top=1)["handle"][0]
    x = tuned.explain(account, months=0)
    assert x["params"]["half_life_days"] == 30 and x["params"]["reciprocity_discount"] == 0.5
    same(x, cli.json(store, "--config", str(config), "explain", account, "--months", "0"))


def test_renown_toml_beside_the_store_is_read_and_echoed(store, cli, tmp_path):
    copy = tmp_path / "copy.db"
    shutil.copy(store.path, copy)
    (tmp_path / "renown.toml").write_text(TOML)
    s = renown.Store(copy)
    assert s.params["source"] == str(tmp_path / "renown.toml")
    table = cli(s, "rank", "--top", "3").stdout.splitlines()
    assert table[0].startswith(f"parameters ({tmp_path / 'renown.toml'}): half-life 30 d, damping 0.85, γ 0.5"), table[0]
    assert "mention 0.1" in table[0]
    assert not cli(store, "rank", "--top", "3").stdout.startswith("parameters"), "no file, no echo line"
    want = cli.json(s, "rank", "--top", "5")
    same(s.rank(top=5).to_dict("records"), want["rows"])
    assert want["parameters"]["half_life_days"] == 30


@pytest.mark.parametrize(
    "text,key",
    [
        ("[earned]\nhalf_life_days = -1\n", "earned.half_life_days must be > 0, not -1"),
        ("[earned]\ndamping = 1.5\n", "earned.damping must be in [0, 1), not 1.5"),
        ("[pagerank]\ndamping = 1.5\n", "pagerank.damping must be in [0, 1), not 1.5"),
        ("[pagerank]\nalpha = 0.5\n", "unknown field `alpha`"),
        ("[hits]\ndamping = 0.5\n", "unknown field `hits`"),
        ("[earned.kind_weights]\nfollow = 2\n", "earned.kind_weights.follow: not an engagement kind"),
        ("[earned]\nhalf_life = 3\n", "unknown field `half_life`"),
    ],
)
def test_a_bad_config_is_refused_with_its_key_named_by_both(store, cli, tmp_path, text, key):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(renown.RenownError, match=key.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")) as e:
        renown.Store(store.path, config=config)
    out = cli(store, "--config", str(config), "rank", ok=False)
    assert out.returncode == 1
    assert out.stderr.strip() == f"renown: {e.value}"


def test_bad_params_from_python_name_the_key(store):
    with pytest.raises(renown.RenownError, match="params: earned.damping must be in"):
        renown.Store(store.path, params={"earned": {"damping": 1.0}})
    with pytest.raises(renown.RenownError, match="unknown field `halflife`"):
        renown.Store(store.path, params={"earned": {"halflife": 1}})


def test_pagerank_damping_compare_and_audit_follow_the_params_like_the_cli(store, cli, tmp_path):
    config = tmp_path / "params.toml"
    config.write_text(TOML + "[pagerank]\ndamping = 0.5\n")
    tuned = renown.Store(store.path, params={**AS_DICT, "pagerank": {"damping": 0.5}})
    assert tuned.params["pagerank"] == {"damping": 0.5}
    assert renown.Store(store.path).params["pagerank"] == {"damping": 0.85}
    want = cli.json(store, "--config", str(config), "rank", "--by", "pagerank", "--top", "10")
    assert want["parameters"]["damping"] == 0.5
    df = tuned.rank("pagerank", top=10)
    same([{k: (None if v is None or v != v else v) for k, v in r.items()} for r in df.to_dict("records")], want["rows"])
    default = cli.json(store, "rank", "--by", "pagerank", "--top", "10")
    assert [r["score"] for r in default["rows"]] != [r["score"] for r in want["rows"]]
    c = tuned.compare(["earned", "pagerank", "followers"])
    assert c["parameters"]["pagerank"]["damping"] == 0.5 and "followers" not in c["parameters"]
    cc = cli.json(store, "--config", str(config), "compare", "--by", "earned,pagerank,followers")
    same(c["rows"], cc["rows"])
    account = store.rank("earned", top=1)["handle"][0]
    a = tuned.audit(account)
    assert a["parameters"]["half_life_days"] == 30 and a["parameters"]["source"] == "params"
    ca = cli.json(store, "--config", str(config), "audit", account)
    assert ca["parameters"]["source"] == str(config)
    same({k: v for k, v in a.items() if k != "parameters"}, {k: v for k, v in ca.items() if k != "parameters"})
    assert a["earned"] != store.audit(account)["earned"], "the defaults give another earned figure"
