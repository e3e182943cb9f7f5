"""The 8 scripted taboo edge cases replayed through parlour's master: prompts, events and scores."""

from __future__ import annotations

import pytest
from conftest import REFERENCE
from support.scripted import assert_replay_matches, replay, scripted_cases

pytestmark = pytest.mark.reference  # every test here reads the clembench v1.6 reference data


CASES = scripted_cases(REFERENCE, "taboo")


def test_all_cases_found() -> None:
    assert len(CASES) == 8


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
async def test_replay_matches_reference(case) -> None:
    assert_replay_matches(*await replay(case), case)
