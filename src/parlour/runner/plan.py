"""Which episodes a run consists of, in clembench's order (game, experiment, instance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parlour import store
from parlour.errors import InstanceFileError
from parlour.games.instances import load_instances, resolve_instances_file
from parlour.games.registry import GameSpec


@dataclass
class EpisodeTask:
    game: GameSpec
    experiment_index: int
    # out of the repr: an experiment holds all its instances, so a repr per task grows with the plan squared
    experiment: dict[str, Any] = field(repr=False)
    instance: dict[str, Any] = field(repr=False)
    episode: int
    directory: Path
    results: Path  # the results folder the directory is in: writes follow no link inside it
    instances_file: Path | None = None  # the file the instance was read from (its hash goes in run.json)

    @property
    def label(self) -> str:
        return f"{self.game.name}/{self.directory.parent.name}/{self.directory.name}"


def plan_episodes(
    games: list[GameSpec],
    results: Path,
    pair: str,
    instances: Path | None = None,
    experiments: list[str] | None = None,
    limit: int | None = None,
) -> list[EpisodeTask]:
    """All episodes to run; `limit` keeps the first N instances of each experiment."""
    tasks: list[EpisodeTask] = []
    matched: set[str] = set()
    for game in games:
        path = resolve_instances_file(game.name, instances, game.default_instances)
        data = load_instances(path, game.experiment_schema, game.instance_schema, game.name)
        for index, experiment in enumerate(data["experiments"]):
            if experiments and experiment["name"] not in experiments:
                continue
            matched.add(experiment["name"])
            experiment = game.attach_resources(experiment, path)
            exp_dir = store.experiment_dir(results, pair, game.name, index, experiment["name"])
            for episode, instance in enumerate(experiment["game_instances"][:limit]):
                tasks.append(
                    EpisodeTask(
                        game, index, experiment, instance, episode, store.episode_dir(exp_dir, episode), results, path
                    )
                )
    missing = [name for name in experiments or [] if name not in matched]
    if missing:
        raise InstanceFileError(f"experiment(s) {', '.join(missing)} not found in the selected games' instances")
    return tasks
