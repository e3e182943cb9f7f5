"""Taboo's scorer (clembench 1.6).

Request counts are per turn (one per turn although two model calls happen), as v1.6 counts them.
The repetition metrics look for `guess`/`clue` events, the names of the pre-April-2024 game master;
the v1.6 master logs `valid guess`/`valid clue`, so for v1.6 episodes they are always 0 (reproduced).
"""

from __future__ import annotations

from typing import Any

from parlour.games import scorer as m
from parlour.games.scorer import GameScorer


def _repetitions(values: list[str]) -> int:
    return sum(1 for previous, current in zip(values, values[1:], strict=False) if previous == current)


class TabooScorer(GameScorer):
    def score_episode(self, interactions: dict[str, Any]) -> None:
        invalid_response = False
        guesser_won = False
        guesses: list[str] = []
        clues: list[str] = []
        violated_total = 0
        turns = interactions["turns"]
        for turn_idx, turn in enumerate(turns):
            for event in turn:
                action = event["action"]
                kind = action["type"]
                if kind == "invalid format":
                    invalid_response = True
                elif kind == "guess":
                    guesses.append(action["content"])
                elif kind == "clue":
                    clues.append(action["content"])
                elif kind == "correct guess":
                    guesser_won = True
            violated = 1 if invalid_response else 0
            violated_total += violated
            self.log_turn_score(turn_idx, "Accuracy", 1 if guesser_won else 0)
            self.log_turn_score(turn_idx, m.METRIC_REQUEST_COUNT_VIOLATED, violated)
            self.log_turn_score(turn_idx, m.METRIC_REQUEST_COUNT_PARSED, 1 - violated)
            self.log_turn_score(turn_idx, m.METRIC_REQUEST_COUNT, 1)
        request_count = len(turns)
        parsed = request_count - violated_total
        self.log_episode_score(m.METRIC_REQUEST_COUNT_VIOLATED, violated_total)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_PARSED, parsed)
        self.log_episode_score(m.METRIC_REQUEST_COUNT, request_count)
        self.log_episode_score(m.METRIC_REQUEST_SUCCESS, parsed / request_count if request_count else 0)
        if invalid_response:
            self.log_episode_score(m.METRIC_ABORTED, 1)
            self.log_episode_score(m.METRIC_SUCCESS, 0)
            self.log_episode_score(m.METRIC_LOSE, 0)
            self.log_episode_score(m.BENCH_SCORE, float("nan"))
        else:
            self.log_episode_score(m.METRIC_ABORTED, 0)
            self.log_episode_score(m.METRIC_SUCCESS, 1 if guesser_won else 0)
            self.log_episode_score(m.METRIC_LOSE, 0 if guesser_won else 1)
            self.log_episode_score(m.BENCH_SCORE, 100 / request_count if guesser_won else 0)
        self.log_episode_score("Repetition-Guesser", _repetitions(guesses))
        self.log_episode_score("Repetition-Describer", _repetitions(clues))
