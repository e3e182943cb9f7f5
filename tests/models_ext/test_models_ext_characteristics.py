"""The characteristics registry covers the paper's models and marks estimates."""

import pandas as pd

from parlour.data import official_path
from parlour.models.characteristics import FIELDS, characteristics_for, load_characteristics

PAPER53 = official_path("v1.6-paper53").parent


def test_every_model_of_the_paper_table_has_an_entry():
    table = pd.read_csv(PAPER53 / "results_v1.6_paper53.csv")
    names = [str(pair).split("--")[0] for pair in table.iloc[:, 0]]
    missing = [n for n in names if characteristics_for(n) is None]
    assert missing == []


def test_entries_are_complete_and_typed():
    rows = load_characteristics()
    assert len({r["name"] for r in rows}) == len(rows)
    for row in rows:
        assert set(row) == set(FIELDS)
        assert isinstance(row["open_weight"], bool), row["name"]
        assert set(row["estimated"]) <= set(FIELDS), row["name"]
        for field in row["estimated"]:
            assert row[field] is not None, f"{row['name']}: estimated {field} has no value"
        if row["params_b"] is not None:
            assert 0.1 <= row["params_b"] <= 1000, row["name"]  # DeepSeek-V3 has 671B
        if row["active_params_b"] is not None:
            assert row["active_params_b"] < row["params_b"], row["name"]
        assert set(row["sources"] or {}) <= set(FIELDS), row["name"]


def test_the_v2_0_leaderboard_has_sizes_with_sources_for_its_open_weight_models():
    table = pd.read_csv(official_path("v2.0"), index_col=0)
    players = [str(pair).split("--") for pair in table.index]
    single = [p[0].removesuffix("-t0.0") for p in players if p[0] == p[1]]
    entries = {name: characteristics_for(name) for name in single}
    assert [n for n, e in entries.items() if e is None] == []
    open_weight = {n: e for n, e in entries.items() if e["open_weight"]}
    assert len(open_weight) == 24 and len(entries) - len(open_weight) == 7
    for name, entry in open_weight.items():
        assert entry["params_b"] is not None and "params_b" in entry["sources"], name
        if entry["train_tokens_t"] is not None:
            assert "train_tokens_t" in entry["sources"], name
    closed = [e for e in entries.values() if not e["open_weight"]]
    assert all(e["params_b"] is None and e["train_tokens_t"] is None for e in closed)
    # a pair of two different models has no single size
    assert characteristics_for("Meta-Llama-3.1-8B-Instruct-bnb-4bit") is None


def test_lookup_by_pair_name_and_closed_models_have_no_size():
    llama = characteristics_for("Llama-3-70b-Instruct-t0.0--Llama-3-70b-Instruct-t0.0")
    assert llama["params_b"] == 70.6 and llama["train_tokens_t"] == 15 and llama["open_weight"] is True
    gpt4 = characteristics_for("gpt-4-0613")
    assert gpt4["params_b"] is None and gpt4["open_weight"] is False
    assert characteristics_for("codellama-34b-instruct-hf")["estimated"] == ["train_tokens_t"]
    assert characteristics_for("no-such-model") is None
