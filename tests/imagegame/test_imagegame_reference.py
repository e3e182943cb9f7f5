"""imagegame against the v1.6 reference data: scorer parity on the real episodes and replays of the
scripted and real episodes through parlour's master."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REFERENCE
from support.scripted import (
    assert_real_replay_matches,
    assert_replay_matches,
    assert_scorer_matches,
    real_episodes,
    replay,
    scripted_cases,
)

GAME = "imagegame"
CASES = scripted_cases(REFERENCE, GAME)
EPISODES = real_episodes(REFERENCE, GAME)


def test_reference_data_found() -> None:
    assert len(CASES) == 6
    assert len(EPISODES) == 2


@pytest.mark.parametrize("episode", EPISODES + [c.episode_dir for c in CASES], ids=lambda p: "/".join(p.parts[-5:]))
def test_scorer_matches_official_scores(episode: Path) -> None:
    assert_scorer_matches(GAME, episode)


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
async def test_scripted_replay_matches_reference(case) -> None:
    assert_replay_matches(*await replay(case), case)


@pytest.mark.parametrize("episode", EPISODES, ids=lambda p: p.parts[-4])
async def test_real_episode_replay_matches_record(episode: Path) -> None:
    await assert_real_replay_matches(GAME, episode)
