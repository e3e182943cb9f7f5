"""privateshared's reply formats, retries, slot filling and anticipation rules (v1.6 behaviour)."""

from __future__ import annotations

import pytest

from parlour.games.privateshared import rules

YES, NO = "yes", "no"


@pytest.mark.parametrize(
    ("reply", "parsed"),
    [
        ("ANSWER: London", "London"),
        ("ANSWER:London.", "London."),
        ("ANSWER: London\n", "London"),  # trailing newlines are no continuation
        ("\nANSWER: London", "NA"),  # must start with the tag
        ("Answer: London", "NA"),  # case-sensitive tag
        ("ANSWER London", "NA"),
        ("The answer is ANSWER: London", "NA"),
        ("ANSWER: London\nand Paris", "NA"),  # continuation after a line break
        ("ANSWER: London ANSWER: Paris", "London  Paris"),  # every tag is removed
        ("ANSWER:", ""),
    ],
)
def test_slot_answer_format(reply: str, parsed: str) -> None:
    assert rules.parse_slot_answer(reply, "ANSWER: ") == parsed


@pytest.mark.parametrize(
    ("reply", "parsed"),
    [
        ("ASIDE: yes", YES),
        ("ASIDE: no", NO),
        ("ASIDE:   YES\n", YES),
        ("ASIDE: Yes, I told you.", YES),
        ("ASIDE: No.", NO),
        ("ASIDE: Nope", NO),  # startswith "no"
        ("ASIDE: not sure", NO),  # v1.6 quirk, kept
        ("ASIDE: maybe", "NA"),
        ("ASIDE: I cannot say.", "NA"),
        ("ASIDE:\nyes", "NA"),
        ("ASIDE: yes\nI mentioned it.", "NA"),
        ("Yes.", "NA"),
        ("aside: yes", "NA"),
        ("ANSWER: yes", "NA"),
    ],
)
def test_probe_answer_format(reply: str, parsed: str) -> None:
    assert rules.parse_probe_answer(reply, "ASIDE: ", YES, NO) == parsed


def test_probe_values() -> None:
    assert rules.probe_value(YES, YES, NO) == 1
    assert rules.probe_value(NO, YES, NO) == 0
    assert rules.probe_value("NA", YES, NO) == rules.INVALID_LABEL == 2


def test_retry_question_wording() -> None:
    question = "ME: Is it known? Answer this question with yes or no and then stop."
    assert (
        rules.probe_question(question, "ME: ", "")
        == "ME:  Is it known? Answer this question with yes or no and then stop."
    )
    assert rules.probe_question(question, "ME: ", "Please be specific now.").startswith(
        "ME: Please be specific now. Is it known?"
    )


def test_slot_filling_is_case_insensitive_substring() -> None:
    assert rules.mentions("The cheapest", "ANSWER: the cheapest one, please")
    assert not rules.mentions("Plane", "ANSWER: by train")


def test_anticipation_moves_later_slots_only() -> None:
    slots = {"from": "London", "to": "Amsterdam", "by": "Plane", "when": "On March 3"}
    realised = {"when": 0, "to": 1, "from": 2, "by": 3}
    # turn 0 answers "when" and also mentions the plane (later) and London (later)
    moved = rules.anticipated(slots, realised, "ANSWER: On March 3 by plane from london", 0)
    assert moved == [("from", 2), ("by", 3)]  # in the instance's slot order
    # a slot already known earlier is not moved back
    assert rules.anticipated(slots, {"when": 0, "to": 1, "from": 0, "by": 3}, "ANSWER: London", 1) == []


def test_ground_truth() -> None:
    assert rules.ground_truth(0, 0) == 0  # round 0: nothing is known yet
    assert rules.ground_truth(1, 0) == 1  # known after the answer to request 0
    assert rules.ground_truth(2, 2) == 0
    assert rules.ground_truth(5, 4) == 1
