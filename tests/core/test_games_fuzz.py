"""Fuzzing every game's reply handling through its game master (hypothesis): adversarial replies
(random text, near-miss tags, very long replies, the oracle's own reply between them, a context
overflow at any call) never crash a game master or its scorer, never leave an episode unfinished,
and always give a record that is plain JSON. Examples are derandomised and bounded, so the test is
the same on every run and takes seconds."""

from __future__ import annotations

import asyncio
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.games import GAMES, ReplyListModel, play_and_score

from parlour.games.scorer import REQUIRED_EPISODE_METRICS

# Pieces of well-formed replies of the seven games, so that examples get past the first parser.
FRAGMENTS = [
    *("CLUE: ", "GUESS: ", "guess:", "guess: ", "explanation:", "agreement:", "agreement: yes", "agreement: no"),
    *("Expression: ", "Answer: ", "answer: first", "second", "3rd", "Instruction: ", "instruction: done"),
    *("ANSWER: ", "ASIDE: ", "yes", "no", "YES", "No", "AGENT: ", "crane", "start", "apple", "▢ ", "X ", "A"),
    *("\n", "\n\n", " ", ":", "*", "é", "\u200b", "{", "}", "$TARGET_WORD$"),
]
# Whole well-formed replies: lists of a few of them reach the later stages of each game.
WELL_FORMED = [
    *("CLUE: a kind of fruit", "GUESS: apple", "guess: crane\nexplanation: letters", "guess: start"),
    *("agreement: yes\nexplanation: fine", "agreement: no\nexplanation: no", "Expression: the grid with an X"),
    *("Answer: first", "Answer: third", "Instruction: Put an X in row 1 column 1", "Instruction: DONE"),
    *("X ▢ ▢ ▢ ▢\n" + "▢ ▢ ▢ ▢ ▢\n" * 4, "ANSWER: 2", "ASIDE: yes", "ASIDE: no"),
]
REPLY = st.one_of(
    st.none(),  # the game's oracle answers this call
    st.sampled_from(WELL_FORMED),
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=10).map("".join),
    st.sampled_from(FRAGMENTS).map(lambda fragment: fragment * 3000),  # far longer than any reply
)
EPISODE = st.tuples(
    st.lists(REPLY, min_size=1, max_size=12),
    st.one_of(st.none(), st.integers(min_value=1, max_value=40)),  # the call that overflows the context
    st.integers(min_value=0, max_value=50),  # which default instance
)
EXAMPLES_PER_GAME = 50


def _check_episode(game: str, replies: list[str | None], overflow_at: int | None, index: int) -> None:
    model = ReplyListModel(replies, overflow_at=overflow_at, max_calls=2000)
    interactions, requests, scores = asyncio.run(play_and_score(game, index, model))
    assert interactions["turns"], "an episode without turns"
    assert len(requests) <= model.calls
    assert set(REQUIRED_EPISODE_METRICS) <= set(scores["episode scores"])
    assert scores["episode scores"]["Aborted"] in (0, 1)
    if overflow_at is not None and model.calls >= overflow_at:
        assert scores["episode scores"]["Aborted"] == 1
    json.dumps(interactions, allow_nan=False)
    json.dumps(requests, allow_nan=False)


def _fuzz(game: str):
    @settings(
        max_examples=EXAMPLES_PER_GAME,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(EPISODE)
    def test(episode: tuple[list[str | None], int | None, int]) -> None:
        _check_episode(game, *episode)

    test.__name__ = f"test_{game}_survives_adversarial_replies"
    return test


for _game in GAMES:
    globals()[f"test_{_game}_survives_adversarial_replies"] = _fuzz(_game)
