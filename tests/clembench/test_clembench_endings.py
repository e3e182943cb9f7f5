"""Each scripted ending of each clembench 2.0 game (clem_endings/), played through parlour's bridge and
through clemcore's own sequential runner: identical records (timestamps aside), and the episode ends as
intended (the scorer's flag, and the game's own message for that ending)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clem_endings import Ending, all_endings
from clem_support import (
    GAMES,
    PolicyModel,
    clemcore_run,
    episode_files,
    in_tmp_path,  # noqa: F401 - autouse: each test in its own folder
    instances,
    outcomes,
    require_clem,
)

import parlour
from parlour.runner.episodes import FAILED

ENDINGS = all_endings()


def _first_instance(ending: Ending) -> tuple[dict, dict]:
    experiments = instances(ending.game)["experiments"]
    experiment = next(e for e in experiments if ending.experiment in (None, e["name"]))
    return experiment, experiment["game_instances"][0]


@pytest.mark.parametrize("ending", ENDINGS, ids=[e.id for e in ENDINGS])
def test_scripted_ending_equals_clemcore_sequential(ending: Ending, tmp_path: Path) -> None:
    require_clem()
    experiment, instance = _first_instance(ending)
    model = PolicyModel("policy-" + ending.name.replace(" ", "-"), ending.policy(experiment, instance))
    summary = parlour.run(
        [ending.game], model, results=tmp_path / "parlour", limit=1, experiments=[experiment["name"]],
        benchmark="clembench-2.0", games_dir=GAMES,
    )  # fmt: skip
    reference = clemcore_run([ending.game], model, tmp_path / "clemcore", 1, [experiment["name"]])

    ours, theirs = episode_files(summary.folder), episode_files(reference)
    assert sorted(ours) == sorted(theirs) and ours, sorted(ours)
    assert [name for name in ours if ours[name] != theirs[name]] == []
    assert summary.count(FAILED) == 0
    assert outcomes(summary.folder) == {ending.outcome: 1}
    if ending.shows is not None:
        (interactions,) = summary.folder.rglob("interactions.json")
        assert ending.shows in interactions.read_text(encoding="utf-8")
