"""privateshared's parsing and ground-truth rules, as clembench 1.6 applies them.

- A reply is one line: after stripping newlines at both ends no "\\n" may remain (a continuation).
- Slot answers must start with the answer tag without its trailing space ("ANSWER:"), case-sensitive;
  the parsed answer is the reply with every occurrence of that tag removed, stripped.
- Probe answers must start with "ASIDE:"; after removing the tag and stripping, the answer counts as
  yes/no if it *starts* with "yes"/"no" case-insensitively (so "Nope" and "not sure" are "no", and
  "Yesterday" is "yes": v1.6 behaviour, kept).
- A slot is filled when its value occurs case-insensitively anywhere in the raw reply (tag included).
- Anticipation: every slot whose value occurs in the reply and whose scheduled turn is later moves its
  ground-truth turn to the current one. A probe in round t has ground truth 1 iff t > that turn.
- Retry k (1-based) of a probe rewrites every "ME: " of the question as "ME: " + suffix[k-1] + " ",
  so the first try carries two spaces ("ME:  Does ...").
"""

from __future__ import annotations

INVALID = "NA"  # logged as the parse result of an unusable reply
INVALID_LABEL = 2  # probe value of an unusable reply (1 = yes, 0 = no)


def has_continuation(reply: str) -> bool:
    """True if the reply goes on after a line break (leading/trailing newlines are allowed)."""
    return "\n" in reply.strip("\n")


def parse_tagged(reply: str, tag: str) -> str:
    """The reply without its tag, or INVALID when it does not start with the tag or spans lines."""
    bare = tag.strip()
    if not reply.startswith(bare) or has_continuation(reply):
        return INVALID
    return reply.replace(bare, "").strip()


def parse_slot_answer(reply: str, answer_tag: str) -> str:
    return parse_tagged(reply, answer_tag)


def parse_probe_answer(reply: str, aside_tag: str, yes: str, no: str) -> str:
    """yes, no or INVALID."""
    content = parse_tagged(reply, aside_tag)
    if content == INVALID:
        return INVALID
    lowered = content.lower()
    if lowered.startswith(yes):
        return yes
    if lowered.startswith(no):
        return no
    return INVALID


def probe_value(parsed: str, yes: str, no: str) -> int:
    if parsed == yes:
        return 1
    if parsed == no:
        return 0
    return INVALID_LABEL


def mentions(value: str, reply: str) -> bool:
    """Whether a slot value occurs in a reply (case-insensitive substring)."""
    return value.lower() in reply.lower()


def anticipated(slots: dict[str, str], realised: dict[str, int], reply: str, turn: int) -> list[tuple[str, int]]:
    """(slot, previous turn) for each slot, in the instance's slot order, that this reply gives away early."""
    return [(slot, realised[slot]) for slot, value in slots.items() if mentions(value, reply) and turn < realised[slot]]


def ground_truth(round_idx: int, realised_turn: int) -> int:
    return 1 if round_idx > realised_turn else 0


def probe_question(question: str, me: str, suffix: str) -> str:
    """The probing question as sent on a try with the given retry suffix."""
    return question.replace(me, f"{me}{suffix} ")
