"""The state of one wordle episode and v1.6's rules of continuation over it (v1.6's `WordleGame`).

One attempt is consumed by each validated guess. A guesser reply with a format error (INVALID_FORMAT,
INVALID_WORD, INVALID_WORD_LENGTH) is re-prompted without consuming an attempt and the 3rd consecutive
one aborts; a well-formed word outside the allowed list (NOT_VALID_ENGLISH_WORD) counts as parsed,
resets the format-error counter and aborts on the 6th consecutive time. A valid guess resets both.
A malformed critic verdict is re-prompted (see master.py for how long).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parlour.games.wordle import rules


@dataclass
class WordleState:
    max_attempts: int
    max_retry: int
    max_retry_invalid_word: int
    use_critic: bool
    attempts: int = 0
    solved: bool = False
    guesser_error: str | None = None
    critic_error: str | None = None
    guesser_retry: int = 0
    guesser_retry_invalid_word: int = 0
    critic_retry: int = 0
    guesser_req_count: int = 0
    critic_req_count: int = 0
    guesser_parsed_req_count: int = 0
    critic_parsed_req_count: int = 0
    turn_results: list[list[str]] = field(default_factory=list)
    turn_req_count: list[int] = field(default_factory=list)
    turn_parse_count: list[int] = field(default_factory=list)
    change_guess_words: list[list[str]] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: dict[str, Any], use_critic: bool) -> WordleState:
        """From an experiment's `common_config`."""
        return cls(
            max_attempts=int(config["max_attempts_per_game"]),
            max_retry=int(config["max_retry_per_error"]),
            max_retry_invalid_word=int(config["max_retry_invalid_word"]),
            use_critic=use_critic,
        )

    def proceeds(self) -> bool:
        if self.solved:
            return False
        if self.use_critic and self.critic_error:
            if self.critic_error == rules.CONTEXT_EXCEEDED_ERROR:
                return False
            return self.critic_retry < self.max_retry
        if self.guesser_error:
            if self.guesser_error in (rules.NO_CLUE_FOUND, rules.CONTEXT_EXCEEDED_ERROR):
                return False
            if self.guesser_error == rules.NOT_VALID_ENGLISH_WORD:
                return self.guesser_retry_invalid_word < self.max_retry_invalid_word
            return self.guesser_retry < self.max_retry
        return self.attempts < self.max_attempts

    def final_status(self) -> str:
        if self.use_critic and self.critic_error:
            return self.critic_error
        if self.guesser_error:
            return self.guesser_error
        if not self.solved and self.attempts == self.max_attempts:
            return "MAX_ATTEMPTS_REACHED"
        return "SUCCESS"

    def result(self) -> str:
        """WIN, LOSS or ABORTED, as data_for_computation's `game_final_status`."""
        status = self.final_status()
        if status in rules.ABORTING_ERRORS or status == rules.NO_CLUE_FOUND:
            return "ABORTED"
        return "LOSS" if status == "MAX_ATTEMPTS_REACHED" else "WIN"

    def before_guesser_call(self) -> None:
        """A re-prompt after an error counts against that error's retry counter."""
        if self.guesser_error == rules.NOT_VALID_ENGLISH_WORD:
            self.guesser_retry_invalid_word += 1
        elif self.guesser_error:
            self.guesser_retry += 1
        self.guesser_req_count += 1

    def after_guesser_reply(self, error: str | None) -> None:
        self.guesser_error = error
        if error is None:
            self.guesser_retry = 0
            self.guesser_retry_invalid_word = 0
            self.guesser_parsed_req_count += 1
        elif error == rules.NOT_VALID_ENGLISH_WORD:
            self.guesser_retry = 0
            self.guesser_parsed_req_count += 1

    def before_critic_call(self) -> None:
        if self.critic_error:
            self.critic_retry += 1
        self.critic_req_count += 1

    def after_critic_reply(self, error: str | None) -> None:
        self.critic_error = error
        if error is None:
            self.critic_retry = 0
            self.critic_parsed_req_count += 1

    def record_guess(self, guess: str, feedback: str) -> None:
        """A validated guess, with the cumulative request counts at that point."""
        self.solved = self.solved or rules.is_solved(feedback)
        self.turn_results.append([guess, feedback])
        critic_requests = self.critic_req_count if self.use_critic else 0
        critic_parsed = self.critic_parsed_req_count if self.use_critic else 0
        self.turn_req_count.append(self.guesser_req_count + critic_requests)
        self.turn_parse_count.append(self.guesser_parsed_req_count + critic_parsed)

    def counts(self) -> dict[str, Any]:
        """The counters part of data_for_computation, in v1.6's key order."""
        return {
            "total_attempts": self.attempts,
            "turns_req_count": self.turn_req_count,
            "turns_parse_count": self.turn_parse_count,
            "turns_guess_feedback": self.turn_results,
            "critic_guesses_change": self.change_guess_words,
            "guesser_error": self.guesser_error,
            "critic_error": self.critic_error,
            "guesser retry count": self.guesser_retry,
            "critic retry count": self.critic_retry,
            "guesser_req_count": self.guesser_req_count,
            "critic_req_count": self.critic_req_count,
            "guesser_parsed_req_count": self.guesser_parsed_req_count,
            "critic_parsed_req_count": self.critic_parsed_req_count,
        }
