"""The one game loop: parlour's rule for a prompt that exceeds the model's context, in every game, and
the typed model call from the backend to the recorder."""

from __future__ import annotations

import json

import pytest
from support.games import GAMES, ReplyListModel, play_and_score

from parlour.chat import Generation, Model
from parlour.games.master import CONTEXT_EXCEEDED
from parlour.games.player import Player
from parlour.games.recorder import GameRecorder
from parlour.models.spec import ModelSpec

# (game, 1-based call that overflows): the first call everywhere, a later one where the oracle gets there
CASES = [(game, 1) for game in GAMES] + [
    ("taboo", 2),
    ("referencegame", 2),
    ("imagegame", 4),
    ("privateshared", 7),
    ("wordle_withcritic", 2),
    ("wordle_withcritic", 3),
]


@pytest.mark.parametrize(("game", "overflow_at"), CASES, ids=lambda v: str(v))
async def test_a_prompt_beyond_the_context_aborts_the_episode_with_the_reason(game: str, overflow_at: int) -> None:
    model = ReplyListModel([None], overflow_at=overflow_at)  # the oracle plays until the overflow
    interactions, requests, scores = await play_and_score(game, 0, model)
    assert model.calls == overflow_at  # nothing is asked after the overflow
    assert len(requests) == overflow_at - 1  # the failed call has no request record
    events = [e for turn in interactions["turns"] for e in turn]
    reasons = [e for e in events if e["action"]["type"] == "error" and e["from"] == e["to"] == "GM"]
    assert [e["action"]["content"] for e in reasons] == [f"{CONTEXT_EXCEEDED}: prompt too long"]
    failed_send = events[events.index(reasons[0]) - 1]
    assert failed_send["from"] == "GM" and failed_send["to"] != "GM"
    assert scores["episode scores"]["Aborted"] == 1
    assert scores["episode scores"]["Success"] == 0
    assert scores["episode scores"]["Violated Request Count"] >= 1  # the failed call is a request not parsed
    json.dumps(interactions, allow_nan=False)  # the record is plain JSON


class _EngineModel(Model):
    """Returns one fixed Generation (a stand-in for a backend)."""

    def __init__(self, generation: Generation) -> None:
        super().__init__(ModelSpec(name="engine", backend="scripted"))
        self.generation = generation

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        return self.generation


class _Echo(Player):
    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        return f"{policy} reply at turn {turn_idx}"


@pytest.mark.parametrize("shadow_policy", [None, "oracle"])
async def test_a_model_call_reaches_the_recorder_as_one_generation(shadow_policy: str | None) -> None:
    sent = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
    engine = Generation(prompt=sent, response={"id": "x"}, text="engine text", shadow_policy=shadow_policy)
    reply = await _Echo(_EngineModel(engine))([{"role": "user", "content": "hi"}], 3)
    assert isinstance(reply, Generation)
    played = "engine text" if shadow_policy is None else "oracle reply at turn 3"
    assert reply.text == played
    assert reply.response["clem_player"]["response"] == played
    assert reply.response.get("shadow_text") == (None if shadow_policy is None else "engine text")
    assert engine.response == {"id": "x"}  # the backend's object is left as it was
    recorder = GameRecorder()
    recorder.log_event("Player 1", "GM", {"type": "get message", "content": reply.text}, call=reply)
    [request] = recorder.requests
    assert request["manipulated_prompt_obj"] == sent
    assert request["raw_response_obj"] == reply.response
