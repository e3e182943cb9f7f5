"""referencegame's parsing rules, as clembench 1.6 applies them (patterns come from the instance).

- Expression (Player 1): the pattern (v1.6: `^expression:\\s(?P<content>.+)\\n*(?P<remainder>.*)`) is
  matched case-insensitively and the reply is valid only if `remainder` is empty: one line, trailing
  newlines allowed. Anything else aborts the game before Player 2 is asked.
- Answer (Player 2): the game master applies the same rule (pattern must match, `remainder` empty) and
  logs `invalid format` otherwise, but the v1.6 scorer re-matches the text of an `invalid format` answer
  and accepts any match ("liberal parsing"): in effect the reply only has to start with "answer:", one
  whitespace character and one of the options; whatever follows is ignored. The options are tried in
  the pattern's order, so "Answer: 1st" yields "1".
"""

from __future__ import annotations

import re


def parse_strict(text: str, pattern: str) -> str | None:
    """The `content` group when the pattern matches and nothing remains after it, else None."""
    match = re.match(pattern, text, re.IGNORECASE)
    if match is None or match.group("remainder") != "":
        return None
    return match.group("content")


def parse_liberal(text: str, pattern: str) -> str | None:
    """The `content` group whenever the pattern matches (v1.6 scorer's re-parse of invalid answers)."""
    match = re.match(pattern, text, re.IGNORECASE)
    return None if match is None else match.group("content")


def is_correct(answer: str, target_grid_name: list[str] | str) -> bool:
    """v1.6 compares with `in`: a list of names (["first", "1st", "1"]) or, in older instance files,
    one string (then a substring check, as v1.6 does)."""
    return answer.lower() in target_grid_name
