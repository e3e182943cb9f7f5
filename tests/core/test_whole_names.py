"""Names, numbers and flags that users copy are never cut in terminal output, at 80 or 120 columns: a table
leaves out columns it cannot fit (and says so) instead of cutting cells, and help pages name every flag and
value in full."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.cli import parlour, write_registry

from parlour import api

WIDTHS = ["80", "120"]


@pytest.mark.parametrize("columns", WIDTHS)
def test_games_lists_every_game_and_experiment_whole(columns: str) -> None:
    res = parlour("games", env={"COLUMNS": columns})
    assert res.returncode == 0, res.stderr
    assert "…" not in res.stdout and all(len(line) <= int(columns) for line in res.stdout.splitlines())
    cells = {cell.strip() for line in res.stdout.splitlines() for cell in line.split("│")}
    for game in api.games():
        assert game.name in cells
        assert set(game.experiments) <= cells, game.name


@pytest.mark.parametrize("columns", WIDTHS)
def test_help_names_every_flag_whole_with_readable_values(columns: str) -> None:
    res = parlour("report", "--help", env={"COLUMNS": columns})
    assert res.returncode == 0, res.stderr
    assert "-c, --characteristics PATH" in res.stdout and "--transcripts / --no-transcripts" in res.stdout
    assert "…" not in res.stdout and not re.search(r"<[a-z]+(\[|>| range)", res.stdout)
    run = parlour("run", "--help", env={"COLUMNS": columns}).stdout
    assert "-l, --max-tokens N" in run and "-t, --temperature NUMBER" in run and "--limit N" in run


@pytest.mark.parametrize("columns", WIDTHS)
def test_the_placement_and_the_run_summary_keep_names_and_numbers_whole(columns: str, tmp_path: Path) -> None:
    name = "tiny-breaker-with-a-long-registry-name"
    entry = {"name": name, "backend": "programmatic", "options": {"policy": "breaker"}}
    env = {**write_registry(tmp_path / "m.yaml", {**entry, "characteristics": {"params_b": 7.0}}), "COLUMNS": columns}
    run = parlour("run", "-g", "taboo", "-m", name, "--limit", "1", "-r", str(tmp_path / "r"), env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{name}-t0.0: 3 episodes")
    res = parlour("eval", "-r", str(tmp_path / "r"), "--compare", "official:v1.6", "--n-boot", "10", env=env)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "your models on official:v1.6" in line)
    placement = lines[start:]
    row = next(line for line in placement if name in line)  # the name, whole, on one line
    assert re.search(r"│\s+7\.00\s+│", row)  # the size whole, not split
    assert all(len(line) <= int(columns) for line in placement if "│" in line)
    if columns == "80":  # the columns that do not fit are left out, and named
        assert "not shown at 80 columns: predicted, residual" in " ".join(res.stderr.split())
    else:
        assert "8.21" in row  # the size line of the 49 official models with a size
