"""Scores of the wordle games (clembench 1.6), computed only from the final `metadata` event's
`data_for_computation`, so that episodes of every v1.6-era game master score alike.

Episode: Aborted/Lose/Success from `game_final_status`; requests = guesser + critic calls, parsed
likewise (a non-word counts as parsed), Request Success Ratio rounded to 2 places. Main Score: NaN
when aborted, 0 when lost; a win with n checked guesses scores, for `wordle`, 100 (n <= 3), 50, 30,
20 (n = 4, 5, 6), and for the clue and critic variants round(100 / n, 2). `repeats guess` and
`total guess repetitions` (NaN when aborted) look for repeated checked guesses.
Turns are the checked guesses "1".."n": request counts of that attempt, `closeness score`
(5 per green, 3 per yellow), `strategy score` (first guess 0, or 100 for a one-guess game, 0 for an
aborted one; later guesses: -20 per red letter of the previous guess reused, +20 per green and +10 per
yellow letter of the previous guess kept, as letter sets) and, with a critic, `change_of_opinion`.
Critic episode metrics: the share of kept / changed guesses after agreement and after disagreement;
only the exact lowercase "yes" counts as agreement (so "Yes"/"NO" count as disagreement), 0 when
there was no such case, NaN when the critic never gave a verdict that reached the guesser.
Without any checked guess, turn "1" holds NaN closeness and strategy scores.
"""

from __future__ import annotations

from typing import Any

from parlour.games import scorer as m
from parlour.games.scorer import GameScorer
from parlour.games.wordle.rules import parse_feedback

NAN = float("nan")


def closeness(feedback: str) -> int:
    colours = [colour for _, colour in parse_feedback(feedback)]
    return 5 * colours.count("green") + 3 * colours.count("yellow")


def strategy_scores(results: list[list[str]]) -> list[int]:
    if len(results) == 1:
        return [100]
    scores = [0]
    for (_, previous), (guess, _) in zip(results, results[1:], strict=False):
        letters = set(guess)
        marks = parse_feedback(previous)
        red = {letter for letter, colour in marks if colour == "red"}
        green = {letter for letter, colour in marks if colour == "green"}
        yellow = {letter for letter, colour in marks if colour == "yellow"}
        scores.append(-20 * len(red & letters) + 20 * len(green & letters) + 10 * len(yellow & letters))
    return scores


def decumulate(values: list[int]) -> list[int]:
    return [values[0]] + [b - a for a, b in zip(values, values[1:], strict=False)] if values else []


def final_data(interactions: dict[str, Any]) -> dict[str, Any] | None:
    """`data_for_computation` of the final `metadata` event (v1.6 puts it last in the last turn; an
    event appended after it, e.g. by an older game master, is skipped)."""
    for turn in reversed(interactions.get("turns") or []):
        for event in reversed(turn):
            data = event.get("action", {}).get("data_for_computation")
            if data:
                return data
    return None


class WordleScorer(GameScorer):
    #: "tiered" for wordle (100/50/30/20), "inverse" for the clue and critic variants (100/n)
    speed_rule = "tiered"

    def speed(self, guesses: int) -> float | int:
        if self.speed_rule == "tiered":
            return 100 if guesses <= 3 else {4: 50, 5: 30, 6: 20}.get(guesses, 0)
        return round(100 / guesses, 2) if guesses else 0

    def score_episode(self, interactions: dict[str, Any]) -> None:
        data = final_data(interactions)
        if data is None:
            return
        status = data["game_final_status"]
        aborted = 1 if status == "ABORTED" else 0
        lost = 1 if status == "LOSS" else 0
        self.log_episode_score(m.METRIC_ABORTED, aborted)
        self.log_episode_score(m.METRIC_LOSE, lost)
        self.log_episode_score(m.METRIC_SUCCESS, 1 if not (aborted or lost) else 0)
        self._request_counts(data)
        self._game_scores(data, aborted, lost)

    def _request_counts(self, data: dict[str, Any]) -> None:
        # episodes without a critic may lack the critic's counters
        requests = data["guesser_req_count"] + data.get("critic_req_count", 0)
        parsed = data["guesser_parsed_req_count"] + data.get("critic_parsed_req_count", 0)
        self.log_episode_score(m.METRIC_REQUEST_COUNT, requests)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_PARSED, parsed)
        self.log_episode_score(m.METRIC_REQUEST_COUNT_VIOLATED, requests - parsed)
        self.log_episode_score(m.METRIC_REQUEST_SUCCESS, round(parsed / requests, 2) if requests else 0)
        per_turn = decumulate(data["turns_req_count"])
        per_turn_parsed = decumulate(data["turns_parse_count"])
        for idx, value in enumerate(per_turn):
            self.log_turn_score(idx + 1, m.METRIC_REQUEST_COUNT, value)
        for idx, value in enumerate(per_turn_parsed):
            self.log_turn_score(idx + 1, m.METRIC_REQUEST_COUNT_PARSED, value)
        for idx, (value, value_parsed) in enumerate(zip(per_turn, per_turn_parsed, strict=False)):
            self.log_turn_score(idx + 1, m.METRIC_REQUEST_COUNT_VIOLATED, value - value_parsed)

    def _game_scores(self, data: dict[str, Any], aborted: int, lost: int) -> None:
        results = data["turns_guess_feedback"]
        guesses = [guess for guess, _ in results]
        repeats = len(guesses) - len(set(guesses))
        if aborted:
            main, repeats_guess, repetitions = NAN, NAN, NAN
        else:
            main = 0 if lost else self.speed(len(results))
            repeats_guess, repetitions = (1 if repeats else 0), repeats
        self.log_episode_score(m.BENCH_SCORE, main)
        self.log_episode_score("repeats guess", repeats_guess)
        self.log_episode_score("total guess repetitions", repetitions)
        closeness_scores: list[float] = [NAN]
        strategy: list[float] = [NAN]
        if results:
            closeness_scores = [closeness(feedback) for _, feedback in results]
            strategy = list(strategy_scores(results))
            if len(strategy) == 1 and aborted:
                strategy = [0]
        for idx, value in enumerate(closeness_scores):
            self.log_turn_score(idx + 1, "closeness score", value)
        for idx, value in enumerate(strategy):
            self.log_turn_score(idx + 1, "strategy score", value)
        if data.get("use_critic"):
            self._critic_scores(data.get("critic_guesses_change") or [])

    def _critic_scores(self, changes: list[list[str]]) -> None:
        if not changes:
            self.log_turn_score(1, "change_of_opinion", NAN)
            for name in _CRITIC_METRICS:
                self.log_episode_score(name, NAN)
            return
        counts = {"yes": [0, 0], "no": [0, 0]}  # [kept, changed]
        for idx, (before, after, agreement) in enumerate(changes):
            changed = 1 if before != after else 0
            self.log_turn_score(idx + 1, "change_of_opinion", changed)
            counts["yes" if agreement == "yes" else "no"][changed] += 1
        for side, (kept_name, changed_name) in zip(("yes", "no"), _CRITIC_PAIRS, strict=True):
            kept, changed = counts[side]
            total = kept + changed
            self.log_episode_score(kept_name, round(kept / total, 2) if total else 0)
            self.log_episode_score(changed_name, round(changed / total, 2) if total else 0)


_CRITIC_PAIRS = (
    ("Repetition-Guesser-On-Critic-Agreement", "Non-Repetition-Guesser-On-Critic-Agreement"),
    ("Repetition-Guesser-On-Critic-Disagreement", "Non-Repetition-Guesser-On-Critic-Disagreement"),
)
_CRITIC_METRICS = tuple(name for pair in _CRITIC_PAIRS for name in pair)


class WordleWithClueScorer(WordleScorer):
    speed_rule = "inverse"


class WordleWithCriticScorer(WordleScorer):
    speed_rule = "inverse"
