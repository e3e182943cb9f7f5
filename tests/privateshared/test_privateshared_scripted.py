"""The 7 scripted privateshared edge cases (ps_01..ps_07) replayed through parlour's master with the
official v1.6 texts: events, prompts, interaction keys and scores must equal the recorded ones."""

from __future__ import annotations

import pytest
from conftest import REFERENCE
from support.records import scores_equal, strip_volatile
from support.scripted import replay, scripted_cases

pytestmark = pytest.mark.reference  # every test here reads the clembench v1.6 reference data


CASES = scripted_cases(REFERENCE, "privateshared")


def test_all_cases_found() -> None:
    assert [c.key for c in CASES] == [f"ps_0{i}" for i in range(1, 8)]


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
async def test_replay_matches_reference(case) -> None:
    interactions, requests, scores = await replay(case)
    theirs = case.load("interactions.json")
    assert strip_volatile(interactions) == strip_volatile(theirs)
    assert [r["manipulated_prompt_obj"] for r in requests] == [
        r["manipulated_prompt_obj"] for r in case.load("requests.json")
    ]
    assert [r["raw_response_obj"]["response"] for r in requests] == [
        r["raw_response_obj"]["response"] for r in case.load("requests.json")
    ]
    official = case.load("scores.json")
    assert scores_equal(scores, official)
    # key order as in the official file (score tables read them in this order)
    assert list(scores["episode scores"]) == list(official["episode scores"])
