"""Playing and scoring one episode, independent of where its records are stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parlour.chat import Model
from parlour.games.registry import GameSpec


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
