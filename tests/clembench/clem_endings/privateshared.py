"""privateshared: a programmatic questioner asks the model (the answerer) for one slot of its private
information per round ("TAG: request", reply "ANSWER: ..."); before the first round and after each valid
answer the master probes it, one probe per slot ("ME: ... yes or no", reply "ASIDE: yes|no", not kept in
its history), whether the questioner knows that slot yet. A probe gets up to five tries; a probe never
answered in form aborts the episode. The episode ends after the last slot's round: Success when every
probe was right and every answer held its slot's value, Lose otherwise. An answer out of form is only
counted: that round has no slot and no probing, and the game goes on.

Not among the endings: every answer out of form; the game's scorer then divides by zero (master.py:429:
no slot filled), in both runners alike (parlour records a failed episode); a turn limit (there is none)."""

from __future__ import annotations

import json
from typing import Any

from clem_support import GAMES

from clem_endings import Ending, Messages, Policy

EXPERIMENT = "travel-booking"  # five slots: six probing rounds of five probes


def play(replies: dict[tuple[str, int], str]) -> Any:
    """Every probe right and every slot's value given, except the `replies` given, by ("probe" or "answer",
    round); a probe's override is its reply on every try. Round 0 is the probing before the first request,
    round r the request for the r-th slot and the probing after it."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        tag = f"{instance['tag']}: "
        texts = GAMES / "privateshared" / "resources" / "texts" / experiment["name"] / "probing_questions.json"
        questions = json.loads(texts.read_text(encoding="utf-8"))
        order = instance["request_order"]

        def reply(messages: Messages) -> str:
            last = str(messages[-1]["content"])
            requests = sum(1 for m in messages if m["role"] == "user" and str(m["content"]).startswith(tag))
            if last.startswith(tag):
                if ("answer", requests) in replies:
                    return replies["answer", requests]
                return f"ANSWER: {instance['slots'][order[requests - 1]]}"
            if ("probe", requests) in replies:
                return replies["probe", requests]
            (slot,) = [s for s, i in instance["probes"][str(requests)].items() if questions[s][i] in last]
            return "ASIDE: yes" if requests > order.index(slot) else "ASIDE: no"  # told in an earlier round

        return reply

    return policy


def ending(name: str, outcome: str, replies: dict[tuple[str, int], str], shows: str) -> Ending:
    return Ending("privateshared", name, outcome, play(replies), EXPERIMENT, shows)


ABORT = "Abort: invalid format in probing."

ENDINGS = [
    ending("win: every probe right, every slot given", "Success", {}, "Slot filled: True"),
    ending("loss: a probe answered wrong", "Lose", {("probe", 0): "ASIDE: yes"}, "Answer is incorrect."),
    ending("loss: a slot's value not given", "Lose", {("answer", 2): "ANSWER: soon enough"}, "Slot filled: False"),
    ending("abort: first probing without its tag", "Aborted", {("probe", 0): "no"}, ABORT),
    ending("abort: probing goes on a second line", "Aborted", {("probe", 1): "ASIDE: yes\nbecause"}, ABORT),
    ending("abort: probing neither yes nor no", "Aborted", {("probe", 3): "ASIDE: perhaps"}, ABORT),
    # an answer out of form skips its round's probing: one probing round fewer, and the probes still right
    ending(
        "answer without its tag: no abort", "Success", {("answer", 1): "Lisbon"}, '"Played Probe Rounds": 5'
    ),
    ending(
        "answer going on a second line: no abort", "Success", {("answer", 4): "ANSWER: Paris\nby the way"},
        '"Played Probe Rounds": 5',
    ),
]  # fmt: skip
