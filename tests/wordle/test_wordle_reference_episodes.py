"""The real v1.6 wordle-family episodes: the scorer reproduces their official scores.json, and their
recorded replies, replayed through parlour's master on the official instances, reproduce the
recorded events (prompts included) and scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REFERENCE
from support.records import scores_equal, strip_volatile

from parlour.games.episode import play_episode, score_episode
from parlour.games.registry import get_game
from parlour.models.programmatic import ScriptedModel
from parlour.models.spec import ModelSpec

pytestmark = pytest.mark.reference  # every test here reads the clembench v1.6 reference data


GAMES = ("wordle", "wordle_withclue", "wordle_withcritic")
EPISODES = sorted(
    path.parent for game in GAMES for path in (REFERENCE / "episodes").glob(f"*/{game}/*/episode_*/interactions.json")
)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _context(episode: Path) -> tuple[str, dict, dict]:
    """(game, official experiment, instance) of a reference episode."""
    game = episode.parents[1].name
    experiment_name = episode.parent.name.split("_", 1)[1]
    instances = _load(REFERENCE / "games" / game / "in" / "instances.json")
    [experiment] = [e for e in instances["experiments"] if e["name"] == experiment_name]
    instance_file = episode / "instance.json"
    if not instance_file.exists():
        instance_file = episode / "instance.reconstructed.json"
    return game, experiment, _load(instance_file)


def _dialogue(interactions: dict) -> list:
    kinds = ("send message", "get message", "parse")
    return [[e for e in turn if e["action"]["type"] in kinds] for turn in strip_volatile(interactions["turns"])]


def _final_data(interactions: dict) -> dict:
    return interactions["turns"][-1][-1]["action"]["data_for_computation"]


def test_episodes_found() -> None:
    assert len(EPISODES) == 4


@pytest.mark.parametrize("episode", EPISODES, ids=[str(p.relative_to(REFERENCE / "episodes")) for p in EPISODES])
def test_scorer_reproduces_official_scores(episode: Path) -> None:
    game, experiment, instance = _context(episode)
    ours = score_episode(get_game(game), experiment, instance, _load(episode / "interactions.json"))
    official = _load(episode / "scores.json")
    assert scores_equal(ours, official)
    assert json.dumps(ours) == json.dumps(official)


@pytest.mark.parametrize("episode", EPISODES, ids=[str(p.relative_to(REFERENCE / "episodes")) for p in EPISODES])
async def test_replayed_replies_reproduce_the_episode(episode: Path) -> None:
    game_name, experiment, instance = _context(episode)
    theirs = _load(episode / "interactions.json")
    replies = [e["action"]["content"] for turn in theirs["turns"] for e in turn if e["action"]["type"] == "get message"]
    model_name = theirs["turns"][-1][-1]["action"]["data_for_computation"]["player_1"]
    model = ScriptedModel(ModelSpec(name=model_name, backend="scripted"), replies)
    game = get_game(game_name)
    record = await play_episode(game, experiment, instance, [model, model])
    assert model.calls == len(replies)
    assert record.interactions["players"] == theirs["players"]
    # older episodes' game masters worded some metadata differently; what the players were sent and
    # what was parsed from their replies, and the final data, are the same
    assert _dialogue(record.interactions) == _dialogue(theirs)
    assert _final_data(record.interactions) == _final_data(theirs)
    scores = score_episode(game, experiment, instance, record.interactions)
    assert scores_equal(scores, _load(episode / "scores.json"))
