"""wordle: one guesser guesses a five-letter word within n_turns, told after each guess which letters are
right. The master ends an episode on the target word (Success), on n_turns valid guesses (Lose) and on a
reply it rejects (Aborted): a parse error or a rule violation at once, a five-letter word outside its
vocabulary after max_retry_per_error re-prompts. wordle_withclue and wordle_withcritic share its guesser:
their modules build on GUESSER_ENDINGS.

Not among the endings: an empty reply and two `guess:` keywords (the branches of a missing explanation
and of no guess); the scorer's "neither aborted, lose nor success" error (master.py:599, unreachable); the
word lists of older instances (master.py:249; every 2.0 instance has `lang_keywords`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clem_endings import Ending, Policy, turn

Builder = Callable[[dict[str, Any], dict[str, Any]], Policy]
UNKNOWN = "zzzzz"  # five letters, in no experiment's official_words_list


def answer(content: str, keyword: str = "guess:") -> str:
    return f"explanation: a common five-letter word\n{keyword} {content}"


def always(text: str) -> Builder:
    """The same reply on every turn."""
    return lambda experiment, instance: lambda messages: text


def win(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    return lambda messages: answer(instance["target_word"])


def max_turns(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    """Valid words other than the target, a new one each turn."""
    words = experiment["lang_keywords"]["official_words_list"]
    others = [word for word in words if word != instance["target_word"]]
    return lambda messages: answer(others[turn(messages)])


def unknown_word(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    assert UNKNOWN not in experiment["lang_keywords"]["official_words_list"]
    return lambda messages: answer(UNKNOWN)


def win_after_reprompt(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    """A word outside the vocabulary (re-prompted), then the target."""
    first, then = unknown_word(experiment, instance), win(experiment, instance)
    return lambda messages: first(messages) if turn(messages) == 0 else then(messages)


# (name, outcome, the guesser's replies, the game's text for that ending)
GUESSER_ENDINGS: list[tuple[str, str, Builder, str]] = [
    ("win on the first guess", "Success", win, "game_result = WIN"),
    ("win after a re-prompted unknown word", "Success", win_after_reprompt, "not a valid word for this game"),
    ("loss: max turns reached", "Lose", max_turns, "game_result = LOSS"),
    ("abort: no explanation: first", "Aborted", always("guess: party"), "should always start with the keyword"),
    ("abort: more than two lines", "Aborted", always(answer("party") + "\nthanks"), "should contain only the"),
    ("abort: no guess: keyword", "Aborted", always(answer("party", "word:")), "'guess:' keyword exactly once"),
    ("abort: guess not letters only", "Aborted", always(answer("two words")), "should only contain letters"),
    ("abort: guess not 5 letters", "Aborted", always(answer("parties")), "length of the guessed word is not 5"),
    ("abort: unknown word past the re-prompts", "Aborted", unknown_word, "not a valid word for this game"),
]


def guesser_endings(game: str, players: Callable[[Policy], Policy] = lambda guesser: guesser) -> list[Ending]:
    """GUESSER_ENDINGS for `game`; `players` turns the guesser's policy into the episode's (adds others)."""

    def policy(guesser: Builder) -> Builder:
        return lambda experiment, instance: players(guesser(experiment, instance))

    return [
        Ending(game, name, outcome, policy(guesser), shows=shows) for name, outcome, guesser, shows in GUESSER_ENDINGS
    ]


ENDINGS = guesser_endings("wordle")
