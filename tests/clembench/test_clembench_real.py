"""The default model at temperature 0 on clembench 2.0: parlour's bridge with episodes in flight gives the
records clemcore's own sequential runner gives calling the same parlour model one request at a time.

`smollm2-135m-serial` evaluates each prompt on its own, so its replies do not depend on which requests
share the engine; the batched `smollm2-135m` may differ in a nearly tied token (see the README).
One instance of the first experiment of each game, in two groups: seven games whose prompts are short
(imagegame, matchit_ascii, privateshared, referencegame, taboo, textmapworld, wordle) and six more
(codenames, guesswhat, the two textmapworld variants, the two wordle variants). adventuregame on its own,
with its first instance's turn limit lowered from 50 to 3 in a copy of its folder: the 135M model keeps its
format there, so an episode would play all 50 turns on prompts of thousands of tokens, minutes for each
runner on two cores (docs/clembench2.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from clem_support import (
    GAMES,
    clemcore_run,
    episode_files,
    first_experiments,
    in_tmp_path,  # noqa: F401 - autouse: each test in its own folder
    outcomes,
    require_clem,
)

import parlour
from parlour.models.loader import load_model
from parlour.models.registry import lookup
from parlour.models.weights.resolve import with_weights_digest

MODEL = "smollm2-135m-serial"
GROUPS = {
    "short": ["imagegame", "matchit_ascii", "privateshared", "referencegame", "taboo", "textmapworld", "wordle"],
    "more": [
        "codenames", "guesswhat", "textmapworld_graphreasoning", "textmapworld_specificroom", "wordle_withclue",
        "wordle_withcritic",
    ],
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("group", list(GROUPS))
def test_default_model_in_flight_equals_clemcore_one_at_a_time(group: str, tmp_path: Path) -> None:
    require_clem()
    games = GROUPS[group]
    experiments = first_experiments(games)
    summary = parlour.run(
        games, MODEL, results=tmp_path / "parlour", limit=1, experiments=experiments, concurrency=8,
        temperature=0.0, benchmark="clembench-2.0", games_dir=GAMES,
    )  # fmt: skip
    # the spec parlour's run records (its weights' sha256 included), so that the recorded model infos agree
    model = load_model(with_weights_digest(lookup(MODEL).with_generation(0.0, None)))
    reference = clemcore_run(games, model, tmp_path / "clemcore", 1, experiments)

    ours, theirs = episode_files(summary.folder), episode_files(reference)
    assert sorted(ours) == sorted(theirs)
    assert {name.split("/")[0] for name in ours} == set(games)
    assert [name for name in ours if ours[name] != theirs[name]] == []
    print(f"{summary.total} episodes; endings {outcomes(summary.folder)}")


ADVENTURE_TURNS = 3


def _adventuregame_of_few_turns(into: Path) -> Path:
    """A games folder holding a copy of adventuregame whose first experiment's first instance ends after
    ADVENTURE_TURNS turns (the game's code untouched; only that instance's `max_turns`)."""
    copy = into / "adventuregame"
    shutil.copytree(GAMES / "adventuregame", copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / "in" / "instances.json"
    file = json.loads(path.read_text(encoding="utf-8"))
    first = file["experiments"][0]
    first["game_instances"] = first["game_instances"][:1]
    first["game_instances"][0]["max_turns"] = ADVENTURE_TURNS
    file["experiments"] = [first]
    path.write_text(json.dumps(file), encoding="utf-8")
    return into


@pytest.mark.slow
def test_default_model_on_adventuregame_equals_clemcore_one_at_a_time(tmp_path: Path) -> None:
    require_clem()
    games = _adventuregame_of_few_turns(tmp_path / "games")
    summary = parlour.run(
        ["adventuregame"], MODEL, results=tmp_path / "parlour", temperature=0.0, benchmark="clembench-2.0",
        games_dir=games,
    )  # fmt: skip
    model = load_model(with_weights_digest(lookup(MODEL).with_generation(0.0, None)))
    reference = clemcore_run(["adventuregame"], model, tmp_path / "clemcore", 1, games_dir=games)

    ours, theirs = episode_files(summary.folder), episode_files(reference)
    assert sorted(ours) == sorted(theirs) and summary.total == 1
    assert [name for name in ours if ours[name] != theirs[name]] == []
    (interactions,) = summary.folder.rglob("interactions.json")
    replies = [
        event for turn in json.loads(interactions.read_text())["turns"] for event in turn
        if event["from"] == "Player 1"
    ]  # fmt: skip
    print(f"adventuregame: {len(replies)} replies; endings {outcomes(summary.folder)}")
    assert replies, "the model replied at least once"
