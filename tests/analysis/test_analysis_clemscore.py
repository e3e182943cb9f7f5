"""clembench's aggregation (spec §3): official tables and hand-made raw tables."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parlour.data import official_path
from parlour.scoring import clemscore as cs

RESULTS = official_path("v1.6").parent  # the official tables as shipped with parlour


def _raw(rows: list[tuple]) -> pd.DataFrame:
    """Long raw table from (game, model, experiment, episode, aborted, main) tuples, Played derived."""
    out = []
    for game, model, exp, ep, aborted, main in rows:
        out.append((game, model, exp, ep, "Aborted", aborted))
        out.append((game, model, exp, ep, "Main Score", main))
        out.append((game, model, exp, ep, "Success", 0 if aborted else 1))
    return pd.DataFrame(out, columns=cs.RAW_COLUMNS)


@pytest.mark.parametrize(
    "name",
    ["results_v1.6.csv", "results_v1.6_later68.csv", "results_v1.6_paper53.csv", "results_v1.6_backends.csv"],
)
def test_overall_columns_reproduce_official_tables(name: str) -> None:
    table = cs.read_results_table(str(RESULTS / name))
    recomputed = cs.from_per_game(table)
    assert len(table) >= 4
    for column in cs.OVERALL_COLUMNS:
        pd.testing.assert_series_equal(table[column], recomputed[column], check_names=False)


def test_official_61_models() -> None:
    table = cs.read_results_table(str(RESULTS / "results_v1.6.csv"))
    assert len(table) == 61
    games = "imagegame privateshared referencegame taboo wordle wordle_withclue wordle_withcritic"
    assert cs.games_of(table) == games.split()


def test_aggregate_micro_within_game_macro_over_games() -> None:
    raw = _raw(
        [
            # taboo: 3 episodes over two experiments, one aborted -> played 66.67, quality mean(100, 50)
            ("taboo", "m", "0_high", "episode_0", 0, 100.0),
            ("taboo", "m", "0_high", "episode_1", 1, np.nan),
            ("taboo", "m", "1_low", "episode_0", 0, 50.0),
            # wordle: all played
            ("wordle", "m", "0_a", "episode_0", 0, 20.0),
            ("wordle", "m", "0_a", "episode_1", 0, 30.0),
        ]
    )
    table = cs.aggregate(raw)
    assert list(table.index) == ["m"]
    row = table.loc["m"]
    assert row["taboo, % Played"] == 66.67
    assert row["taboo, Quality Score"] == 75.0
    assert row["taboo, Quality Score (std)"] == round(float(np.std([100, 50], ddof=1)), 2)
    assert row["wordle, % Played"] == 100.0
    assert row["wordle, Quality Score"] == 25.0
    # macro over games of the rounded per-game values
    assert row[cs.AVG_PLAYED_COL] == round((66.67 + 100) / 2, 2)
    assert row[cs.AVG_QUALITY_COL] == 50.0
    assert row[cs.CLEMSCORE_COL] == round(83.34 / 100 * 50.0, 2)
    assert list(table.columns[:3]) == cs.OVERALL_COLUMNS
    assert list(table.columns[3:6]) == [
        "taboo, % Played",
        "taboo, Quality Score",
        "taboo, Quality Score (std)",
    ]


def test_all_aborted_game_has_nan_quality_but_counts_for_played() -> None:
    raw = _raw(
        [
            ("imagegame", "m", "0_x", "episode_0", 1, np.nan),
            ("imagegame", "m", "0_x", "episode_1", 1, np.nan),
            ("taboo", "m", "0_high", "episode_0", 0, 60.0),
        ]
    )
    row = cs.aggregate(raw).loc["m"]
    assert row["imagegame, % Played"] == 0.0
    assert math.isnan(row["imagegame, Quality Score"])
    assert math.isnan(row["imagegame, Quality Score (std)"])
    assert row[cs.AVG_PLAYED_COL] == 50.0
    assert row[cs.AVG_QUALITY_COL] == 60.0  # the NaN game is skipped
    assert row[cs.CLEMSCORE_COL] == 30.0


def test_missing_game_excluded_from_both_averages() -> None:
    raw = _raw(
        [
            ("taboo", "a", "0_high", "episode_0", 0, 100.0),
            ("wordle", "a", "0_w", "episode_0", 0, 20.0),
            ("taboo", "b", "0_high", "episode_0", 0, 40.0),
        ]
    )
    table = cs.aggregate(raw)
    assert list(table.index) == ["a", "b"]
    assert math.isnan(table.loc["b", "wordle, % Played"])
    assert table.loc["b", cs.AVG_PLAYED_COL] == 100.0
    assert table.loc["b", cs.AVG_QUALITY_COL] == 40.0
    assert table.loc["a", cs.AVG_QUALITY_COL] == 60.0


def test_single_episode_std_is_nan_and_played_metric_preferred() -> None:
    raw = _raw([("taboo", "m", "0_high", "episode_0", 0, 100.0)])
    # an explicit Played row (as clembench writes into raw.csv) wins over 1 - Aborted
    raw = pd.concat([raw, pd.DataFrame([("taboo", "m", "0_high", "episode_0", "Played", 1)], columns=cs.RAW_COLUMNS)])
    table = cs.aggregate(raw)
    assert math.isnan(table.loc["m", "taboo, Quality Score (std)"])
    assert table.loc["m", "taboo, % Played"] == 100.0


def test_roundtrip_through_csv_matches_clembench_layout(tmp_path: Path) -> None:
    raw = _raw([("taboo", "m", "0_high", "episode_0", 0, 100.0), ("taboo", "m", "0_high", "episode_1", 1, np.nan)])
    path = tmp_path / "results.csv"
    cs.aggregate(raw).to_csv(path)
    assert path.read_text().splitlines()[0].startswith(',"-, clemscore","all, Average % Played"')
    back = cs.read_results_table(str(path))
    assert back.loc["m", "taboo, % Played"] == 50.0


def test_missing_raw_column_is_a_clear_error() -> None:
    with pytest.raises(cs.ResultsError, match="metric"):
        cs.aggregate(pd.DataFrame({"game": [], "model": [], "experiment": [], "episode": [], "value": []}))
