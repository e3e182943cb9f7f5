"""wordle_withcritic: wordle's guesser, given a clue, makes a guess, a critic agrees or not, and the guesser
then commits to a guess, which the master judges as wordle's. Its endings: the guesser's of wordle (with a
critic that agrees), a win after the critic disagrees, and an abort for each reply of the critic that the
master rejects (a parse error or an agreement other than yes or no: no re-prompt for the critic).

The critic is added before its prompt is set (master.py:454-467), so it never gets its instructions
(both runners alike): its first message is the guesser's reply, told apart by its leading `clue:`. Guesser
errors on the guess it commits to take the branches of its first guess: not scripted again."""

from __future__ import annotations

from typing import Any

from clem_endings import Ending, Messages, Policy, turn
from clem_endings.wordle import Builder, answer, guesser_endings, max_turns, win

GAME = "wordle_withcritic"
AGREE = answer("yes", "agreement:")


def is_critic(messages: Messages) -> bool:
    """The critic's first message is the clue and the guess alone: the master adds the critic with its
    initial prompt before it reads that prompt from the experiment (None then), so the critic never sees it."""
    return str(messages[0]["content"]).startswith("clue:")


def with_critic(guesser: Policy, critic: str = AGREE) -> Policy:
    """The guesser's policy, and the same reply of the critic on every turn."""

    def reply(messages: Messages) -> str:
        return critic if is_critic(messages) else guesser(messages)

    return reply


def critic_says(text: str) -> Builder:
    """The guesser guesses the target; the critic replies `text`."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        return with_critic(win(experiment, instance), text)

    return policy


def win_after_disagreement(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    """A wrong first guess, the critic disagrees, the guesser commits to the target."""
    wrong, right = max_turns(experiment, instance), win(experiment, instance)

    def guesser(messages: Messages) -> str:  # turns: a guess, then the guess it commits to
        return right(messages) if turn(messages) % 2 else wrong(messages)

    return with_critic(guesser, answer("no", "agreement:"))


CRITIC_ENDINGS = [
    ("no explanation: first", "agreement: yes", "should always start with the keyword"),
    ("more than two lines", AGREE + "\nthanks", "should contain only the"),
    ("no agreement: keyword", answer("yes", "verdict:"), "'agreement:' keyword exactly once"),
    ("agreement not one word", answer("no way", "agreement:"), "agreement should be a single word"),
    ("agreement not yes or no", answer("maybe", "agreement:"), "agreement should be one of the following"),
]

ENDINGS = [
    *guesser_endings(GAME, with_critic),
    Ending(GAME, "win after the critic disagrees", "Success", win_after_disagreement, shows="guess_agreement: no"),
    *(Ending(GAME, f"abort: critic {name}", "Aborted", critic_says(reply), shows=shows)
      for name, reply, shows in CRITIC_ENDINGS),
]  # fmt: skip
