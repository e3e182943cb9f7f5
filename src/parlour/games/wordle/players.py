"""Wordle's roles, with programmatic policies for tests with known outcomes.

Guesser policies: `oracle` (names the target at once: a win in one guess, Main Score 100), `solver`
(knows only the allowed words and uses the feedback: keeps the words consistent with every feedback
so far under v1.6's marking and guesses the one whose letters are most common among them),
`breaker` (no "guess:" tag: aborted on the 3rd reply), `invalid` (a well-formed non-word: aborted on
the 6th reply). After a critic's opinion the programmatic guesser keeps its guess.
Critic policies: `oracle` agrees exactly when the guess is the target; `breaker` answers without the
"agreement:" tag (re-prompted until parlour's safety bound aborts, see master.py); every other policy agrees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from parlour.chat import Model
from parlour.games.player import Player
from parlour.games.wordle import rules

FEEDBACK_PREFIX = "guess_feedback: "
SOLVER_OPENER = "crane"


def feedback_history(messages: Sequence[dict[str, str]]) -> list[tuple[str, str]]:
    """(guess, feedback) pairs read back from a guesser history (assistant echo + feedback message)."""
    pairs = []
    for echo, answer in zip(messages, messages[1:], strict=False):
        if echo["role"] == "assistant" and answer["role"] == "user" and answer["content"].startswith(FEEDBACK_PREFIX):
            guess = rules.find_tag(echo["content"] + "\n", "guess")
            pairs.append((guess, answer["content"][len(FEEDBACK_PREFIX) :]))
    return pairs


def consistent_words(words: Sequence[str], history: Sequence[tuple[str, str]]) -> list[str]:
    """The words that would have produced every (guess, feedback) seen so far."""
    return [w for w in words if all(rules.letter_feedback(g, w) == fb for g, fb in history)]


def best_guess(candidates: Sequence[str]) -> str:
    """The candidate whose distinct letters are most frequent among the candidates (ties: alphabetical)."""
    counts = Counter(letter for word in candidates for letter in set(word))
    return max(sorted(candidates), key=lambda w: sum(counts[letter] for letter in set(w)))


class Guesser(Player):
    role = "Word Guesser"

    def __init__(self, model: Model, target_word: str, allowed: Sequence[str]) -> None:
        super().__init__(model)
        self.target_word = target_word
        self.allowed = [w for w in allowed if len(w) == len(target_word) and w.isalpha() and w.islower()]

    def describe(self) -> str:
        return f"{self.role} ({self.model_name})"

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        if policy == "breaker":
            return f"I would say {self.target_word} this time."
        if policy == "invalid":
            return "guess: zzzzz\nexplanation: a made-up word"
        last = messages[-1]["content"] if messages else ""
        if "guess_agreement:" in last and len(messages) > 1:
            # the critic's opinion on my last guess: keep it
            kept = rules.find_tag(messages[-2]["content"] + "\n", "guess")
            return f"guess: {kept}\nexplanation: keeping my guess"
        if policy == "solver":
            history = feedback_history(messages)
            if not history:
                word = SOLVER_OPENER if SOLVER_OPENER in self.allowed else self.allowed[0]
            else:
                word = best_guess(consistent_words(self.allowed, history) or self.allowed)
            return f"guess: {word}\nexplanation: consistent with all feedback so far"
        return f"guess: {self.target_word}\nexplanation: I know the word"


class Critic(Player):
    role = "Word Guesser Critic"

    def __init__(self, model: Model, target_word: str) -> None:
        super().__init__(model)
        self.target_word = target_word

    def describe(self) -> str:
        return f"{self.role} ({self.model_name})"

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        if policy == "breaker":
            return "That looks like a reasonable guess to me."
        content = messages[-1]["content"] if messages else ""
        start = content.rfind("guess:")
        guess = rules.find_tag(content[start:] + "\n", "guess") if start != -1 else ""
        if policy == "oracle" and guess != self.target_word:
            return "agreement: no\nexplanation: that is not the word"
        return "agreement: yes\nexplanation: the guess fits the clue"
