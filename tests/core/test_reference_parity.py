"""imagegame and referencegame against the v1.6 reference data: scorer parity on every recorded episode
(real and scripted), and replays of the scripted and real episodes through parlour's masters.
(taboo, wordle and privateshared have their own files, with game-specific extra checks.)"""

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

pytestmark = pytest.mark.reference  # every test here reads the clembench v1.6 reference data


# game -> (scripted cases, real episodes with interactions.json) in the reference data
EXPECTED = {"imagegame": (6, 2), "referencegame": (7, 3)}
CASES = [(game, case) for game in EXPECTED for case in scripted_cases(REFERENCE, game)]
EPISODES = [(game, episode) for game in EXPECTED for episode in real_episodes(REFERENCE, game)]


@pytest.mark.parametrize("game", EXPECTED)
def test_reference_data_found(game: str) -> None:
    assert len(scripted_cases(REFERENCE, game)) == EXPECTED[game][0]
    assert len(real_episodes(REFERENCE, game)) == EXPECTED[game][1]


@pytest.mark.parametrize(
    ("game", "episode"),
    EPISODES + [(game, case.episode_dir) for game, case in CASES],
    ids=lambda value: "/".join(value.parts[-5:]) if isinstance(value, Path) else value,
)
def test_scorer_matches_official_scores(game: str, episode: Path) -> None:
    assert_scorer_matches(game, episode)


@pytest.mark.parametrize(("game", "case"), CASES, ids=lambda value: getattr(value, "key", value))
async def test_scripted_replay_matches_reference(game: str, case) -> None:
    assert_replay_matches(*await replay(case), case)


@pytest.mark.parametrize(
    ("game", "episode"), EPISODES, ids=lambda value: value.parts[-4] if isinstance(value, Path) else value
)
async def test_real_episode_replay_matches_record(game: str, episode: Path) -> None:
    await assert_real_replay_matches(game, episode)
