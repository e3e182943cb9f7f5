"""`parlour score` on copies of the real v1.6 episodes (scores.json removed) reproduces the official scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REFERENCE
from support.cli import parlour
from support.records import scores_equal

from parlour.games.registry import GAME_MODULES

pytestmark = pytest.mark.reference  # every test here reads the clembench v1.6 reference data


EPISODES = sorted(p.parent for p in (REFERENCE / "episodes").glob("*/*/*/episode_*/interactions.json"))


def test_reference_episodes_present() -> None:
    assert len(EPISODES) == 11


def test_score_command_reproduces_official_scores(tmp_path: Path) -> None:
    results = tmp_path / "results"
    shutil.copytree(REFERENCE / "episodes", results)
    for scores in results.rglob("scores.json"):
        scores.unlink()
    run = parlour("score", "-r", str(results))
    assert run.returncode == 0, run.stderr
    checked = 0
    for official in EPISODES:
        game = official.parents[1].name
        ours = results / official.relative_to(REFERENCE / "episodes") / "scores.json"
        if game not in GAME_MODULES:
            pytest.fail(f"game {game} is not registered")
        assert ours.is_file(), f"no scores for {ours}"
        theirs = json.loads((official / "scores.json").read_text())
        assert scores_equal(json.loads(ours.read_text()), theirs), f"{official}"
        checked += 1
    assert checked == len(EPISODES)


def test_score_reports_broken_episode_and_continues(tmp_path: Path) -> None:
    results = tmp_path / "results"
    source = next(e for e in EPISODES if e.parents[1].name == "taboo")
    target = results / source.relative_to(REFERENCE / "episodes")
    shutil.copytree(source, target)
    broken = results / "m-t0.0--m-t0.0" / "taboo" / "0_high_en" / "episode_9"
    broken.mkdir(parents=True)
    (broken / "interactions.json").write_text("{ truncated")
    (broken / "instance.json").write_text("{}")
    run = parlour("score", "-r", str(results), "-g", "taboo")
    assert run.returncode == 1
    assert "episode_9" in run.stderr and "not valid JSON" in run.stderr
    assert (target / "scores.json").is_file()
