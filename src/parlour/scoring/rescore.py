"""`parlour score`: (re)compute scores.json for every episode under a clembench-layout results folder.

Only clembench 1.6 episodes are rescored: a clembench 2.0 run's scores.json were written by clemcore's own
game scorers (parlour does not reimplement 2.0's games), so they are counted and left as they are.

An episode whose interactions.json, instance file, experiment file, scores.json and scorer code are those
of its experiment's score cache (`parlour.scoring.cache`) is known to be scored already and is not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from parlour import store, textfiles
from parlour.data.benchmarks import CLEMBENCH_2_0, GAMES, pair_benchmark
from parlour.errors import LinkInResultsError, ParlourError, ResultsError
from parlour.games.episode import score_episode
from parlour.games.registry import GAME_MODULES, GameSpec, get_game
from parlour.scoring.cache import (
    ExperimentCache,
    InputsFact,
    NamedKey,
    digest,
    scorer_fingerprint,
)
from parlour.scoring.episodes import EpisodeDir, by_experiment, map_chunks, walk_episodes
from parlour.scoring.raw_table import episode_values, scores_fact

INSTANCE_FILES = ("instance.json", "instance.reconstructed.json")


@dataclass
class ScoringReport:
    scored: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    skipped_games: set[str] = field(default_factory=set)
    written: int = 0  # scores.json files created or changed (the others already held these scores)
    #: episodes of clembench 2.0 runs: clemcore's own scorers wrote their scores.json, which stays as it is
    scored_by_clemcore: int = 0

    def add(self, other: ScoringReport) -> None:
        self.scored += other.scored
        self.failed += other.failed
        self.written += other.written
        self.skipped_games |= other.skipped_games
        self.scored_by_clemcore += other.scored_by_clemcore


class _Experiment:
    """An experiment folder's config file (the first `experiment_*.json`), stat taken now, read when needed."""

    def __init__(self, folder: Path, game: GameSpec) -> None:
        self.game = game
        before = store.stamp_clock()
        files = sorted(folder.glob("experiment_*.json"))
        self.path = files[0] if files else None
        key = store.file_stamp(self.path) if self.path else None
        self.key: NamedKey | None = (self.path.name, key) if self.path and key else None
        # inputs facts need the file settled (a missing file is settled: the config is {})
        self.settled = self.path is None or (key is not None and store.settled(key, before))
        self._config: dict[str, Any] | None = None

    def config(self) -> dict[str, Any]:
        if self._config is None:
            self._config = store.read_json(self.path) if self.path else {}
        return self._config


def _instance_file(ep_dir: Path) -> tuple[Path, NamedKey]:
    """The instance file the scorer reads (the first of INSTANCE_FILES there) and its key."""
    for name in INSTANCE_FILES:
        key = store.file_stamp(ep_dir / name)
        if key is not None:
            return ep_dir / name, (name, key)
    raise ParlourError(f"{ep_dir}: no instance.json")


def _scores_file_holds(
    cache: ExperimentCache, ep_dir: Path, key: store.Stamp | None, expected: str, before: int
) -> bool:
    """Whether scores.json (stat `key`, taken after `before`) holds the bytes of digest `expected`: from its
    cached fact, or else read (and the fact recorded)."""
    fact = cache.scores(ep_dir.name, key)
    if fact is not None:
        return fact.digest == expected
    if key is None:
        return False
    path = ep_dir / store.SCORES
    try:  # no link followed: a linked scores.json is rewritten, which refuses the link
        data = textfiles.read_bytes(path, ResultsError, "JSON file", textfiles.MAX_JSON_BYTES, follow_links=False)
    except ResultsError:
        return False
    if digest(data) != expected:
        return False
    _record_scores(cache, ep_dir, key, data, before)
    return True


def _record_scores(cache: ExperimentCache, ep_dir: Path, key: store.Stamp, data: bytes, before: int) -> None:
    if not cache.active or not store.settled(key, before):
        return
    path = ep_dir / store.SCORES
    try:
        values: dict[str, float] | None = episode_values(path, textfiles.decode_json(data, path, ResultsError))
    except ResultsError:
        values = None
    cache.record(ep_dir.name, scores=scores_fact(key, data, values))


def _score_episode(
    results: Path,
    ep_dir: Path,
    interactions_key: store.Stamp,
    before: int,
    experiment: _Experiment,
    cache: ExperimentCache,
) -> bool:
    """Score one episode unless its cache says it is scored; whether scores.json was written. The stats
    of its files are taken after `before` (`store.settled`)."""
    instance_path, instance_key = _instance_file(ep_dir)
    scores_key = store.file_stamp(ep_dir / store.SCORES, follow_links=False)
    known = cache.inputs(ep_dir.name, interactions_key, instance_key)
    if known is not None and _scores_file_holds(cache, ep_dir, scores_key, known.scores_digest, before):
        return False
    interactions = store.read_json(ep_dir / store.INTERACTIONS)
    scores = score_episode(experiment.game, experiment.config(), store.read_json(instance_path), interactions)
    encoded = store.encode_json(scores)
    written = not _scores_file_holds(cache, ep_dir, scores_key, digest(encoded), before)
    if written:
        store.write_file(ep_dir / store.SCORES, encoded, results)
        cache.record(ep_dir.name, scores=None)
    inputs = (interactions_key, instance_key[1])
    if experiment.settled and all(store.settled(key, before) for key in inputs):
        fact = InputsFact(interactions=interactions_key, instance=instance_key, scores_digest=digest(encoded))
        cache.record(ep_dir.name, inputs=fact)
    else:
        cache.record(ep_dir.name, inputs=None)
    return written


def score_experiment(
    results: Path, game: GameSpec, episodes: Sequence[Path], scorer: str | None = None, whole: bool = True
) -> ScoringReport:
    """Score some episodes of one experiment folder with its score cache, and save the cache; `whole`:
    these are all its episode folders (the cache forgets the others). Failures are collected; a link in
    the results folder stops the whole command (LinkInResultsError), like any run's write."""
    report = ScoringReport()
    folder = episodes[0].parent
    cache = ExperimentCache.load(folder, scorer or scorer_fingerprint())
    experiment = _Experiment(folder, game)  # read once, not once per episode
    cache.use_experiment(experiment.key)
    for ep_dir in episodes:
        before = store.stamp_clock()
        interactions_key = store.file_stamp(ep_dir / store.INTERACTIONS)
        if interactions_key is None:
            continue  # not played (yet): nothing to score
        try:
            report.written += _score_episode(results, ep_dir, interactions_key, before, experiment, cache)
            report.scored.append(ep_dir)
        except LinkInResultsError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken episode must not stop the others
            cache.record(ep_dir.name, inputs=None, scores=None)
            report.failed.append((ep_dir, f"{type(exc).__name__}: {exc}"))
    if whole:
        cache.keep_only({ep_dir.name for ep_dir in episodes})
    cache.save(results)
    return report


def _score_chunk(results: Path, scorer: str, experiments: Sequence[Sequence[EpisodeDir]]) -> ScoringReport:
    """Score some experiments' episodes (in a worker process)."""
    report = ScoringReport()
    for episodes in experiments:
        report.add(score_experiment(results, get_game(episodes[0].game), [ep.path for ep in episodes], scorer))
    return report


def score_results(results: Path, game: str | None = None, workers: int | None = None) -> ScoringReport:
    """Write scores.json next to every interactions.json, using `workers` processes (default: every core);
    failures are collected, not fatal."""
    if not results.is_dir():
        raise ParlourError(f"{results}: results folder does not exist (or is not a folder)")
    if game is not None and game not in GAMES[CLEMBENCH_2_0]:
        get_game(game)  # unknown game: one-line error
    report = ScoringReport()
    known: list[EpisodeDir] = []
    benchmarks: dict[str, str] = {}
    for episode in walk_episodes(results, game):
        if episode.pair not in benchmarks:
            benchmarks[episode.pair] = pair_benchmark(results / episode.pair)
        if benchmarks[episode.pair] == CLEMBENCH_2_0:
            # parlour's scorers are clembench 1.6's: a 2.0 game of the same name has other rules
            report.scored_by_clemcore += 1
        elif episode.game in GAME_MODULES:
            known.append(episode)
        else:
            report.skipped_games.add(episode.game)
    if not known and not report.skipped_games and not report.scored_by_clemcore:
        raise ParlourError(f"{results}: no episodes to score (no <game>/<experiment>/episode_N folders)")
    score = partial(_score_chunk, results, scorer_fingerprint())
    for part in map_chunks(score, by_experiment(known), workers, weight=len):
        report.add(part)
    return report
