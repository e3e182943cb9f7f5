"""Input errors that say what the input is and what would work: another game's instances file, one file for
many games, an unknown experiment, a mistyped name; p-values that read `< 0.001` rather than 0.00."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import parlour

from parlour.games.registry import get_game

TABOO = get_game("taboo").default_instances


def _error(*args: str, tmp_path: Path) -> str:
    res = parlour(*args, "-r", str(tmp_path / "r"), env={"COLUMNS": "300"})
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "r").exists()
    return " ".join(res.stderr.split())


def test_another_games_instances_file_is_named(tmp_path: Path) -> None:
    err = _error("run", "-g", "wordle", "-m", "programmatic:breaker", "-i", str(TABOO), tmp_path=tmp_path)
    assert "missing field 'common_config'" in err and "looks like a taboo instances file, not wordle's" in err


def test_one_file_for_every_game_is_refused(tmp_path: Path) -> None:
    err = _error("run", "-g", "all", "-m", "programmatic:breaker", "-i", str(TABOO), tmp_path=tmp_path)
    assert "holds one game's instances, and 7 games are selected" in err
    assert "games/<game>/in/instances.json" in err


def test_an_unknown_experiment_lists_the_valid_ones(tmp_path: Path) -> None:
    err = _error("run", "-g", "taboo", "-m", "programmatic:breaker", "-e", "high", tmp_path=tmp_path)
    assert "(did you mean 'high_en'?)" in err and "they have: high_en, medium_en, low_en" in err


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (("run", "-g", "wordel", "-m", "programmatic:breaker"), "wordle"),
        (("run", "-g", "taboo", "-m", "smollm-135m"), "smollm2-135m"),
    ],
)
def test_a_mistyped_name_gets_the_nearest_one(args: tuple[str, ...], suggestion: str, tmp_path: Path) -> None:
    assert f"(did you mean '{suggestion}'?)" in _error(*args, tmp_path=tmp_path)


def test_a_mistyped_analysis_gets_the_nearest_one() -> None:
    from parlour.analysis.registry import run_analysis
    from parlour.errors import ParlourError

    with pytest.raises(ParlourError, match=r"unknown analysis 'regresion' \(did you mean 'regression'\?\)"):
        run_analysis("regresion", ["official:v1.6"])


def test_regression_p_values_below_a_thousandth_read_so() -> None:
    res = parlour("analyze", "regression", "-r", "official:v1.6-later68", "--tokens", env={"COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    row = next(line for line in res.stdout.splitlines() if line.startswith("│ ln_params"))
    assert "< 0.001" in row and " 0.00 " not in row
