"""`parlour score`: (re)compute scores.json for every episode under a clembench-layout results folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from parlour.errors import LinkInResultsError, ParlourError
from parlour.games.episode import score_episode
from parlour.games.registry import GAME_MODULES, get_game
from parlour.runner import store
from parlour.scoring.episodes import map_chunks, walk_episodes

INSTANCE_FILES = ("instance.json", "instance.reconstructed.json")


@dataclass
class ScoringReport:
    scored: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    skipped_games: set[str] = field(default_factory=set)
    written: int = 0  # scores.json files created or changed (the others already held these scores)


def _experiment_config(exp_dir: Path) -> dict[str, Any]:
    files = sorted(exp_dir.glob("experiment_*.json"))
    return store.read_json(files[0]) if files else {}


def _instance(ep_dir: Path) -> dict[str, Any]:
    for name in INSTANCE_FILES:
        if (ep_dir / name).is_file():
            return store.read_json(ep_dir / name)
    raise ParlourError(f"{ep_dir}: no instance.json")


def _score_chunk(results: Path, episodes: Sequence[tuple[str, Path]]) -> ScoringReport:
    """Score some episodes (in a worker process); scores.json is only rewritten when its content changes.
    A link in the results folder stops the whole command (LinkInResultsError), like any run's write."""
    report = ScoringReport()
    experiments: dict[Path, dict[str, Any]] = {}  # each experiment file is read once, not once per episode
    for game_name, ep_dir in episodes:
        if not (ep_dir / store.INTERACTIONS).is_file():
            continue  # not played (yet): nothing to score
        try:
            interactions = store.read_json(ep_dir / store.INTERACTIONS)
            if ep_dir.parent not in experiments:
                experiments[ep_dir.parent] = _experiment_config(ep_dir.parent)
            scores = score_episode(get_game(game_name), experiments[ep_dir.parent], _instance(ep_dir), interactions)
            report.written += store.write_json_if_changed(ep_dir / store.SCORES, scores, results)
            report.scored.append(ep_dir)
        except LinkInResultsError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken episode must not stop the others
            report.failed.append((ep_dir, f"{type(exc).__name__}: {exc}"))
    return report


def score_results(results: Path, game: str | None = None, workers: int | None = None) -> ScoringReport:
    """Write scores.json next to every interactions.json, using `workers` processes (default: every core);
    failures are collected, not fatal."""
    if not results.is_dir():
        raise ParlourError(f"{results}: results folder does not exist (or is not a folder)")
    if game is not None:
        get_game(game)  # unknown game: one-line error
    report = ScoringReport()
    known: list[tuple[str, Path]] = []
    for episode in walk_episodes(results, game):
        if episode.game in GAME_MODULES:
            known.append((episode.game, episode.path))
        else:
            report.skipped_games.add(episode.game)
    for part in map_chunks(partial(_score_chunk, results), known, workers):
        report.scored += part.scored
        report.failed += part.failed
        report.written += part.written
    return report
