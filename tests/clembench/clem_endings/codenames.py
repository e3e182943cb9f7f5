"""codenames: the cluegiver gives a one-word clue and the board words it targets, the guesser guesses up to
that many words; a mock opponent reveals its own words after each round. The team wins when all its words
are revealed, loses when the opponent's are or when the guesser reveals a kill (assassin) word. Every 2.0
experiment strips stray characters and aborts on any other rule broken (no reprompt).

Not among the endings, unreachable with the 2.0 instances (players.py, master.py, board.py): "too few
lines" (a split reply has at least one line); invalid characters in a clue or guess (every experiment
strips them); a clue that is a board word (the check for a form of a board word fires first); "no correct
target/guess" (the first invalid one aborts, no experiment ignores them); re-prompts and ignored rambling
(off in every experiment); the team's win through the assassin (the mock opponent reveals only its own
words); "CONTEXT EXCEEDED" (a backend failure, not a reply); a turn limit (codenames has none)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from clem_endings import Ending, Messages, Policy, role_of, turn

Scripted = Callable[[dict[str, Any], dict[str, Any]], Policy]
Words = dict[str, list[str]]
ROLES = {"cluegiver": "Provide one single-word clue", "guesser": "Provide a comma-separated list of up to"}
CLUE = "zephyr"  # on no board of these instances, and like none of their words


def hidden(messages: Messages) -> list[str]:
    """The words still hidden, as the guesser's latest prompt lists them (its last paragraph)."""
    return str(messages[-1]["content"]).split("\n\n")[-1].split(", ")


def team_words(messages: Messages) -> list[str]:
    """The team's words still hidden, as the cluegiver's latest prompt lists them."""
    found = re.search(r"team words are: (.*)\.\n", str(messages[-1]["content"]))
    assert found, str(messages[-1]["content"])[-300:]
    return found.group(1).split(", ")


def play(
    cluegiver: Callable[[Words, Messages], str], guesser: Callable[[Words, Messages], str] | None = None
) -> Scripted:
    """Replies of each role from the instance's assignments and the messages; the guesser, unless given,
    guesses the first target."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        words = instance["assignments"]

        def reply(messages: Messages) -> str:
            if role_of(messages, ROLES) == "cluegiver":
                return cluegiver(words, messages)
            if guesser is None:
                return f"GUESS: {words['team'][0]}"
            return guesser(words, messages)

        return reply

    return policy


def clue(text: str = f"CLUE: {CLUE}", targets: str = "TARGETS: {team0}") -> Callable[[Words, Messages], str]:
    """The cluegiver's reply on every turn ({team0}, {team1}: the instance's first team words)."""
    return lambda words, messages: f"{text}\n{targets}".format(team0=words["team"][0], team1=words["team"][1])


def guess(text: str) -> Callable[[Words, Messages], str]:
    """The guesser's reply on every turn ({team0}, {team1}: the instance's first team words)."""
    return lambda words, messages: text.format(team0=words["team"][0], team1=words["team"][1])


def all_team_words(words: Words, messages: Messages) -> str:
    return f"CLUE: {CLUE}\nTARGETS: {', '.join(team_words(messages))}"


def hidden_of(kind: str) -> Callable[[Words, Messages], str]:
    """Guess every hidden word of the kind (team, opponent, assassin) that the board shows."""
    return lambda words, messages: "GUESS: " + ", ".join(w for w in hidden(messages) if w in words[kind])


def first_hidden_of(kind: str) -> Callable[[Words, Messages], str]:
    return lambda words, messages: "GUESS: " + next(w for w in hidden(messages) if w in words[kind])


def second_target_in_round_two(words: Words, messages: Messages) -> str:
    """The first team word is targeted in round 1, the second in round 2 (the guesser keeps to the first)."""
    return f"CLUE: {CLUE}\nTARGETS: {words['team'][turn(messages)]}"


def cluegiver_abort(name: str, reply: Callable[[Words, Messages], str], message: str) -> Ending:
    return Ending("codenames", f"abort: {name}", "Aborted", play(reply), shows=message)


def guesser_abort(name: str, reply: Callable[[Words, Messages], str], message: str, *, targets: int = 1) -> Ending:
    team = ", ".join(f"{{team{i}}}" for i in range(targets))
    return Ending("codenames", f"abort: {name}", "Aborted", play(clue(targets=f"TARGETS: {team}"), reply),
                  shows=message)  # fmt: skip


ENDINGS = [
    Ending("codenames", "win: all team words revealed", "Success", play(all_team_words, hidden_of("team")),
           shows="team has won"),
    # two opponent words a round from the mock opponent, one from the guesser: revealed in three rounds
    Ending("codenames", "loss: opponent words all revealed", "Lose", play(clue(), first_hidden_of("opponent")),
           experiment="opponent_difficult", shows="opponent has won"),
    Ending("codenames", "loss: a kill word guessed", "Lose", play(clue(), first_hidden_of("assassin")),
           experiment="risk_high", shows="opponent has won through assassin"),
    cluegiver_abort("clue over more than two lines", clue(targets="TARGETS: {team0}\nThat is all."),
                    "contained more than two lines"),
    cluegiver_abort("clue without its prefix", clue(text=f"Clue {CLUE}"), "clue did not start with the correct"),
    cluegiver_abort("targets without their prefix", clue(targets="{team0}"), "targets did not start with the"),
    cluegiver_abort("clue with the number of targets", clue(text=f"CLUE: {CLUE}, 1"),
                    "do not add the number of targets"),
    cluegiver_abort("clue of two words", clue(text="CLUE: west wind"), "contains spaces"),
    cluegiver_abort("clue a form of a board word", lambda words, messages: f"CLUE: {words['team'][0]}s\n"
                    f"TARGETS: {words['team'][1]}", "morphologically similar"),
    cluegiver_abort("target not on the board", clue(targets=f"TARGETS: {CLUE}"), "was not listed, you can only target"),
    cluegiver_abort("target twice", clue(targets="TARGETS: {team0}, {team0}"), "was targeted more than once"),
    # the first team word targeted and guessed in round 1, then targeted again in round 2
    Ending("codenames", "abort: target revealed already", "Aborted", play(clue()), shows="was already guessed, pay"),
    guesser_abort("guess over two lines", guess("GUESS: {team0}\nThat is all."), "contained more than one line"),
    guesser_abort("guess without its prefix", guess("{team0}"), "guesses did not start with the correct"),
    guesser_abort("more guesses than targets", guess("GUESS: {team0}, {team1}"), "You made too many guesses"),
    guesser_abort("guess is the clue", guess(f"GUESS: {CLUE}"), "is the same word as the provided clue"),
    guesser_abort("guess not on the board", guess("GUESS: mistral"), "was not listed, you can only guess"),
    guesser_abort("guess twice", guess("GUESS: {team0}, {team0}"), "appears more than once", targets=2),
    Ending("codenames", "abort: guess revealed already", "Aborted", play(second_target_in_round_two),
           shows="was already guessed previously"),
]  # fmt: skip
