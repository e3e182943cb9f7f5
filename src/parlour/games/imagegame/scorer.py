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


class ImageGameScorer(GameScorer):
    def score_episode(self, interactions: dict[str, Any]) -> None:
        target = self.instance["target_grid"]
        instruction_pattern = self.instance["player_1_response_pattern"]
        terminate_pattern = self.instance["player_1_terminate_pattern"]
        grid_pattern = self.instance["player_2_response_pattern"]

        precision: float = 0
        recall: float = 0
        f1: float = 0
        previous_grid = rules.empty_grid(5)  # v1.6 starts from a fixed 5×5 empty grid
        changed_sum = length_sum = tokens_sum = 0
        requests = parsed = violated = 0
        aborted = False
        valid_turns = 0

        for t_index, turn in enumerate(interactions["turns"]):
            instruction = _reply(turn, 1)
            if instruction is None:  # the call failed: a request not parsed, the episode aborted
                requests += 1
                violated += 1
                aborted = True
                break
            if re.match(terminate_pattern, instruction, re.IGNORECASE):
                break
            requests += 1
            if re.match(instruction_pattern, instruction, re.IGNORECASE) is None:
                violated += 1
                aborted = True
                break
            parsed += 1
            instruction = instruction.split("\n")[0]
            grid = _reply(turn, 4)
            requests += 1
            if grid is None:
                violated += 1
                aborted = True
                break
            if re.match(grid_pattern, grid) is None:
                violated += 1
                aborted = True
                break
            parsed += 1

            scores = rules.evaluate(target, grid)
            if scores is not None:
                precision, recall, f1 = scores
            valid_turns += 1
            text = rules.instruction_text(instruction)
            length, tokens = len(text), len(text.split(" "))
            length_sum += length
            tokens_sum += tokens
            changed = rules.changed_cells(previous_grid, grid)
            changed = 0 if changed is None else changed
            changed_sum += changed
            previous_grid = grid

            self.log_turn_score(t_index, "Generated Expression Length", length)
            self.log_turn_score(t_index, "Generated Expression Number of Tokens", tokens)
            self.log_turn_score(t_index, "Precision", precision)
            self.log_turn_score(t_index, "Recall", recall)
            self.log_turn_score(t_index, "F1", f1)
            self.log_turn_score(t_index, "Changed Cell Count", changed)
            self.log_turn_score(t_index, m.METRIC_REQUEST_COUNT, 2)
            self.log_turn_score(t_index, m.METRIC_REQUEST_COUNT_PARSED, 2)
            self.log_turn_score(t_index, m.METRIC_REQUEST_COUNT_VIOLATED, 0)

        if aborted:
            for name in ("Precision", "Recall", "F1", m.BENCH_SCORE):
                self.log_episode_score(name, NAN)
            self._log_averages(NAN, NAN, NAN)
            self.log_episode_score(m.METRIC_SUCCESS, 0)
            self.log_episode_score(m.METRIC_LOSE, 0)
            self.log_episode_score(m.METRIC_ABORTED, 1)
        else:
            self.log_episode_score("Precision", precision)
            self.log_episode_score("Recall", recall)
            self.log_episode_score("F1", f1)
            self.log_episode_score(m.BENCH_SCORE, f1)
            if valid_turns:
                self._log_averages(
                    round(changed_sum / float(valid_turns), 4),
                    round(length_sum / float(valid_turns), 4),
                    round(tokens_sum / float(valid_turns), 4),
                )
            else:  # DONE before any instruction (v1.6 crashes here; see the module docstring)
                self._log_averages(NAN, NAN, NAN)
            won = f1 >= 99
            self.log_episode_score(m.METRIC_SUCCESS, 1 if won else 0)
            self.log_episode_score(m.METRIC_LOSE, 0 if won else 1)
            self.log_episode_score(m.METRIC_ABORTED, 0)

        self.log_episode_score(m.METRIC_REQUEST_COUNT, requests)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_VIOLATED, violated)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_PARSED, parsed)
        self.log_episode_score(m.METRIC_REQUEST_SUCCESS, round(parsed / float(requests), 4) if requests else 0)

    def _log_averages(self, changed: float, length: float, tokens: float) -> None:
        self.log_episode_score("Average Changed Cell Count", changed)
        self.log_episode_score("Average Generated Instruction Length", length)
        self.log_episode_score("Average Generated Expression Number of Tokens", tokens)
