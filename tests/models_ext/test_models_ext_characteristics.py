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
            assert 0.1 <= row["params_b"] <= 200, row["name"]
        if row["active_params_b"] is not None:
            assert row["active_params_b"] < row["params_b"], row["name"]


def test_lookup_by_pair_name_and_closed_models_have_no_size():
    llama = characteristics_for("Llama-3-70b-Instruct-t0.0--Llama-3-70b-Instruct-t0.0")
    assert llama["params_b"] == 70.6 and llama["train_tokens_t"] == 15 and llama["open_weight"] is True
    gpt4 = characteristics_for("gpt-4-0613")
    assert gpt4["params_b"] is None and gpt4["open_weight"] is False
    assert characteristics_for("codellama-34b-instruct-hf")["estimated"] == ["train_tokens_t"]
    assert characteristics_for("no-such-model") is None
