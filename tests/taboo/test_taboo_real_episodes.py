"""Real recorded v1.6 taboo episodes replayed through parlour's master with the official instance."""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE
from support.records import scores_equal, strip_volatile

from parlour.games.episode import play_episode, score_episode
from parlour.games.registry import get_game
from parlour.models.programmatic import ScriptedModel
from parlour.models.spec import ModelSpec

pytestmark = pytest.mark.reference  # every test here reads the clembench v1.6 reference data


EPISODE = REFERENCE / "episodes/Meta-Llama-3-70B-Instruct-hf-t0.0--Meta-Llama-3-70B-Instruct-hf-t0.0/taboo/0_high_en"


def llama3_prompt(messages: list[dict[str, str]]) -> str:
    """Llama-3-Instruct's chat template, as the HF backend rendered it for this run."""
    body = "".join(f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content']}<|eot_id|>" for m in messages)
    return f"<|begin_of_text|>{body}<|start_header_id|>assistant<|end_header_id|>\n\n"


async def test_llama3_taboo_episode_replays_with_recorded_prompts_and_scores() -> None:
    recorded = json.loads((EPISODE / "episode_0/interactions.json").read_text())
    replies = [e["action"]["content"] for t in recorded["turns"] for e in t if e["action"]["type"] == "get message"]
    official = json.loads((REFERENCE / "games/taboo/in/instances.json").read_text())
    experiment = official["experiments"][0]
    instance = json.loads((EPISODE / "episode_0/instance.reconstructed.json").read_text())
    assert instance in experiment["game_instances"]
    game = get_game("taboo")
    model = ScriptedModel(ModelSpec(name="scripted", backend="scripted"), replies)
    record = await play_episode(game, experiment, instance, [model, model])
    assert strip_volatile(record.interactions["turns"]) == strip_volatile(recorded["turns"])
    recorded_requests = json.loads((EPISODE / "episode_0/requests.json").read_text())
    ours = [llama3_prompt(r["manipulated_prompt_obj"]["messages"]) for r in record.requests]
    assert ours == [r["manipulated_prompt_obj"]["inputs"] for r in recorded_requests]
    scores = score_episode(game, experiment, instance, record.interactions)
    assert scores_equal(scores, json.loads((EPISODE / "episode_0/scores.json").read_text()))
