"""The 8 scripted taboo edge cases replayed through parlour's master: prompts, events and scores."""

from __future__ import annotations

import pytest
from conftest import REFERENCE
from support.scripted import replay, scripted_cases

from parlour.games.episode import scores_equal, strip_volatile

CASES = scripted_cases(REFERENCE, "taboo")


def test_all_cases_found() -> None:
    assert len(CASES) == 8


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
async def test_replay_matches_reference(case) -> None:
    interactions, requests, scores = await replay(case)
    theirs = case.load("interactions.json")
    assert strip_volatile(interactions["turns"]) == strip_volatile(theirs["turns"])
    assert [r["manipulated_prompt_obj"] for r in requests] == [
        r["manipulated_prompt_obj"] for r in case.load("requests.json")
    ]
    assert scores_equal(scores, case.load("scores.json"))
