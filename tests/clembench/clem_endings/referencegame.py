"""referencegame: the giver describes the first of three grids, the follower names which grid was meant; one
round. Both players' replies must match the instance's patterns; in strict mode (every 2.0 experiment) nothing
may follow on further lines.

Not among the endings: the lenient mode's branches (master.py:85, :99); no 2.0 experiment uses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clem_endings import Ending, Messages, Policy, role_of

Scripted = Callable[[dict[str, Any], dict[str, Any]], Policy]
ROLES = {"giver": "Describe the target grid.", "follower": "Which grid does the expression refer to?"}
INVALID = "Invalid generated expression"


def replies(expression: str, answer: str) -> Scripted:
    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        def reply(messages: Messages) -> str:
            return expression if role_of(messages, ROLES) == "giver" else answer

        return reply

    return policy


def answer(label: str) -> Scripted:
    """A valid expression and the follower's choice of grid (the instance's target grid is named first)."""
    return replies("Expression: the grid with two single boxes in the middle column", f"Answer: {label}")


ENDINGS = [
    Ending("referencegame", "win: the target grid chosen", "Success", answer("first"), shows="parse_correct"),
    Ending("referencegame", "loss: a distractor chosen", "Lose", answer("third"), shows="parse_wrong"),
    Ending(
        "referencegame", "abort: expression without its tag", "Aborted",
        replies("The grid with two boxes", "Answer: first"), shows=INVALID,
    ),
    Ending(
        "referencegame", "abort: strict expression followed by more text", "Aborted",
        replies("Expression: the grid with two boxes\nIt is the first one.", "Answer: first"), shows=INVALID,
    ),
    Ending(
        "referencegame", "abort: answer not a grid label", "Aborted",
        replies("Expression: the grid with two boxes", "Answer: fourth"), shows=INVALID,
    ),
    Ending(
        "referencegame", "abort: strict answer followed by more text", "Aborted",
        replies("Expression: the grid with two boxes", "Answer: first\nBecause of the boxes."), shows=INVALID,
    ),
]  # fmt: skip
