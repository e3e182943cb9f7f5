"""Replaying the scripted v1.6 reference episodes through parlour's game masters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parlour.games.episode import play_episode, score_episode
from parlour.games.registry import get_game
from parlour.models.backends.programmatic import ScriptedModel
from parlour.models.spec import ModelSpec


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
        [path] = self.episode_dir.parent.glob("experiment_*.json")
        return json.loads(path.read_text(encoding="utf-8"))


def scripted_cases(reference: Path, game: str) -> list[ScriptedCase]:
    root = reference / "scripted-episodes"
    cases = []
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
