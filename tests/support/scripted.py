"""Replaying the scripted v1.6 reference episodes through parlour's game masters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import REFERENCE

from parlour.games.episode import play_episode, score_episode
from parlour.games.registry import get_game
from parlour.models.programmatic import ScriptedModel
from parlour.models.spec import ModelSpec
from support.records import scores_equal, strip_volatile


@dataclass
class ScriptedCase:
    key: str
    game: str
    episode_dir: Path
    replies: list[str]

    def load(self, name: str) -> Any:
        return json.loads((self.episode_dir / name).read_text(encoding="utf-8"))

    @property
    def experiment(self) -> dict[str, Any]:
        """The recorded experiment, with the official resources folder for games that read one."""
        [path] = self.episode_dir.parent.glob("experiment_*.json")
        experiment = json.loads(path.read_text(encoding="utf-8"))
        official = REFERENCE / "games" / self.game / "in" / "instances.json"
        return get_game(self.game).attach_resources(experiment, official)


def scripted_cases(reference: Path, game: str) -> list[ScriptedCase]:
    root = reference / "scripted-episodes"
    cases: list[ScriptedCase] = []
    if not root.is_dir():
        return cases  # the tests built on them carry the `reference` mark and are skipped
    for case_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "scripts"):
        for episode_dir in case_dir.glob(f"*/{game}/*/episode_0"):
            replies = json.loads((root / "scripts" / f"{case_dir.name}.json").read_text(encoding="utf-8"))
            cases.append(ScriptedCase(case_dir.name, game, episode_dir, replies))
    return cases


async def replay(case: ScriptedCase) -> tuple[dict, list, dict]:
    """Play the case's instance with its scripted replies; returns (interactions, requests, scores)."""
    game = get_game(case.game)
    model = ScriptedModel(ModelSpec(name="scripted", backend="scripted"), case.replies)
    instance = case.load("instance.json")
    record = await play_episode(game, case.experiment, instance, [model, model])
    scores = score_episode(game, case.experiment, instance, record.interactions)
    # scripts may hold replies past the end of the game; never fewer than the game asked for
    assert model.calls <= len(case.replies)
    return record.interactions, record.requests, scores


def assert_replay_matches(interactions: dict, requests: list, scores: dict, case: ScriptedCase) -> None:
    """Our replay of a scripted case equals its record: players, events, prompts sent, scores."""
    theirs = case.load("interactions.json")
    assert interactions["players"] == theirs["players"]
    assert strip_volatile(interactions["turns"]) == strip_volatile(theirs["turns"])
    assert [r["manipulated_prompt_obj"] for r in requests] == [
        r["manipulated_prompt_obj"] for r in case.load("requests.json")
    ]
    assert scores_equal(scores, case.load("scores.json"))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def real_episodes(reference: Path, game: str) -> list[Path]:
    """The recorded v1.6 episodes of a game that have interactions.json."""
    return sorted(p.parent for p in (reference / "episodes").glob(f"*/{game}/*/episode_*/interactions.json"))


def episode_instance(episode: Path) -> dict:
    for name in ("instance.json", "instance.reconstructed.json"):
        if (episode / name).is_file():
            return load_json(episode / name)
    raise AssertionError(f"{episode}: no instance file")


def episode_experiment(episode: Path) -> dict:
    found = list(episode.parent.glob("experiment_*.json"))
    return load_json(found[0]) if found else {"name": episode.parent.name.split("_", 1)[1]}


def assert_scorer_matches(game: str, episode: Path) -> None:
    """Scoring a recorded episode gives its official scores.json, in the same metric order."""
    ours = score_episode(
        get_game(game), episode_experiment(episode), episode_instance(episode), load_json(episode / "interactions.json")
    )
    theirs = load_json(episode / "scores.json")
    assert scores_equal(ours, theirs)
    assert list(ours["episode scores"]) == list(theirs["episode scores"])
    for turn, values in theirs["turn scores"].items():
        assert list(ours["turn scores"][int(turn)]) == list(values)


async def assert_real_replay_matches(game_name: str, episode: Path) -> None:
    """Replaying a recorded episode's replies reproduces its whole record and its scores."""
    theirs = load_json(episode / "interactions.json")
    replies = [e["action"]["content"] for turn in theirs["turns"] for e in turn if e["action"]["type"] == "get message"]
    model = ScriptedModel(ModelSpec(name=theirs["players"]["Player_1"], backend="scripted"), replies)
    game, experiment, instance = get_game(game_name), episode_experiment(episode), episode_instance(episode)
    record = await play_episode(game, experiment, instance, [model, model])
    assert model.calls == len(replies)
    assert strip_volatile(record.interactions) == strip_volatile(theirs)
    assert scores_equal(
        score_episode(game, experiment, instance, record.interactions), load_json(episode / "scores.json")
    )
