"""clembench v1.6 aggregation: episode scores (raw.csv) -> the results.csv score table.

The arithmetic follows spec §3 exactly, including its rounding at each stage:

* per (model, game): % Played = round(100 * mean(Played), 2), a micro-average over every episode that
  has scores; Quality Score = round(NaN-skipping mean(Main Score), 2), i.e. over non-aborted episodes;
  Quality Score (std) = round(sample std (ddof 1) of Main Score, 2);
* per model: Average % Played and Average Quality Score are the means over games of the *rounded*
  per-game values (NaN quality skipped), rounded to 2 dp; games without any scores for a model are absent;
* clemscore = round(Average % Played / 100 * Average Quality Score, 2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from parlour.errors import ResultsError
from parlour.textfiles import read_csv

RAW_COLUMNS = ["game", "model", "experiment", "episode", "metric", "value"]
EPISODE_KEYS = ["game", "model", "experiment", "episode"]
PLAYED = "Played"
ABORTED = "Aborted"
MAIN_SCORE = "Main Score"

# The statistics of the score table (and the `metric` values of the bootstrap CI table); ALL_GAMES stands
# for the averages over games.
PCT_PLAYED = "% Played"
QUALITY = "Quality Score"
QUALITY_STD = "Quality Score (std)"
CLEMSCORE = "clemscore"
ALL_GAMES = "all"

# results.csv columns, exactly as clembench names them
CLEMSCORE_COL = f"-, {CLEMSCORE}"
AVG_PLAYED_COL = f"{ALL_GAMES}, Average {PCT_PLAYED}"
AVG_QUALITY_COL = f"{ALL_GAMES}, Average {QUALITY}"
OVERALL_COLUMNS = [CLEMSCORE_COL, AVG_PLAYED_COL, AVG_QUALITY_COL]


def played_col(game: str) -> str:
    """results.csv column of a game's % Played."""
    return f"{game}, {PCT_PLAYED}"


def quality_col(game: str) -> str:
    """results.csv column of a game's Quality Score."""
    return f"{game}, {QUALITY}"


def std_col(game: str) -> str:
    """results.csv column of a game's Quality Score (std)."""
    return f"{game}, {QUALITY_STD}"


def is_overall_col(column: str) -> bool:
    """Whether a results.csv column is one of the averages over games (clemscore included)."""
    return column in OVERALL_COLUMNS


def check_raw(raw: pd.DataFrame) -> None:
    """Raise ResultsError when `raw` lacks a column of clembench's long raw table."""
    missing = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing:
        raise ResultsError(f"raw score table lacks column(s) {', '.join(missing)} (expected {RAW_COLUMNS})")


def episode_table(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per episode with columns game, model, experiment, episode, played (0/1), main (score or NaN).

    `Played` is taken from the table when present (clembench writes it into raw.csv) and otherwise
    derived as 1 - Aborted, as the v1.6 evaluation does.
    """
    check_raw(raw)
    sub = raw[raw["metric"].isin([PLAYED, ABORTED, MAIN_SCORE])]
    wide = sub.pivot_table(index=EPISODE_KEYS, columns="metric", values="value", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=[PLAYED, ABORTED, MAIN_SCORE])
    # pivot_table drops all-NaN groups; rebuild the episode list from every episode with any metric.
    keys = raw[EPISODE_KEYS].drop_duplicates()
    wide = keys.merge(wide.reset_index(), on=EPISODE_KEYS, how="left")
    played = pd.to_numeric(wide[PLAYED], errors="coerce")
    played = played.fillna(1 - pd.to_numeric(wide[ABORTED], errors="coerce"))
    out = wide[EPISODE_KEYS].copy()
    out["played"] = played
    out["main"] = pd.to_numeric(wide[MAIN_SCORE], errors="coerce")
    # Episodes with neither Played nor Aborted do not count for % Played (clembench has no row for them).
    return out.sort_values(EPISODE_KEYS, kind="stable").reset_index(drop=True)


def per_game(episodes: pd.DataFrame) -> pd.DataFrame:
    """Per (model, game) statistics from an `episode_table`: played, quality, std (rounded to 2 dp)."""
    grouped = episodes.groupby(["model", "game"], sort=True)
    table = pd.DataFrame(
        {
            "played": (100 * grouped["played"].mean()).round(2),
            "quality": grouped["main"].mean().round(2),
            "std": grouped["main"].std(ddof=1).round(2),
        }
    )
    return table.reset_index()


def overall(played: pd.DataFrame, quality: pd.DataFrame) -> pd.DataFrame:
    """Overall columns from wide per-game tables (rows = models, columns = games, rounded values).

    A NaN % Played marks a game the model has no scores for; it is excluded from both averages.
    """
    avg_played = _mean_in_game_order(played).round(2)
    avg_quality = _mean_in_game_order(quality.where(played.notna())).round(2)
    clemscore = (avg_played / 100 * avg_quality).round(2)
    return pd.DataFrame({CLEMSCORE_COL: clemscore, AVG_PLAYED_COL: avg_played, AVG_QUALITY_COL: avg_quality})


def _mean_in_game_order(values: pd.DataFrame) -> pd.Series:
    """Row means over the non-NaN values, summed left to right in column order: this reproduces every
    overall value of the official tables, while pandas' own row mean sums in another order that changed
    between pandas 2 and 3 (the last bit differs, which flips a rounding at .xx5)."""
    array = values.to_numpy(dtype=float)
    present = ~np.isnan(array)
    total = np.zeros(len(array))
    for column in range(array.shape[1]):
        total = total + np.where(present[:, column], array[:, column], 0.0)  # + 0.0 leaves a sum unchanged
    count = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(np.where(count > 0, total / np.maximum(count, 1), np.nan), index=values.index)


def from_per_game(table: pd.DataFrame) -> pd.DataFrame:
    """Recompute the overall columns of a results table from its per-game columns (same arithmetic)."""
    games = games_of(table)
    played = table[[played_col(g) for g in games]].set_axis(games, axis=1).astype(float)
    quality = table[[quality_col(g) for g in games]].set_axis(games, axis=1).astype(float)
    return overall(played, quality)


def games_of(table: pd.DataFrame) -> list[str]:
    """The games of a results table, alphabetically (from its `<game>, % Played` columns)."""
    suffix = played_col("")
    return sorted(c[: -len(suffix)] for c in table.columns if c.endswith(suffix) and not is_overall_col(c))


def aggregate(raw: pd.DataFrame) -> pd.DataFrame:
    """clembench's results.csv table from a long raw table (game, model, experiment, episode, metric, value).

    Rows are the model (pair directory) names, sorted; columns are the three overall columns, then per
    game (alphabetical) % Played, Quality Score, Quality Score (std). The index has no name so that
    `to_csv` writes clembench's unnamed first column.
    """
    episodes = episode_table(raw)
    episodes = episodes[episodes["played"].notna()]
    stats = per_game(episodes)
    games = sorted(stats["game"].unique())
    models = sorted(stats["model"].unique())
    wide = {name: stats.pivot(index="model", columns="game", values=name) for name in ("played", "quality", "std")}
    wide = {k: v.reindex(index=models, columns=games) for k, v in wide.items()}
    table = overall(wide["played"], wide["quality"])
    for game in games:
        table[played_col(game)] = wide["played"][game]
        table[quality_col(game)] = wide["quality"][game]
        table[std_col(game)] = wide["std"][game]
    table = table.reindex(
        columns=OVERALL_COLUMNS + [c for g in games for c in (played_col(g), quality_col(g), std_col(g))]
    )
    table.index = pd.Index(models, name=None, dtype=object)
    return table.astype(float)


def read_results_table(path: str) -> pd.DataFrame:
    """Read a clembench results.csv (first column = pair directory) as a float table indexed by model."""
    table = read_csv(Path(path), ResultsError, "results table", index_col=0)
    if CLEMSCORE_COL not in table.columns:
        raise ResultsError(f"{path}: not a clembench results table (no '{CLEMSCORE_COL}' column)")
    table.index = table.index.astype(str)
    table.index.name = None
    return table.apply(pd.to_numeric, errors="coerce").astype(float)


def nan_equal(a: float, b: float) -> bool:
    """Equality that treats two NaNs as equal (helper for comparisons of score tables)."""
    return bool((np.isnan(a) and np.isnan(b)) or a == b)
