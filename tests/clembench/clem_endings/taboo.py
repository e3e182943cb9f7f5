"""taboo: the describer gives clues, the guesser guesses the target word within max_turns."""

from __future__ import annotations

from typing import Any

from clem_endings import Ending, Messages, Policy, role_of

ROLES = {"describer": "describe a target word", "guesser": "guess a target word"}


def win(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    def reply(messages: Messages) -> str:
        if role_of(messages, ROLES) == "describer":
            return "CLUE: the coldest time of the year"
        return f"GUESS: {instance['target_word']}"

    return reply


ENDINGS = [Ending("taboo", "win on the first guess", "Success", win)]
