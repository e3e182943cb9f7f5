"""Which episodes a run consists of, in clembench's order (game, experiment, instance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parlour import store
from parlour.errors import InstanceFileError, did_you_mean
from parlour.games.instances import load_instances, resolve_instances_file
from parlour.games.registry import GameSpec, games_of_file


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
    if instances is not None and instances.is_file() and len(games) > 1:
        raise InstanceFileError(
            f"{instances}: an instances file holds one game's instances, and {len(games)} games are selected; "
            "pick one game with -g, or give a folder laid out as games/<game>/in/instances.json"
        )
    tasks: list[EpisodeTask] = []
    matched: set[str] = set()
    available: list[str] = []
    for game in games:
        path = resolve_instances_file(game.name, instances, game.default_instances)
        data = _load(path, game)
        available += [e["name"] for e in data["experiments"] if e["name"] not in available]
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
        hint = did_you_mean(missing[0], available)
        raise InstanceFileError(
            f"experiment(s) {', '.join(missing)} not found in the selected games' instances{hint}; "
            f"they have: {', '.join(available)}"
        )
    return tasks


def _load(path: Path, game: GameSpec) -> dict[str, Any]:
    """The game's instances; a file its schema refuses that another game's accepts is named as that game's."""
    try:
        return load_instances(path, game.experiment_schema, game.instance_schema, game.name)
    except InstanceFileError as exc:
        others = games_of_file(path, exclude=game.name)
        if not others:
            raise
        raise InstanceFileError(
            f"{exc}; this looks like a {' or '.join(others)} instances file, not {game.name}'s"
        ) from None
