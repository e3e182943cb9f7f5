"""Playing and scoring one episode, independent of where its records are stored."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from parlour.games.registry import GameSpec
from parlour.models.base import Model


@dataclass
class EpisodeRecord:
    interactions: dict[str, Any]
    requests: list[dict[str, Any]]


def experiment_config(experiment: dict[str, Any]) -> dict[str, Any]:
    """The experiment dict without its instances (what game masters and scorers receive)."""
    return {k: v for k, v in experiment.items() if k != "game_instances"}


async def play_episode(
    game: GameSpec, experiment: dict[str, Any], instance: dict[str, Any], models: list[Model]
) -> EpisodeRecord:
    """Set up the game master with the instance, play to the end, return the records."""
    if len(models) == 1:
        models = [models[0], models[0]]  # self-play: both roles use the same model
    master = game.master(game.name, experiment_config(experiment), models)
    master.setup(**instance)
    await master.play()
    return EpisodeRecord(master.interactions, master.requests)


def score_episode(
    game: GameSpec, experiment: dict[str, Any], instance: dict[str, Any], interactions: dict[str, Any]
) -> dict[str, Any]:
    """scores.json content for one episode."""
    scorer = game.scorer(experiment_config(experiment), instance)
    return scorer.compute_scores(interactions)


def strip_volatile(value: Any) -> Any:
    """A copy without timestamps and call timings, for comparing records of two runs."""
    if isinstance(value, dict):
        return {
            k: strip_volatile(v)
            for k, v in value.items()
            if k not in ("timestamp", "clem_player", "call_start", "call_duration")
        }
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


def scores_equal(ours: Any, theirs: Any, tol: float = 1e-9) -> bool:
    """Deep equality of score dicts where NaN equals NaN, numbers compare with tolerance and
    turn keys may be int or str (JSON turns int keys into strings)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        a = {str(k): v for k, v in ours.items()}
        b = {str(k): v for k, v in theirs.items()}
        return a.keys() == b.keys() and all(scores_equal(a[k], b[k], tol) for k in a)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(scores_equal(x, y, tol) for x, y in zip(ours, theirs, strict=True))
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        if math.isnan(ours) or math.isnan(theirs):
            return math.isnan(ours) and math.isnan(theirs)
        return abs(ours - theirs) <= tol * max(1.0, abs(theirs))
    return ours == theirs
