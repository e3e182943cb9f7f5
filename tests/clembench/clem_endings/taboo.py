"""taboo: the describer gives clues, the guesser guesses the target word within max_turns. The master ends
an episode on a correct guess (Success), on the round limit or a clue holding the target or a related word
(Lose: a clue error is a failure, not an abort, for its scorer) and on a reply missing its CLUE: or GUESS:
prefix (Aborted).

Every end condition of the master is scripted; the two prefix aborts write the same message, so the
describer's is told from the guesser's by the episode ending before the guesser is asked."""

from __future__ import annotations

from typing import Any

from clem_endings import Ending, Messages, Policy, role_of

ROLES = {"describer": "describe a target word", "guesser": "guess a target word"}
CLUE = "CLUE: the coldest time of the year"
WRONG_GUESS = "GUESS: nothing"


def play(describer: str = CLUE, guesser: str = WRONG_GUESS) -> Policy:
    """The same reply for a player on every turn."""

    def reply(messages: Messages) -> str:
        return describer if role_of(messages, ROLES) == "describer" else guesser

    return reply


def win(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    return play(guesser=f"GUESS: {instance['target_word']}")


def max_turns(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    return play()


def clue_with_target(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    return play(describer=f"CLUE: it rhymes with {instance['target_word']}")


def clue_with_related(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    return play(describer=f"CLUE: think of {instance['related_word'][0]}")


def describer_no_prefix(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    return play(describer=CLUE.removeprefix("CLUE: "))


def guesser_no_prefix(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    return play(guesser=f"My guess is {instance['target_word']}")


ENDINGS = [
    Ending("taboo", "win on the first guess", "Success", win, shows="correct guess"),
    Ending("taboo", "loss: max turns reached", "Lose", max_turns, shows="max rounds reached"),
    Ending("taboo", "loss: clue holds the target word", "Lose", clue_with_target, shows="Target word '"),
    Ending("taboo", "loss: clue holds a related word", "Lose", clue_with_related, shows="Related word '"),
    Ending("taboo", "abort: clue without CLUE:", "Aborted", describer_no_prefix, shows="invalid format"),
    Ending("taboo", "abort: guess without GUESS:", "Aborted", guesser_no_prefix, shows="invalid format"),
]
