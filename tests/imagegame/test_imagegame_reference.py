"""imagegame against the v1.6 reference data: scorer parity on the real episodes and replays of the
scripted and real episodes through parlour's master."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REFERENCE
from support.scripted import replay, scripted_cases

from parlour.games.episode import play_episode, score_episode, scores_equal, strip_volatile
from parlour.games.registry import get_game
from parlour.models.backends.programmatic import ScriptedModel
from parlour.models.spec import ModelSpec

GAME = "imagegame"
CASES = scripted_cases(REFERENCE, GAME)
EPISODES = sorted(p.parent for p in (REFERENCE / "episodes").glob(f"*/{GAME}/*/episode_*/interactions.json"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _instance(episode: Path) -> dict:
    for name in ("instance.json", "instance.reconstructed.json"):
        if (episode / name).is_file():
            return _load(episode / name)
    raise AssertionError(f"{episode}: no instance file")


def _experiment(episode: Path) -> dict:
    found = list(episode.parent.glob("experiment_*.json"))
    return _load(found[0]) if found else {"name": episode.parent.name.split("_", 1)[1]}


def test_reference_data_found() -> None:
    assert len(CASES) == 6
    assert len(EPISODES) == 2


@pytest.mark.parametrize("episode", EPISODES + [c.episode_dir for c in CASES], ids=lambda p: "/".join(p.parts[-5:]))
def test_scorer_matches_official_scores(episode: Path) -> None:
    ours = score_episode(get_game(GAME), _experiment(episode), _instance(episode), _load(episode / "interactions.json"))
    theirs = _load(episode / "scores.json")
    assert scores_equal(ours, theirs)
    # same metric order as v1.6's scores.json
    assert list(ours["episode scores"]) == list(theirs["episode scores"])
    for turn, values in theirs["turn scores"].items():
        assert list(ours["turn scores"][int(turn)]) == list(values)


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
async def test_scripted_replay_matches_reference(case) -> None:
    interactions, requests, scores = await replay(case)
    theirs = case.load("interactions.json")
    assert interactions["players"] == theirs["players"]
    assert strip_volatile(interactions["turns"]) == strip_volatile(theirs["turns"])
    assert [r["manipulated_prompt_obj"] for r in requests] == [
        r["manipulated_prompt_obj"] for r in case.load("requests.json")
    ]
    assert scores_equal(scores, case.load("scores.json"))


@pytest.mark.parametrize("episode", EPISODES, ids=lambda p: p.parts[-4])
async def test_real_episode_replay_matches_record(episode: Path) -> None:
    theirs = _load(episode / "interactions.json")
    replies = [e["action"]["content"] for turn in theirs["turns"] for e in turn if e["action"]["type"] == "get message"]
    model = ScriptedModel(ModelSpec(name=theirs["players"]["Player_1"], backend="scripted"), replies)
    game, experiment, instance = get_game(GAME), _experiment(episode), _instance(episode)
    record = await play_episode(game, experiment, instance, [model, model])
    assert model.calls == len(replies)
    assert strip_volatile(record.interactions) == strip_volatile(theirs)
    assert scores_equal(score_episode(game, experiment, instance, record.interactions), _load(episode / "scores.json"))
