"""guesswhat: the guesser asks yes/no questions about a list of candidates and has one guess; the answerer
answers with one of the experiment's answer variations. Questions about letters, length, syllables or part of
speech, and a direct guess put as a question, break the rules.

The direct guess put as a question is reached only by a reply holding the control character U+0001: the
game's pattern has it where a backreference was meant. The last two aborts (a guess of two words, an
answer not among the variations) write only the generic "abort game"; the replies make them distinct."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clem_endings import Ending, Messages, Policy, role_of, turn

Scripted = Callable[[dict[str, Any], dict[str, Any]], Policy]
ROLES = {"guesser": "Your task is to ask a series of questions", "answerer": "answer the other player's questions"}
QUESTION = "QUESTION: Is it something you can drink?"


def play(guesser: Callable[[dict[str, Any], int], str], answer: str = "ANSWER: yes") -> Scripted:
    """The guesser's reply on each of its turns (from the instance), the answerer's always `answer`."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        def reply(messages: Messages) -> str:
            if role_of(messages, ROLES) == "guesser":
                return guesser(instance, turn(messages))
            return answer

        return reply

    return policy


def asks(first: str) -> Scripted:
    return play(lambda instance, n: first)


def guesses_after_a_question(word: Callable[[dict[str, Any]], str]) -> Scripted:
    return play(lambda instance, n: QUESTION if n == 0 else f"GUESS: {word(instance)}")


def wrong_candidate(instance: dict[str, Any]) -> str:
    return next(w for w in instance["candidate_list"] if w != instance["target_word"])


def content(name: str, question: str, message: str) -> Ending:
    return Ending("guesswhat", f"abort: {name}", "Aborted", asks(f"QUESTION: {question}"), shows=message)


ENDINGS = [
    Ending(
        "guesswhat", "win: the target guessed", "Success",
        guesses_after_a_question(lambda instance: instance["target_word"]), shows='"correct guess"',
    ),
    Ending("guesswhat", "loss: another candidate guessed", "Lose", guesses_after_a_question(wrong_candidate),
           shows='"incorrect guess"'),
    Ending("guesswhat", "loss: max turns of questions", "Lose", asks(QUESTION), shows="max turns reached"),
    Ending("guesswhat", "abort: neither question nor guess", "Aborted", asks("I think it is a drink."),
           shows="Guesser must use the form"),
    Ending("guesswhat", "abort: two questions in one turn", "Aborted",
           asks(QUESTION + " QUESTION: Is it a metal?"), shows="Multiple questions detected"),
    Ending("guesswhat", "abort: text after the question mark", "Aborted", asks(QUESTION + " Or a metal."),
           shows="Question must stop after the question mark"),
    content("question about a letter", "Does the target word start with the letter p?", "specific letters"),
    # The game's pattern holds the character \x01 where a backreference to the opening quote was meant, so only
    # a question with that character in place of the closing quote is taken for a direct guess
    content("direct guess as a question", "Is the target word 'pepsi\x01?", "Guessing without 'GUESS:'"),
    content("question about the length", "Does the target word have exactly 5 letters?", "length of the target"),
    content("question about syllables", "Does the target word have exactly two syllables?", "number of syllables"),
    content("question about the part of speech", "Is the target word a noun?", "part of speech"),
    Ending("guesswhat", "abort: guess of two words", "Aborted",
           guesses_after_a_question(lambda instance: "pepsi cola"), shows="abort game"),
    Ending("guesswhat", "abort: answer not one of the variations", "Aborted",
           play(lambda instance, n: QUESTION, "ANSWER: maybe"), shows="abort game"),
]  # fmt: skip
