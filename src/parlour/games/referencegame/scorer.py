"""referencegame's scorer (clembench 1.6).

Player 1's request counts as parsed when the GM logged `parse` (then the expression's length and
space-separated token count are scored); otherwise the game was aborted at Player 1 and those two
are NaN. Player 2's answer is taken from the GM's `parse`, or re-parsed liberally from an
`invalid format` reply (rules.parse_liberal); if neither yields an answer, the game was aborted at
Player 2. Success when the answer is one of the target's names.

As in v1.6, `Lose` is 1 - Success, so it is 1 also when the episode was aborted (unlike the other
games, where Lose is 0 then); Main Score is 100·Success, NaN if aborted.
"""

from __future__ import annotations

from typing import Any

from parlour.games import scorer as m
from parlour.games.referencegame import rules
from parlour.games.scorer import GameScorer

NAN = float("nan")


class ReferenceGameScorer(GameScorer):
    def score_episode(self, interactions: dict[str, Any]) -> None:
        turn = interactions["turns"][0] if interactions["turns"] else []
        requests = parsed = 0
        success = 0
        aborted = False
        requests += 1
        if len(turn) > 2 and turn[2]["action"]["type"] == "parse":
            parsed += 1
            expression = turn[2]["action"]["expression"]
            length, tokens = len(expression), len(expression.split(" "))
            self.log_turn_score(0, "Generated Expression Length", length)
            self.log_episode_score("Generated Expression Length", length)
            self.log_turn_score(0, "Generated Expression Number of Tokens", tokens)
            self.log_episode_score("Generated Expression Number of Tokens", tokens)
            requests += 1
            answer = self._answer(turn[5]["action"] if len(turn) > 5 else None)
            if answer is not None:
                parsed += 1
                success = 1 if rules.is_correct(answer, self.instance["target_grid_name"]) else 0
            else:
                aborted = True
            self.log_episode_score("Aborted at Player 1", 0)
            self.log_episode_score("Aborted at Player 2", 1 if aborted else 0)
        else:
            aborted = True
            self.log_episode_score("Aborted at Player 1", 1)
            self.log_episode_score("Aborted at Player 2", 0)
            for name in ("Generated Expression Length", "Generated Expression Number of Tokens"):
                self.log_turn_score(0, name, NAN)
                self.log_episode_score(name, NAN)

        self.log_turn_score(0, m.METRIC_REQUEST_COUNT, requests)
        self.log_turn_score(0, m.METRIC_REQUEST_COUNT_PARSED, parsed)
        self.log_turn_score(0, m.METRIC_REQUEST_COUNT_VIOLATED, requests - parsed)
        self.log_turn_score(0, m.METRIC_SUCCESS, success)
        self.log_episode_score(m.METRIC_REQUEST_COUNT, requests)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_PARSED, parsed)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_VIOLATED, requests - parsed)
        self.log_episode_score(m.METRIC_SUCCESS, success)
        self.log_episode_score(m.METRIC_LOSE, 1 - success)  # 1 also when aborted, as v1.6
        self.log_episode_score(m.METRIC_ABORTED, int(aborted))
        self.log_episode_score(m.BENCH_SCORE, NAN if aborted else success * 100)
        self.log_episode_score(m.METRIC_REQUEST_SUCCESS, round(parsed / float(requests), 4))

    def _answer(self, action: dict[str, Any] | None) -> str | None:
        if action is None:
            return None
        if action["type"] == "parse":
            return action["answer"]
        if action["type"] == "invalid format":
            return rules.parse_liberal(action["original_content"], self.instance["player_2_response_pattern"])
        return None
