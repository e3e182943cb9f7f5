"""Names for the score columns an analysis can target, and their resolution on a joined frame."""

from __future__ import annotations

import pandas as pd

from parlour.errors import ResultsError
from parlour.scoring.clemscore import (
    AVG_PLAYED_COL,
    AVG_QUALITY_COL,
    CLEMSCORE_COL,
    games_of,
    played_col,
    quality_col,
)

ALIASES = {
    "clemscore": CLEMSCORE_COL,
    "played": AVG_PLAYED_COL,
    "% played": AVG_PLAYED_COL,
    "quality": AVG_QUALITY_COL,
}


def resolve_target(frame: pd.DataFrame, target: str) -> pd.Series:
    """The values of a target: clemscore, played, quality, a results.csv column, `<game>` (the game's
    played / 100 * quality, its own clemscore), `<game>:played` or `<game>:quality`."""
    low = target.strip().lower()
    if low in ALIASES:
        return frame[ALIASES[low]].astype(float).rename(target)
    if target in frame.columns:
        return frame[target].astype(float).rename(target)
    game, _, part = target.partition(":")
    if game in games_of(frame):
        if part in ("", "clemscore"):
            played = frame[played_col(game)].astype(float)
            return (played / 100 * frame[quality_col(game)].astype(float)).round(2).rename(target)
        if part in ("played", "quality"):
            column = played_col(game) if part == "played" else quality_col(game)
            return frame[column].astype(float).rename(target)
    known = ", ".join([*ALIASES, *games_of(frame)])
    raise ResultsError(f"unknown target '{target}' (use one of {known}, '<game>:played' or '<game>:quality')")


def overall(frame: pd.DataFrame) -> pd.DataFrame:
    """The three overall scores under short names: clemscore, played, quality."""
    return pd.DataFrame(
        {
            "clemscore": frame[CLEMSCORE_COL].astype(float),
            "played": frame[AVG_PLAYED_COL].astype(float),
            "quality": frame[AVG_QUALITY_COL].astype(float),
        },
        index=frame.index,
    )
