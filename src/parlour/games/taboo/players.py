"""Taboo's roles, with programmatic policies for tests with known outcomes.

Policies: `oracle` (describer gives a safe clue, guesser names the target: a win in one turn),
`breaker` (replies without the required prefix: the episode is aborted), `violator` (the describer
uses the target word: a loss by rule violation), `wrong` (the guesser never finds the word: a loss).
"""

from __future__ import annotations

from parlour.chat import Model
from parlour.games.player import Player
from parlour.games.taboo.rules import clue_violations

# Candidate clues for the oracle describer; the first one that breaks no taboo rule is used.
_SAFE_CLUES = ("a mystery term", "the hidden item", "a secret concept", "think carefully please")


class WordDescriber(Player):
    role = "WordDescriber"

    def __init__(self, model: Model, target_word: str, related_words: list[str]) -> None:
        super().__init__(model)
        self.target_word = target_word
        self.related_words = related_words

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        if policy == "breaker":
            return f"Here is my hint for turn {turn_idx + 1}."
        if policy == "violator":
            return f"CLUE: it sounds like {self.target_word}"
        for clue in _SAFE_CLUES:
            if not clue_violations(clue, self.target_word, self.related_words):
                return f"CLUE: {clue.capitalize()}."
        return "CLUE: ?"


class WordGuesser(Player):
    role = "WordGuesser"

    def __init__(self, model: Model, target_word: str) -> None:
        super().__init__(model)
        self.target_word = target_word

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        if policy == "breaker":
            return f"My guess is {self.target_word}"
        if policy in ("wrong", "violator"):
            return f"GUESS: not{self.target_word}"
        return f"GUESS: {self.target_word}"
