"""imagegame: the giver describes a target grid command by command, the follower draws the grid after each;
the giver ends with "Command: DONE". Success when the last grid drawn matches the target (F1 >= 99).

Not among the endings: "Command: DONE" as the giver's first reply; the master accepts it, then the
game's scorer divides by zero (master.py:300), in both runners alike (parlour records a failed episode)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clem_endings import Ending, Messages, Policy, role_of, turn

Scripted = Callable[[dict[str, Any], dict[str, Any]], Policy]
ROLES = {"giver": "I want you to describe this grid to me", "follower": "you return the grid by applying"}
COMMAND = "Command: Fill the last row with B"


def play(giver: Callable[[int], str], grid: Callable[[dict[str, Any]], str]) -> Scripted:
    """The giver's reply on each of its turns, the follower's grid (from the instance) on every turn."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        def reply(messages: Messages) -> str:
            if role_of(messages, ROLES) == "giver":
                return giver(turn(messages))
            return grid(instance)

        return reply

    return policy


def target(instance: dict[str, Any]) -> str:
    return instance["target_grid"]


def other(instance: dict[str, Any]) -> str:
    """A valid grid of the instance's size with no cell as in the target: a letter none of its cells holds."""
    letter = next(c for c in "XYZQ" if c not in instance["target_grid"])
    return "".join(cell if cell.isspace() else letter for cell in instance["target_grid"])


def done_after_one(n: int) -> str:
    return COMMAND if n == 0 else "Command: DONE"


ENDINGS = [
    Ending("imagegame", "win: the target drawn, then done", "Success", play(done_after_one, target),
           shows="found terminate pattern"),
    Ending("imagegame", "loss: another grid drawn, then done", "Lose", play(done_after_one, other),
           shows="found terminate pattern"),
    Ending("imagegame", "loss: turn limit reached", "Lose", play(lambda n: COMMAND, other),
           shows="turn limit reached"),
    Ending("imagegame", "abort: command without its tag", "Aborted", play(lambda n: "Fill the last row", target),
           shows="Invalid instruction format"),
    Ending("imagegame", "abort: grid not 5 by 5", "Aborted", play(lambda n: COMMAND, lambda instance: "B B B"),
           shows="Invalid grid format"),
]  # fmt: skip
