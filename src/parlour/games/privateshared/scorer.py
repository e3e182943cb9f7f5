"""privateshared's scorer (clembench 1.6).

Turn scores exist for the played probing rounds only (a round counts as played when every probe got
a usable answer): request counts, probe Accuracy and, from round 1 on, `Slot Filled?` of the
answer just before it. Episode scores: `Middle-Accuracy` (accuracy of round int((n+1)/2) - 1, logged
only when that round was played; NaN if aborted), probe `Accuracy`, Cohen's `Kappa`,
`Truncated Kappa` = max(0, kappa), `Slot-Filling-Accuracy`, Main Score = 100 * harmonic mean of
slot-filling accuracy and truncated kappa (0 when both are 0, NaN when aborted), then the common
metrics; the request counts sum every round, played or not.
"""

from __future__ import annotations

import math
from typing import Any

from parlour.games import scorer as m
from parlour.games.privateshared.agreement import accuracy, cohen_kappa
from parlour.games.scorer import GameScorer

NAN = float("nan")


def main_score(slot_filling_accuracy: float, truncated_kappa: float) -> float:
    """100 x the harmonic mean of the two; 0 when both are 0; NaN when either is NaN."""
    if math.isnan(slot_filling_accuracy) or math.isnan(truncated_kappa):
        return NAN
    if slot_filling_accuracy + truncated_kappa == 0:
        return 0
    return 100 * (2 * slot_filling_accuracy * truncated_kappa / (slot_filling_accuracy + truncated_kappa))


def truncate_kappa(kappa: float) -> float:
    # max(0, kappa) as v1.6 writes it: a NaN kappa gives 0 (Python's max keeps the first argument)
    return max(0, kappa)


class PrivateSharedScorer(GameScorer):
    def _n_slots(self, interactions: dict[str, Any]) -> int:
        slots = self.instance.get("slots") if self.instance else None
        return len(slots) if slots else len(interactions["realised_slots"])

    def score_episode(self, interactions: dict[str, Any]) -> None:
        aborted = bool(interactions["Aborted"])
        middle = int((self._n_slots(interactions) + 1) / 2) - 1
        gold: list[int] = []
        pred: list[int] = []
        for turn in range(interactions["Played Probe Rounds"]):
            turn_gold = [probe["gt"] for probe in interactions["probes"][turn]]
            turn_pred = [probe["value"] for probe in interactions["probes"][turn]]
            for name in (m.METRIC_REQUEST_COUNT, m.METRIC_REQUEST_COUNT_PARSED, m.METRIC_REQUEST_COUNT_VIOLATED):
                self.log_turn_score(turn, name, interactions[name][turn])
            self.log_turn_score(turn, "Accuracy", accuracy(turn_gold, turn_pred))
            if turn != 0:  # round t follows the answer to request t-1
                self.log_turn_score(turn, "Slot Filled?", int(interactions["Filled Slots"][turn - 1]))
            gold += turn_gold
            pred += turn_pred
            if turn == middle:
                self.log_episode_score("Middle-Accuracy", NAN if aborted else accuracy(turn_gold, turn_pred))

        if aborted:
            acc = kappa = truncated = slot_filling = NAN
        else:
            acc = accuracy(gold, pred)
            kappa = cohen_kappa(gold, pred)
            truncated = truncate_kappa(kappa)
            filled = interactions["Filled Slots"]
            slot_filling = sum(filled) / len(filled)
        self.log_episode_score("Accuracy", acc)
        self.log_episode_score("Kappa", kappa)
        self.log_episode_score("Truncated Kappa", truncated)
        self.log_episode_score("Slot-Filling-Accuracy", slot_filling)
        self.log_episode_score(m.BENCH_SCORE, main_score(slot_filling, truncated))

        success = 0 if aborted else int(acc == 1.0 and slot_filling == 1.0)
        requests = sum(interactions[m.METRIC_REQUEST_COUNT])
        parsed = sum(interactions[m.METRIC_REQUEST_COUNT_PARSED])
        self.log_episode_score(m.METRIC_ABORTED, int(aborted))
        self.log_episode_score(m.METRIC_LOSE, 0 if aborted else int(not success))
        self.log_episode_score(m.METRIC_SUCCESS, success)
        self.log_episode_score(m.METRIC_REQUEST_COUNT, requests)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_PARSED, parsed)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_VIOLATED, sum(interactions[m.METRIC_REQUEST_COUNT_VIOLATED]))
        self.log_episode_score(m.METRIC_REQUEST_SUCCESS, parsed / requests)
