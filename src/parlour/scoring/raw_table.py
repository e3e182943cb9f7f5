"""The one builder of clembench's per-episode raw table (raw.csv) from a results folder.

clembench v1.6 (bencheval, spec §3): every `scores.json` below the results root contributes its `episode
scores` as rows (game, model, experiment, episode, metric, value), keyed by the last path parts, and each
episode that has an `Aborted` score gets one more row `Played = 1 - Aborted`.

Unlike clembench, only the episodes that their pair's run.json plans are counted (when it records a plan for
their game): an experiment removed from the instances file, or instances beyond its current number, are
listed as outside the plan instead. A scores.json that cannot be used (not UTF-8, not JSON, no 'episode
scores' object, an aggregated score that is not a number) does not stop the evaluation: its episode is
reported, like an episode without scores.json, and not counted. An episode's scores come from its
experiment's score cache (`parlour.scoring.cache`) when its scores.json is the one cached, else from the file
(and are then cached).
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from parlour import store, textfiles
from parlour.errors import ResultsError
from parlour.scoring.cache import (
    MAX_METRICS,
    ExperimentCache,
    ScoresFact,
    digest,
    scorer_fingerprint,
)
from parlour.scoring.clemscore import ABORTED, MAIN_SCORE, PLAYED, RAW_COLUMNS
from parlour.scoring.episodes import EpisodeDir, by_experiment, map_chunks, walk_episodes, walk_names

Row = tuple[str, str, str, str, str, float]

#: the episode scores clembench's aggregation reads
AGGREGATED = (ABORTED, PLAYED, MAIN_SCORE)


@dataclass
class RawScores:
    """The raw table and the episodes it could not include."""

    table: pd.DataFrame
    unscored: list[Path] = field(default_factory=list)  # episode folders without scores.json
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (scores.json, why it was not used)
    outside_plan: list[Path] = field(default_factory=list)  # episode folders their run.json does not plan
    plans: list[Path] = field(default_factory=list)  # the run.json files whose plans chose the episodes


def episode_values(scores_path: Path, scores: Any) -> dict[str, float]:
    """The episode scores of one scores.json's content as floats; ResultsError naming the file when it is
    not a scores file."""
    episode_scores = scores.get("episode scores", {}) if isinstance(scores, dict) else None
    if not isinstance(episode_scores, dict):
        raise ResultsError(f"{scores_path}: not a scores file (needs an object with an 'episode scores' object)")
    # clembench 2.0 games also log descriptive episode scores (codenames: its experiment's name and variable);
    # clemeval keeps them as text and aggregates only Aborted and Main Score, so the raw table, which holds
    # numbers, leaves them out; the scores the aggregation reads must be numbers
    return {
        metric: _score(scores_path, metric, value)
        for metric, value in episode_scores.items()
        if metric in AGGREGATED or value is None or isinstance(value, bool | int | float)
    }


def value_rows(values: dict[str, float], game: str, model: str, experiment: str, episode: str) -> list[Row]:
    """The raw-table rows of one episode's scores."""
    rows = [(game, model, experiment, episode, metric, value) for metric, value in values.items()]
    if ABORTED in values:
        rows.append((game, model, experiment, episode, PLAYED, 1 - values[ABORTED]))
    return rows


def episode_rows(scores_path: Path, game: str, model: str, experiment: str, episode: str) -> list[Row]:
    """The raw-table rows of one scores.json; ResultsError naming the file when it is not a scores file."""
    values = episode_values(scores_path, store.read_json(scores_path))
    return value_rows(values, game, model, experiment, episode)


def _score(path: Path, metric: str, value: object) -> float:
    """A metric value as a float (null is NaN, as pandas reads it); anything else is refused."""
    if value is None:
        return math.nan
    if isinstance(value, bool | int | float):
        try:
            return float(value)
        except OverflowError:  # a JSON integer of hundreds of digits
            raise ResultsError(f"{path}: episode score '{metric}' is an integer too large for a number") from None
    raise ResultsError(f"{path}: episode score '{metric}' is {type(value).__name__} {value!r}, not a number")


def scores_fact(key: store.Stamp, data: bytes, values: dict[str, float] | None) -> ScoresFact:
    """The cache's fact about a scores.json read (as `data`, giving `values`) after a stat of `key`.
    JSON cannot hold an infinite value, and a fact holds at most MAX_METRICS of them: such an episode is
    read from its file each time, with the same result."""
    if values is not None and (
        len(values) > MAX_METRICS or not all(math.isfinite(v) or math.isnan(v) for v in values.values())
    ):
        values = None
    cached = None if values is None else {k: None if math.isnan(v) else v for k, v in values.items()}
    return ScoresFact(stat=key, digest=digest(data), values=cached)


def _cached_values(fact: ScoresFact) -> dict[str, float]:
    return {k: math.nan if v is None else v for k, v in (fact.values or {}).items()}


def _episode_rows(ep: EpisodeDir, labels: tuple[str, str, str], cache: ExperimentCache, out: RawScores) -> list[Row]:
    """The rows of one episode (`labels`: its game, model and experiment), from the cache when its
    scores.json is the one cached; the episode is noted in `out` when it has no usable scores."""
    name = ep.path.name
    before = store.stamp_clock()
    key = store.file_stamp(os.path.join(ep.path, store.SCORES))  # a Path only where one is needed: they cost
    if key is None:
        if (ep.path / store.INSTANCE).is_file():  # an episode that was started but has no scores
            out.unscored.append(ep.path)
        return []
    fact = cache.scores(name, key)
    if fact is not None and fact.values is not None:
        return value_rows(_cached_values(fact), *labels, name)
    path = ep.path / store.SCORES
    try:
        data, scores = store.read_json_bytes(path)
        values = episode_values(path, scores)
    except ResultsError as exc:
        out.unreadable.append((path, str(exc)))
        return []
    if cache.active and store.settled(key, before):
        cache.record(name, scores=scores_fact(key, data, values))
    return value_rows(values, *labels, name)


def _read_chunk(results: Path, scorer: str, experiments: Sequence[Sequence[EpisodeDir]]) -> RawScores:
    """The rows of some experiments' episodes (in a worker process), with the episodes that have no usable
    scores; each experiment's score cache is used and updated."""
    rows: list[Row] = []
    out = RawScores(pd.DataFrame())
    for episodes in experiments:
        first = episodes[0]
        labels = (first.game, first.pair, first.experiment)
        cache = ExperimentCache.load(first.path.parent, scorer)
        for ep in episodes:
            rows += _episode_rows(ep, labels, cache, out)
        cache.save(results)
    out.table = pd.DataFrame(rows, columns=RAW_COLUMNS)
    return out


def in_plan(episode: EpisodeDir, plan: dict[str, Any]) -> bool:
    experiments = plan.get(episode.game)
    if not isinstance(experiments, dict):
        return True  # a game run before parlour recorded plans: nothing to check it against
    planned = experiments.get(episode.experiment)
    if not episode.path.name.startswith("episode_"):
        return True  # clemcore's instance_<game id> folders: a plan counts parlour's episode numbers
    number = episode.path.name.removeprefix("episode_")
    return isinstance(planned, dict) and number.isdigit() and int(number) < planned.get("instances", 0)


def build_raw_table(results: Path, workers: int | None = None) -> RawScores:
    """clembench's long raw table of every planned episode under `results` (see the module docstring)."""
    plans: dict[Path, dict[str, Any] | None] = {}
    planned, outside = [], []
    for episode in walk_episodes(results):
        pair_dir = episode.path.parents[2]
        if pair_dir not in plans:
            plans[pair_dir] = store.recorded_plan(pair_dir)
        plan = plans[pair_dir]
        (planned if plan is None or in_plan(episode, plan) else outside).append(episode)
    read = partial(_read_chunk, results, scorer_fingerprint())
    parts = map_chunks(read, by_experiment(planned), workers, weight=len)
    table = pd.concat([part.table for part in parts], ignore_index=True) if parts else pd.DataFrame()
    table = table.reindex(columns=RAW_COLUMNS)
    table["value"] = table["value"].astype(float)
    unscored = [path for part in parts for path in part.unscored]
    unreadable = [error for part in parts for error in part.unreadable]
    used = [pair / store.RUN for pair, plan in plans.items() if plan is not None]
    return RawScores(table, unscored, unreadable, [ep.path for ep in outside], used)


#: raw.csv's sidecar: what raw.csv was built from, so that a later run or a cut raw.csv is noticed
RAW_SOURCES = "raw.csv.json"


def sources_fingerprint(results: Path) -> str | None:
    """A hash of the stamps (`store.file_stamp`: the freshness rule every derived file follows) of every
    scores.json and run.json under `results`; None when one of them changed too recently to tell a later
    change apart (`store.settled`), so that raw.csv built now is not taken as current later."""
    before = store.stamp_clock()
    digest = hashlib.sha256()
    files = ["/".join(names) + f"/{store.SCORES}" for names in walk_names(results)]
    files += [str(path.relative_to(results)) for path in sorted(results.glob(f"*/{store.RUN}"))]
    for relative in files:
        stamp = store.file_stamp(os.path.join(results, relative))
        if stamp is None:
            continue  # an episode without scores.json
        if not store.settled(stamp, before):
            return None
        digest.update(f"{relative}\0{stamp}\n".encode())
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    return textfiles.file_sha256(path, ResultsError, "raw table")


def record_raw_sources(results: Path, sources: str | None) -> None:
    """Write raw.csv's sidecar after raw.csv: the sources it was built from and its own hash."""
    store.write_json(
        results / RAW_SOURCES, {"sources": sources, "raw_csv_sha256": _file_sha256(results / "raw.csv")}, results
    )


def raw_csv_is_current(results: Path) -> bool:
    """Whether results/raw.csv may be read instead of the episodes: its sidecar says it was built from
    the scores.json and run.json files there now and it is whole; a raw.csv without a sidecar only when
    no episode is there to build it from (a folder holding a copied raw.csv)."""
    raw_csv = results / "raw.csv"
    if not raw_csv.is_file():
        return False
    try:
        recorded = store.read_json(results / RAW_SOURCES)
    except ResultsError:
        return next(walk_episodes(results), None) is None
    return (
        isinstance(recorded, dict)
        and isinstance(recorded.get("sources"), str)
        and recorded.get("sources") == sources_fingerprint(results)
        and recorded.get("raw_csv_sha256") == _file_sha256(raw_csv)
    )
