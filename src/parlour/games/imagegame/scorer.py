"""imagegame's scorer (clembench 1.6).

Per turn, until the giver says DONE (that request is not counted): the giver's reply must match the
instruction pattern and the follower's the grid pattern, otherwise the episode is aborted (the
aborted turn gets no turn scores, but its requests count). A valid turn scores the drawn grid's
Precision/Recall/F1 against the target (integers, see rules.evaluate; where v1.6's evaluation
raises, the previous turn's values are kept), the instruction's length and token count, and the
cells changed since the previous grid (initially all empty).

Episode: Main Score = F1 of the last drawn grid; Success if F1 ≥ 99, else Lose; averages over
the valid turns (4 decimals). Aborted: Precision/Recall/F1/Main Score and the averages are NaN,
Success and Lose 0.

Difference from v1.6: when the giver says DONE before any instruction, v1.6 divides by zero and
writes no scores.json. parlour scores it as a played, lost game: nothing was drawn, so Precision,
Recall, F1 and Main Score are 0 (the values v1.6 starts from), Lose 1, and the averages over zero
instructions are NaN; no request is counted (DONE never is), so Request Success Ratio is 0.
A call that failed (a prompt beyond the model's context, see games/master.py) counts as a request
that was not parsed, and the episode as aborted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from parlour.games import scorer as m
from parlour.games.imagegame import rules
from parlour.games.scorer import GameScorer

NAN = float("nan")


def _reply(turn: list[dict[str, Any]], index: int) -> str | None:
    """The player's reply logged at `index` of the turn; None where its call failed (no `get message`:
    a prompt beyond the model's context, parlour's rule in games/master.py)."""
    if len(turn) > index and turn[index]["action"]["type"] == "get message":
        return turn[index]["action"]["content"]
    return None


@dataclass
class _Tally:
    """What the turns of an episode add up to, in the order the scorer reads them."""

    previous_grid: str
    precision: float = 0
    recall: float = 0
    f1: float = 0
    changed_sum: int = 0
    length_sum: int = 0
    tokens_sum: int = 0
    requests: int = 0
    parsed: int = 0
    violated: int = 0
    valid_turns: int = 0
    aborted: bool = False

    def violation(self) -> bool:
        """A request that broke its format (or failed) aborts the episode; False: stop reading turns."""
        self.violated += 1
        self.aborted = True
        return False


class ImageGameScorer(GameScorer):
    def score_episode(self, interactions: dict[str, Any]) -> None:
        tally = _Tally(previous_grid=rules.empty_grid(5))  # v1.6 starts from a fixed 5×5 empty grid
        for t_index, turn in enumerate(interactions["turns"]):
            if not self._score_turn(t_index, turn, tally):
                break
        self._log_episode(tally)

    def _score_turn(self, t_index: int, turn: list[dict[str, Any]], tally: _Tally) -> bool:
        """Count the turn's requests and score its drawing; False when the episode ends in this turn."""
        instruction = _reply(turn, 1)
        if instruction is not None and re.match(self.instance["player_1_terminate_pattern"], instruction, re.I):
            return False  # DONE: not counted as a request
        tally.requests += 1
        if instruction is None or re.match(self.instance["player_1_response_pattern"], instruction, re.I) is None:
            return tally.violation()
        tally.parsed += 1
        grid = _reply(turn, 4)
        tally.requests += 1
        if grid is None or re.match(self.instance["player_2_response_pattern"], grid) is None:
            return tally.violation()
        tally.parsed += 1
        self._score_drawing(t_index, instruction.split("\n")[0], grid, tally)
        return True

    def _score_drawing(self, t_index: int, instruction: str, grid: str, tally: _Tally) -> None:
        scores = rules.evaluate(self.instance["target_grid"], grid)
        if scores is not None:  # where v1.6's evaluation raises, the previous values are kept
            tally.precision, tally.recall, tally.f1 = scores
        tally.valid_turns += 1
        text = rules.instruction_text(instruction)
        length, tokens = len(text), len(text.split(" "))
        tally.length_sum += length
        tally.tokens_sum += tokens
        changed = rules.changed_cells(tally.previous_grid, grid)
        changed = 0 if changed is None else changed
        tally.changed_sum += changed
        tally.previous_grid = grid

        self.log_turn_score(t_index, "Generated Expression Length", length)
        self.log_turn_score(t_index, "Generated Expression Number of Tokens", tokens)
        self.log_turn_score(t_index, "Precision", tally.precision)
        self.log_turn_score(t_index, "Recall", tally.recall)
        self.log_turn_score(t_index, "F1", tally.f1)
        self.log_turn_score(t_index, "Changed Cell Count", changed)
        self.log_turn_score(t_index, m.METRIC_REQUEST_COUNT, 2)
        self.log_turn_score(t_index, m.METRIC_REQUEST_COUNT_PARSED, 2)
        self.log_turn_score(t_index, m.METRIC_REQUEST_COUNT_VIOLATED, 0)

    def _log_episode(self, tally: _Tally) -> None:
        if tally.aborted:
            for name in ("Precision", "Recall", "F1", m.BENCH_SCORE):
                self.log_episode_score(name, NAN)
            self._log_averages(NAN, NAN, NAN)
            self.log_episode_score(m.METRIC_SUCCESS, 0)
            self.log_episode_score(m.METRIC_LOSE, 0)
            self.log_episode_score(m.METRIC_ABORTED, 1)
        else:
            self.log_episode_score("Precision", tally.precision)
            self.log_episode_score("Recall", tally.recall)
            self.log_episode_score("F1", tally.f1)
            self.log_episode_score(m.BENCH_SCORE, tally.f1)
            if tally.valid_turns:
                self._log_averages(
                    round(tally.changed_sum / float(tally.valid_turns), 4),
                    round(tally.length_sum / float(tally.valid_turns), 4),
                    round(tally.tokens_sum / float(tally.valid_turns), 4),
                )
            else:  # DONE before any instruction (v1.6 crashes here; see the module docstring)
                self._log_averages(NAN, NAN, NAN)
            won = tally.f1 >= 99
            self.log_episode_score(m.METRIC_SUCCESS, 1 if won else 0)
            self.log_episode_score(m.METRIC_LOSE, 0 if won else 1)
            self.log_episode_score(m.METRIC_ABORTED, 0)

        requests, parsed = tally.requests, tally.parsed
        self.log_episode_score(m.METRIC_REQUEST_COUNT, requests)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_VIOLATED, tally.violated)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_PARSED, parsed)
        self.log_episode_score(m.METRIC_REQUEST_SUCCESS, round(parsed / float(requests), 4) if requests else 0)

    def _log_averages(self, changed: float, length: float, tokens: float) -> None:
        self.log_episode_score("Average Changed Cell Count", changed)
        self.log_episode_score("Average Generated Instruction Length", length)
        self.log_episode_score("Average Generated Expression Number of Tokens", tokens)
