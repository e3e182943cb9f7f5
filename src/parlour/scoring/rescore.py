"""`parlour score`: (re)compute scores.json for every episode under a clembench-layout results folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parlour.errors import ParlourError
from parlour.games.episode import score_episode
from parlour.games.registry import GAME_MODULES, get_game
from parlour.runner import store

INSTANCE_FILES = ("instance.json", "instance.reconstructed.json")


@dataclass
class ScoringReport:
    scored: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    skipped_games: set[str] = field(default_factory=set)


def episode_dirs(results: Path, game: str | None = None) -> Iterator[tuple[str, Path]]:
    """(game, episode dir) for every episode with interactions.json: <pair>/<game>/<exp>/episode_<n>."""
    for interactions in sorted(results.glob(f"*/{game or '*'}/*/episode_*/{store.INTERACTIONS}")):
        yield interactions.parents[2].name, interactions.parent


def _experiment_config(exp_dir: Path) -> dict[str, Any]:
    files = sorted(exp_dir.glob("experiment_*.json"))
    return store.read_json(files[0]) if files else {}


def _instance(ep_dir: Path) -> dict[str, Any]:
    for name in INSTANCE_FILES:
        if (ep_dir / name).is_file():
            return store.read_json(ep_dir / name)
    raise ParlourError(f"{ep_dir}: no instance.json")


def score_results(results: Path, game: str | None = None) -> ScoringReport:
    """Write scores.json next to every interactions.json; failures are collected, not fatal."""
    if not results.is_dir():
        raise ParlourError(f"{results}: results folder does not exist")
    if game is not None:
        get_game(game)  # unknown game: one-line error
    report = ScoringReport()
    experiments: dict[Path, dict[str, Any]] = {}  # each experiment file is read once, not once per episode
    for game_name, ep_dir in episode_dirs(results, game):
        if game_name not in GAME_MODULES:
            report.skipped_games.add(game_name)
            continue
        try:
            interactions = store.read_json(ep_dir / store.INTERACTIONS)
            if ep_dir.parent not in experiments:
                experiments[ep_dir.parent] = _experiment_config(ep_dir.parent)
            scores = score_episode(get_game(game_name), experiments[ep_dir.parent], _instance(ep_dir), interactions)
            store.write_json(ep_dir / store.SCORES, scores)
            report.scored.append(ep_dir)
        except Exception as exc:  # noqa: BLE001 - a broken episode must not stop the others
            report.failed.append((ep_dir, f"{type(exc).__name__}: {exc}"))
    return report
