"""The default model at temperature 0 on clembench 2.0: parlour's bridge with episodes in flight gives the
records clemcore's own sequential runner gives calling the same parlour model one request at a time.

`smollm2-135m-serial` evaluates each prompt on its own, so its replies do not depend on which requests
share the engine; the batched `smollm2-135m` may differ in a nearly tied token (see the README).
One instance of the first experiment of each game, in two groups: seven games whose prompts are short
(imagegame, matchit_ascii, privateshared, referencegame, taboo, textmapworld, wordle) and six more
(codenames, guesswhat, the two textmapworld variants, the two wordle variants). adventuregame is left to
the scripted endings: the 135M model keeps its format there, so an episode plays all its 50 turns on
prompts of thousands of tokens, minutes for each runner on two cores (docs/clembench2.md)."""

from __future__ import annotations

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
