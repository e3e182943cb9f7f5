"""Scripted endings of the 14 clembench 2.0 games: for each game, replies that drive the first instance of
an experiment to one ending its master checks (win, loss, an abort for each rule violation, max turns).
One module per game folder lists its `ENDINGS`; test_clembench_endings.py plays each ending through
parlour's bridge and through clemcore's own sequential runner and compares the records."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Messages = list[dict[str, Any]]
Policy = Callable[[Messages], str]


@dataclass(frozen=True)
class Ending:
    """One way an episode of `game` ends. `policy(experiment, instance)` builds the replies (a pure function
    of the messages: the same in any order of calls) for the first instance of `experiment` (None: the
    game's first experiment); both are the dicts of the game's instances file. `outcome` is the flag the
    game's scorer sets (Success, Lose or Aborted); `shows`, when given, is text the episode's
    interactions.json must contain (the game's own message for this ending, so that the test knows the
    intended rule, not just any abort, was hit)."""

    game: str
    name: str
    outcome: str
    policy: Callable[[dict[str, Any], dict[str, Any]], Policy]
    experiment: str | None = None
    shows: str | None = None

    @property
    def id(self) -> str:
        return f"{self.game}:{self.name}"


def role_of(messages: Messages, markers: dict[str, str]) -> str:
    """Which player is asked: the role whose marker (text only its prompts hold) is in the first message."""
    first = str(messages[0]["content"])
    found = [role for role, marker in markers.items() if marker in first]
    if len(found) != 1:
        raise AssertionError(f"cannot tell the player from its first message ({found}): {first[:200]!r}")
    return found[0]


def turn(messages: Messages) -> int:
    """How many replies this player has given so far (0 on its first turn)."""
    return sum(1 for message in messages if message["role"] == "assistant")


def all_endings() -> list[Ending]:
    """Every module's ENDINGS, in module order."""
    endings: list[Ending] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        endings.extend(importlib.import_module(f"{__name__}.{module}").ENDINGS)
    return endings
