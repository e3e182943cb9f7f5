"""The settings of a run, in one object that the command line, the library API and a sweep all fill by name."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunOptions:
    """Where a run writes, which episodes it plays and how many at once.

    `temperature`/`max_tokens` override the specs' own where given (which default to clembench's 0.0 / 100;
    run.json's `generation` records which applied); they are applied when the players' specs are resolved.
    `model_args` set spec fields or sampling settings of every model named (recorded in its spec).
    `concurrency` defaults to the models' own limit; `limit` keeps the first N instances of each experiment.
    """

    results: Path = Path("results")
    instances: Path | None = None  # a clembench instances.json, or a folder with games/<game>/in/instances.json
    experiments: tuple[str, ...] | None = None  # only these experiments (None: all)
    limit: int | None = None
    concurrency: int | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    model_args: dict[str, Any] | None = None  # -M key=value: spec fields or sampling settings of every model
    benchmark: str = "clembench-1.6"  # or "clembench-2.0": clemcore plays the games of a clembench checkout
    games_dir: Path | None = None  # clembench-2.0's games folder (default: the setting PARLOUR_CLEMBENCH_GAMES)

    def __post_init__(self) -> None:
        # the API takes strings and lists where paths and tuples are meant: normalise once, here
        object.__setattr__(self, "results", Path(self.results))
        if self.instances is not None:
            object.__setattr__(self, "instances", Path(self.instances))
        if self.games_dir is not None:
            object.__setattr__(self, "games_dir", Path(self.games_dir))
        if self.experiments is not None:
            object.__setattr__(self, "experiments", tuple(self.experiments) or None)

    @classmethod
    def of(cls, options: RunOptions | None = None, **settings: Any) -> RunOptions:
        """`options` (or the defaults) with `settings` given by name replacing its fields; an unknown name is
        refused with the list of valid ones."""
        if options is not None and not isinstance(options, RunOptions):
            raise TypeError(f"options must be a RunOptions, not {type(options).__name__}: give settings by name")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise TypeError(f"unknown run setting(s) {', '.join(unknown)} (valid: {', '.join(sorted(known))})")
        return replace(options or cls(), **settings)

    @property
    def whole_games(self) -> bool:
        """Whether every experiment of the selected games is planned (no `experiments` filter)."""
        return not self.experiments

    def experiment_list(self) -> list[str] | None:
        return list(self.experiments) if self.experiments else None
