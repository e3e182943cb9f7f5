"""Model names that a spreadsheet would run as formulas are written quoted in every CSV and read back
as they are."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from support.cli import parlour, write_registry

from parlour.analysis.loading import load_source


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
