"""The one builder of clembench's per-episode raw table (raw.csv) from a results folder.

clembench v1.6 (bencheval, spec §3): every `scores.json` below the results root contributes its `episode
scores` as rows (game, model, experiment, episode, metric, value), keyed by the last path parts, and each
episode that has an `Aborted` score gets one more row `Played = 1 - Aborted`.

Unlike clembench, a scores.json that cannot be used (not UTF-8, not JSON, not an object of numbers) does
not stop the evaluation: its episode is reported, like an episode without scores.json, and not counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parlour.errors import ResultsError
from parlour.runner import store
from parlour.scoring.clemscore import ABORTED, PLAYED, RAW_COLUMNS
from parlour.scoring.episodes import EpisodeDir, map_chunks, walk_episodes

Row = tuple[str, str, str, str, str, float]


@dataclass
class RawScores:
    """The raw table and the episodes it could not include."""

    table: pd.DataFrame
    unscored: list[Path] = field(default_factory=list)  # episode folders without scores.json
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (scores.json, why it was not used)


def episode_rows(scores_path: Path, game: str, model: str, experiment: str, episode: str) -> list[Row]:
    """The raw-table rows of one scores.json; ResultsError naming the file when it is not a scores file."""
    scores = store.read_json(scores_path)
    episode_scores = scores.get("episode scores", {}) if isinstance(scores, dict) else None
    if not isinstance(episode_scores, dict):
        raise ResultsError(f"{scores_path}: not a scores file (needs an object with an 'episode scores' object)")
    rows = []
    for metric, value in episode_scores.items():
        rows.append((game, model, experiment, episode, metric, _score(scores_path, metric, value)))
    if ABORTED in episode_scores:
        aborted = _score(scores_path, ABORTED, episode_scores[ABORTED])
        rows.append((game, model, experiment, episode, PLAYED, 1 - aborted))
    return rows


def _score(path: Path, metric: str, value: object) -> float:
    """A metric value as a float (null is NaN, as pandas reads it); anything else is refused."""
    if value is None:
        return math.nan
    if isinstance(value, bool | int | float):
        return float(value)
    raise ResultsError(f"{path}: episode score '{metric}' is {type(value).__name__} {value!r}, not a number")


def _read_chunk(episodes: Sequence[EpisodeDir]) -> RawScores:
    """The rows of some episodes (in a worker process), with the episodes that have no usable scores."""
    rows: list[Row] = []
    out = RawScores(pd.DataFrame())
    for ep in episodes:
        path = ep.path / store.SCORES
        if not path.is_file():
            if (ep.path / store.INSTANCE).is_file():  # an episode that was started but has no scores
                out.unscored.append(ep.path)
            continue
        try:
            rows += episode_rows(path, ep.game, ep.pair, ep.experiment, ep.path.name)
        except ResultsError as exc:
            out.unreadable.append((path, str(exc)))
    out.table = pd.DataFrame(rows, columns=RAW_COLUMNS)
    return out


def build_raw_table(results: Path, workers: int | None = None) -> RawScores:
    """clembench's long raw table of every episode under `results` (see the module docstring)."""
    parts = map_chunks(_read_chunk, list(walk_episodes(results)), workers)
    table = pd.concat([part.table for part in parts], ignore_index=True) if parts else pd.DataFrame()
    table = table.reindex(columns=RAW_COLUMNS)
    table["value"] = table["value"].astype(float)
    unscored = [path for part in parts for path in part.unscored]
    unreadable = [error for part in parts for error in part.unreadable]
    return RawScores(table, unscored, unreadable)
