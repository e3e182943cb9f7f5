"""The default model at temperature 0 on clembench 2.0: parlour's bridge with episodes in flight gives the
records clemcore's own sequential runner gives calling the same parlour model one request at a time.

`smollm2-135m-serial` evaluates each prompt on its own, so its replies do not depend on which requests
share the engine; the batched `smollm2-135m` may differ in a nearly tied token (see the README).
One instance of the first experiment of seven games whose prompts are short enough for a test on two
cores (444 s on the shared development machine at a load average of 11 to 13, 2026-12-06): imagegame,
matchit_ascii, privateshared, referencegame, taboo, textmapworld and wordle. A run of 13 games (all but
adventuregame, whose episode runs all its turns) gave identical records too for the eight that finished
before a 20-minute limit on that loaded machine (docs/clembench2.md)."""

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
GAMES_RUN = ["imagegame", "matchit_ascii", "privateshared", "referencegame", "taboo", "textmapworld", "wordle"]


@pytest.mark.slow
def test_default_model_in_flight_equals_clemcore_one_at_a_time(tmp_path: Path) -> None:
    require_clem()
    experiments = first_experiments(GAMES_RUN)
    summary = parlour.run(
        GAMES_RUN, MODEL, results=tmp_path / "parlour", limit=1, experiments=experiments, concurrency=8,
        temperature=0.0, benchmark="clembench-2.0", games_dir=GAMES,
    )  # fmt: skip
    # the spec parlour's run records (its weights' sha256 included), so that the recorded model infos agree
    model = load_model(with_weights_digest(lookup(MODEL).with_generation(0.0, None)))
    reference = clemcore_run(GAMES_RUN, model, tmp_path / "clemcore", 1, experiments)

    ours, theirs = episode_files(summary.folder), episode_files(reference)
    assert sorted(ours) == sorted(theirs)
    assert {name.split("/")[0] for name in ours} == set(GAMES_RUN)
    assert [name for name in ours if ours[name] != theirs[name]] == []
    print(f"{summary.total} episodes; endings {outcomes(summary.folder)}")
