"""The one place where games are registered."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from parlour.errors import InstanceFileError, UnknownGameError, did_you_mean
from parlour.games.instances import ExperimentSchema, InstanceSchema, load_instances
from parlour.games.master import GameMaster
from parlour.games.scorer import GameScorer

# game name -> module exposing `GAME: GameSpec`
GAME_MODULES: dict[str, str] = {
    "taboo": "parlour.games.taboo",
    "wordle": "parlour.games.wordle",
    "wordle_withclue": "parlour.games.wordle.withclue",
    "wordle_withcritic": "parlour.games.wordle.withcritic",
    "privateshared": "parlour.games.privateshared",
    "imagegame": "parlour.games.imagegame",
    "referencegame": "parlour.games.referencegame",
}


@dataclass(frozen=True)
class GameSpec:
    """What the runner and scorer need to know about a game."""

    name: str
    description: str
    master: type[GameMaster]
    scorer: type[GameScorer]
    package: str  # the game's package; default instances at <package>/in/instances.json
    single_player: bool = False
    #: pydantic schemas that each experiment and instance of an instances file must satisfy
    experiment_schema: type[ExperimentSchema] = ExperimentSchema
    instance_schema: type[InstanceSchema] = InstanceSchema
    generator: Callable[..., dict[str, Any]] | None = field(default=None, compare=False)
    #: rebuilds the generator's word tables from their sources (needs the `generate` extra); returns the files
    rebuild_tables: Callable[[], list[Path]] | None = field(default=None, compare=False)
    #: experiment key through which the game learns where its instances' resource files are
    #: (clembench layout: games/<game>/in/instances.json next to games/<game>/resources/)
    resources_key: str | None = None

    @property
    def default_instances(self) -> Path:
        return Path(str(resources.files(self.package) / "in" / "instances.json"))

    def attach_resources(self, experiment: dict[str, Any], instances_file: Path) -> dict[str, Any]:
        """The experiment with the resources folder beside its instances file, if the game reads one."""
        if self.resources_key is None or self.resources_key in experiment:
            return experiment
        return {**experiment, self.resources_key: str(instances_file.resolve().parent.parent / "resources")}


def game_names() -> list[str]:
    return sorted(GAME_MODULES)


def get_game(name: str) -> GameSpec:
    if name not in GAME_MODULES:
        hint = did_you_mean(name, game_names())
        raise UnknownGameError(f"unknown game '{name}'{hint} (known: {', '.join(game_names())}, or 'all')")
    return importlib.import_module(GAME_MODULES[name]).GAME


def select_games(names: list[str]) -> list[GameSpec]:
    """Expand 'all' and check every name."""
    if "all" in names:
        return [get_game(n) for n in game_names()]
    return [get_game(n) for n in names]


def games_of_file(path: Path, exclude: str = "") -> list[str]:
    """The games (other than `exclude`) whose schemas accept an instances file: what a file refused by one
    game's schema probably is."""
    fits = []
    for name in game_names():
        if name == exclude:
            continue
        game = get_game(name)
        try:
            load_instances(path, game.experiment_schema, game.instance_schema, name)
        except InstanceFileError:
            continue
        fits.append(name)
    return fits
