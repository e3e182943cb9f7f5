"""The official clembench v2.0 leaderboard ships as figures: its table, and the characteristics that let
the paper's regression, brackets and placement run on it."""

from __future__ import annotations

import pytest

import parlour.analyze as pa
from parlour.analysis.placement import official_frame, place
from parlour.data import official_path
from parlour.scoring.clemscore import CLEMSCORE_COL, from_per_game, games_of, read_results_table

V2_GAMES = [
    "adventuregame", "codenames", "guesswhat", "imagegame", "matchit_ascii", "privateshared", "referencegame",
    "taboo", "textmapworld", "textmapworld_graphreasoning", "textmapworld_specificroom", "wordle",
    "wordle_withclue", "wordle_withcritic",
]  # fmt: skip


def test_the_table_has_32_pairs_and_14_games_and_its_overall_columns_follow_from_the_games():
    table = read_results_table(str(official_path("official:v2.0")))
    assert len(table) == 32 and games_of(table) == V2_GAMES
    # clemcore's aggregation (the same arithmetic as 1.6's) gives every published overall value
    recomputed = from_per_game(table)
    assert (recomputed - table[recomputed.columns]).abs().max().max() == 0
    assert table.loc["o3-mini-2025-01-31-t0.0--o3-mini-2025-01-31-t0.0", CLEMSCORE_COL] == 68.53


def test_the_regression_runs_on_v2_0_with_the_shipped_characteristics():
    fit = pa.regression(["official:v2.0"])
    line = "clemscore ~ ln_params: n = 21, F(1, 19) = 18.28, p = 0.00041, R² = 0.490, adj. R² = 0.464"
    assert fit.summary_line() == line
    sizes = official_frame("official:v2.0")["params_b"]
    assert sizes.notna().sum() == 24  # the open-weight models; proprietary ones and the mixed pair have none
    assert sizes["deepseek-v3-t0.0--deepseek-v3-t0.0"] == 671


def test_brackets_and_placement_run_on_v2_0():
    assert pa.brackets(["official:v2.0"])["n"].sum() == 24
    placement = place(official_frame("official:v2.0"), "official:v2.0")
    assert placement.fit.n == 24 and len(placement.already_official) == 32  # the table itself: no rows of yours
    assert placement.yours.empty


def test_an_unknown_official_table_names_the_known_ones():
    with pytest.raises(Exception, match="official:v2.0"):
        official_path("official:v3")
