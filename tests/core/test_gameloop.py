"""The one game loop: parlour's rule for a prompt that exceeds the model's context, in every game."""

from __future__ import annotations

import json

import pytest
from support.games import GAMES, ReplyListModel, play_and_score

from parlour.games.master import CONTEXT_EXCEEDED

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
