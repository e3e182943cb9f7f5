"""matchit_ascii: two players each see a grid, describe it, ask and answer questions for `decision_turn`
rounds, then both decide whether the grids are the same. Every reply must start with the flag the master
expects at that point (DESCRIPTION, QUESTION, ANSWER, DECISION); the decisions must be one of the two
solutions word for word. There is no turn limit besides the fixed decision round.

Each player's n-th reply (n = `turn`) is always of the same kind (decision_turn 3 here):
A: description, then (answer, question) three times, then the decision;
B: description, question, then (answer, question) twice, answer, then the decision.

Not among the endings: B alone deciding right (the scorer's branch of A alone deciding right); a turn
limit (there is none)."""

from __future__ import annotations

from typing import Any

from clem_endings import Ending, Messages, Policy, role_of, turn

EXPERIMENT = "different_grid"  # the grids differ, so the players' first messages tell them apart
DECISION = 7  # each player's reply that holds its decision


def play(replies: dict[tuple[str, int], str]) -> Any:
    """Flags in their places and both decisions right, except the `replies` given, by (role, turn)."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        flags = experiment["flags"]
        roles = {"A": instance["grid_a"], "B": instance["grid_b"]}

        def reply(messages: Messages) -> str:
            role, n = role_of(messages, roles), turn(messages)
            if (role, n) in replies:
                return replies[role, n]
            last = str(messages[-1]["content"])
            if n == 0:
                return f"{flags['description']} the grid of player {role}"
            if experiment["d_reprompt"] in last:
                return f"{flags['decision']} {experiment['solution']}"
            if experiment["a_request"] in last:
                return f"{flags['answer']} player {role} answers reply {n}"
            return f"{flags['question']} player {role} asks in reply {n}"

        return reply

    return policy


def wrong(role: str) -> dict[tuple[str, int], str]:
    """`role` decides for the experiment's wrong_solution."""
    return {(role, DECISION): "DECISION: same grid"}


def ending(name: str, outcome: str, overrides: dict[tuple[str, int], str], shows: str) -> Ending:
    return Ending("matchit_ascii", name, outcome, play(overrides), EXPERIMENT, shows)


ENDINGS = [
    ending("win: both decide right", "Success", {}, '"success"'),
    ending("loss: both decide wrong", "Lose", {**wrong("A"), **wrong("B")}, '"loss"'),
    ending("loss: only A decides right", "Lose", wrong("B"), '"loss"'),
    ending("abort: empty message", "Aborted", {("A", 0): "  "}, "abort, empty message"),
    ending(
        "abort: description without its flag", "Aborted", {("A", 0): "Mine: a grid"},
        "first word: Mine:, but expected DESCRIPTION:",
    ),
    ending(
        "abort: first question without its flag", "Aborted", {("B", 1): "ASK: is it?"},
        "first word: ASK:, but expected QUESTION:",
    ),
    ending(
        "abort: answer without its flag", "Aborted", {("A", 1): "Yes. It is"},
        "first word: Yes., but expected ANSWER:",
    ),
    ending(
        "abort: question without its flag", "Aborted", {("A", 2): "Q: is it?"},
        "first word: Q:, but expected QUESTION:",
    ),
    ending(
        "abort: B's last answer without its flag", "Aborted", {("B", 6): "Reply: it is"},
        "first word: Reply:, but expected ANSWER:",
    ),
    ending(
        "abort: B's decision without its flag", "Aborted", {("B", DECISION): "Verdict: same grid"},
        "first word: Verdict:, but expected DECISION:",
    ),
    ending(
        "abort: B's decision neither solution", "Aborted", {("B", DECISION): "DECISION: maybe"},
        "abort, wrong message content.",
    ),
    ending(
        "abort: A's decision without its flag", "Aborted", {("A", DECISION): "Final: same grid"},
        "first word: Final:, but expected DECISION:",
    ),
    ending(
        "abort: A's decision neither solution", "Aborted", {("A", DECISION): "DECISION: perhaps"},
        "abort, wrong message content.",
    ),
]  # fmt: skip
