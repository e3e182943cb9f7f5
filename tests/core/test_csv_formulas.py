"""Model names that a spreadsheet would run as formulas are written quoted in every CSV and read back
as they are."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
from support.cli import parlour, write_registry

from parlour import store
from parlour.analysis.loading import load_source, read_raw


@pytest.mark.parametrize("name", ["=cmd", "+one", "-dash", "@at"])
def test_formula_names_are_quoted_in_csvs_and_read_back(tmp_path: Path, name: str) -> None:
    env = write_registry(tmp_path / "models.yaml", {"name": name, "backend": "programmatic", "options": {}})
    results = tmp_path / "results"
    run = parlour("run", "-g", "taboo", "-m", name, "-r", str(results), "--limit", "1", env=env)
    assert run.returncode == 0, run.stderr
    assert parlour("eval", "-r", str(results), "--n-boot", "10", env=env).returncode == 0
    pair = f"{name}-t0.0--{name}-t0.0"
    for table in ("raw.csv", "results.csv", "results_ci.csv"):
        with (results / table).open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert f"'{pair}" in cells, table
        assert not [c for c in cells if c.startswith(("=", "+", "@")) or c.startswith("-" + name[1:])], table
    assert set(load_source(results).raw["model"]) == {pair}  # parlour reads its own tables back unquoted


def test_names_that_differ_only_by_the_quote_stay_apart_through_raw_csv(tmp_path: Path) -> None:
    """A name that begins with an apostrophe is a name of its own, not a quoted formula: `=x` and `'=x`
    stay two models after raw.csv is written and read back (by report and analyze)."""
    entries = [{"name": name, "backend": "programmatic", "options": {}} for name in ("=x", "'=x")]
    env = write_registry(tmp_path / "models.yaml", *entries)
    results = tmp_path / "results"
    for models in (["=x"], ["'=x"], ["=x", "'=x"]):
        chosen = [part for name in models for part in ("-m", name)]
        run = parlour("run", "-g", "taboo", *chosen, "-r", str(results), "--limit", "1", env=env)
        assert run.returncode == 0, run.stderr
    assert parlour("eval", "-r", str(results), "--n-boot", "10", env=env).returncode == 0
    pairs = {"=x-t0.0--=x-t0.0", "'=x-t0.0--'=x-t0.0", "=x-t0.0--'=x-t0.0"}
    assert set(read_raw(results / "raw.csv")["model"]) == pairs  # what report and analyze read once settled
    loaded = load_source(results)
    assert set(loaded.raw["model"]) == pairs and set(loaded.table.index) == pairs
    assert loaded.raw.groupby("model")["episode"].nunique().to_dict() == dict.fromkeys(pairs, 1)


def test_a_raw_table_reads_back_as_it_was_written(tmp_path: Path) -> None:
    """Every text cell comes back as written: quotes, formulas, and texts pandas would otherwise take for
    a number or a missing value."""
    texts = ["=x", "'=x", "''=x", "'plain", "NA", "null", "007", "1.50", " spaced "]
    raw = pd.DataFrame(
        {
            "game": "taboo",
            "model": texts,
            "experiment": list(reversed(texts)),
            "episode": "episode_0",
            "metric": "Main Score",
            "value": [float(i) if i % 3 else math.nan for i in range(len(texts))],
        }
    )
    store.write_csv(raw, tmp_path / "raw.csv", tmp_path, index=False)
    pd.testing.assert_frame_equal(read_raw(tmp_path / "raw.csv"), raw)
