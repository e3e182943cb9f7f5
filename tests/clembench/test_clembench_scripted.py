"""clembench 2.0 through parlour's bridge equals clemcore's own sequential runner, episode by episode:
the same replies (pure functions of the messages, so the order of calls does not matter) give the same
records (interactions, requests, instance, experiment, scores; timestamps aside) for
all 14 games, parlour playing 8 episodes at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from clem_support import (
    GAME_NAMES,
    GAMES,
    PolicyModel,
    clemcore_run,
    episode_files,
    in_tmp_path,  # noqa: F401 - autouse: each test in its own folder
    outcomes,
    require_clem,
)

import parlour
from parlour.runner.episodes import FAILED

LIMIT = 2  # instances per experiment


def invalid(messages: list[dict[str, Any]]) -> str:
    """A reply no game accepts: every game's abort (format violation) on the first turn."""
    return "hello"


def prompt_lines(messages: list[dict[str, Any]]) -> str:
    """A line of the last prompt, chosen by the turn: replies in the game's own formats and vocabulary
    (its examples and targets), so episodes go on for turns and reach the games' other endings."""
    lines = [line.strip() for line in str(messages[-1]["content"]).splitlines() if line.strip()]
    return lines[(7 * len(messages)) % len(lines)] if lines else "hello"


TEMPLATE = re.compile(r"\b([A-Za-z]{3,12}):\s*<[^>\n]*>")
WORDS = ["house", "crane", "apple", "table", "plant"]


def templates(messages: list[dict[str, Any]]) -> str:
    """The reply templates of the prompt (`CLUE: <...>`, `GUESS: <...>`) filled with a word that changes
    each turn: well-formed moves, so that taboo plays all its turns to a loss."""
    found = TEMPLATE.findall(str(messages[-1]["content"])) or TEMPLATE.findall(str(messages[0]["content"]))
    word = WORDS[sum(1 for m in messages if m["role"] == "assistant") % len(WORDS)]
    return "\n".join(f"{key}: {word}" for key in list(dict.fromkeys(found))[:2]) or word


@pytest.mark.parametrize("policy", [invalid, prompt_lines, templates], ids=["invalid", "prompt-lines", "templates"])
def test_bridge_equals_clemcore_sequential(policy: Any, tmp_path: Path) -> None:
    require_clem()
    model = PolicyModel(f"policy-{policy.__name__.replace('_', '-')}", policy)
    summary = parlour.run(
        GAME_NAMES, model, results=tmp_path / "parlour", limit=LIMIT, concurrency=8,
        benchmark="clembench-2.0", games_dir=GAMES,
    )  # fmt: skip
    reference = clemcore_run(GAME_NAMES, model, tmp_path / "clemcore", LIMIT)

    ours, theirs = episode_files(summary.folder), episode_files(reference)
    assert sorted(ours) == sorted(theirs)
    assert {name.split("/")[0] for name in ours} == set(GAME_NAMES)
    different = [name for name in ours if ours[name] != theirs[name]]
    assert different == []
    endings = outcomes(summary.folder)
    print(f"{policy.__name__}: {summary.total} episodes; endings {endings}")
    # every episode ends and is scored by its game: with the locked clemcore the games of these folders play
    # (clemcore 3.5 and later raise in wordle and privateshared; from 3.3.5 adventuregame goes unscored)
    assert "error" not in endings and summary.count(FAILED) == 0
