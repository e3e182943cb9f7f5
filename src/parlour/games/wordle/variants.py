"""The three wordle games share one master and differ in their instances and Main Score rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parlour.games.registry import GameSpec
from parlour.games.wordle.master import WordleMaster
from parlour.games.wordle.schema import WordleExperiment, WordleInstance
from parlour.games.wordle.scorer import WordleScorer, WordleWithClueScorer, WordleWithCriticScorer

DEFAULT_SEED = 2026  # parlour.games.wordle.generator.DEFAULT_SEED (imported lazily, see below)


# The generator is imported on use: playing wordle does not load it.
def generate_wordle(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    from parlour.games.wordle.generator import generate_instances

    return generate_instances(seed, "wordle")


def generate_withclue(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    from parlour.games.wordle.generator import generate_instances

    return generate_instances(seed, "wordle_withclue")


def generate_withcritic(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    from parlour.games.wordle.generator import generate_instances

    return generate_instances(seed, "wordle_withcritic")


def rebuild_word_tables() -> list[Path]:
    from parlour.games.wordle.generator import rebuild_word_tables as rebuild

    return rebuild()


WORDLE = GameSpec(
    name="wordle",
    description="Guess a five-letter word in six attempts from green/yellow/red letter feedback.",
    master=WordleMaster,
    scorer=WordleScorer,
    package="parlour.games.wordle",
    single_player=True,
    experiment_schema=WordleExperiment,
    instance_schema=WordleInstance,
    generator=generate_wordle,
    rebuild_tables=rebuild_word_tables,
)

WORDLE_WITHCLUE = GameSpec(
    name="wordle_withclue",
    description="Wordle with a crossword-style clue for the target word.",
    master=WordleMaster,
    scorer=WordleWithClueScorer,
    package="parlour.games.wordle.withclue",
    single_player=True,
    experiment_schema=WordleExperiment,
    instance_schema=WordleInstance,
    generator=generate_withclue,
    rebuild_tables=rebuild_word_tables,
)

WORDLE_WITHCRITIC = GameSpec(
    name="wordle_withcritic",
    description="Wordle with a clue, where a critic player judges each guess before it is checked.",
    master=WordleMaster,
    scorer=WordleWithCriticScorer,
    package="parlour.games.wordle.withcritic",
    single_player=False,
    experiment_schema=WordleExperiment,
    instance_schema=WordleInstance,
    generator=generate_withcritic,
    rebuild_tables=rebuild_word_tables,
)
