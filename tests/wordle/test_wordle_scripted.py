"""The 18 scripted v1.6 wordle episodes replayed through parlour's master: events, prompts, scores."""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE
from support.scripted import assert_replay_matches, replay, scripted_cases

pytestmark = pytest.mark.reference  # every test here reads the clembench v1.6 reference data


CASES = [
    case for game in ("wordle", "wordle_withclue", "wordle_withcritic") for case in scripted_cases(REFERENCE, game)
]


def test_all_cases_found() -> None:
    assert sorted(c.key for c in CASES) == sorted(
        [f"wordle_0{i}" for i in range(1, 8)]
        + [f"wclue_0{i}" for i in range(1, 6)]
        + [f"wcrit_0{i}" for i in range(1, 7)]
    )


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
async def test_replay_matches_reference(case) -> None:
    interactions, requests, scores = await replay(case)
    assert_replay_matches(interactions, requests, scores, case)
    # byte-identical once serialised: same key order and the same int/float types
    assert json.dumps(scores) == json.dumps(case.load("scores.json"))
