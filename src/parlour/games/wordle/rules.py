"""Wordle's parsing, validity checks and letter feedback, as clembench 1.6 applies them.

Parsing (`parse_reply`): a newline is appended to the reply, then for each tag the FIRST occurrence of
`<tag>:` (case-sensitive) is taken, up to the next newline, stripped. A missing tag gives the string
`INVALID_FORMAT` in its place. So "guess:medal didn't fit\\nguess:pedal" yields the guess
"medal didn't fit", and a "guess:" inside an explanation line is matched before a later guess line.

Checks (`guess_error`), in this order: `INVALID_FORMAT` (no tag), `INVALID_WORD` (not `str.isalpha`),
`INVALID_WORD_LENGTH` (not 5 letters), `NOT_VALID_ENGLISH_WORD` (not in the allowed list; compared as
is, with no lower-casing, so "CRANE" and "Crane" fail). The critic's agreement must be exactly one of
the experiment's `agreement_match_keywords` (yes/no/Yes/No/YES/NO), else `INVALID_FORMAT`.

The literal text `CONTEXT_EXCEEDED_ERROR` is a signal to v1.6's parser (the string its game master puts in
place of a reply that did not fit the context), and parlour reproduces this on purpose: a reply without
the tag that contains it anywhere yields `CONTEXT_EXCEEDED_ERROR` for that tag instead of
`INVALID_FORMAT`, and a guess that is exactly `CONTEXT_EXCEEDED_ERROR` (tagged or not) ends the episode
as aborted. For the critic's agreement v1.6 still makes it `INVALID_FORMAT` (re-prompted; only
clembench's later critic fix aborts on it); its explanation keeps the literal like the guesser's.

Feedback (`letter_feedback`) reproduces v1.6's marking, including its repeated-letter behaviour: each
guess letter looks up the first target position of that letter not yet claimed; if that position is
its own it is green, if the guess has the same letter at that position it is red, otherwise yellow.
So target "spree", guess "spare" marks the final e yellow (fixed upstream only in 2025).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

INVALID_FORMAT = "INVALID_FORMAT"
INVALID_WORD = "INVALID_WORD"
INVALID_WORD_LENGTH = "INVALID_WORD_LENGTH"
NOT_VALID_ENGLISH_WORD = "NOT_VALID_ENGLISH_WORD"
CONTEXT_EXCEEDED_ERROR = "CONTEXT_EXCEEDED_ERROR"
NO_CLUE_FOUND = "NO_CLUE_FOUND"
#: final guesser/critic errors that make the episode count as aborted
ABORTING_ERRORS = (INVALID_FORMAT, INVALID_WORD, INVALID_WORD_LENGTH, NOT_VALID_ENGLISH_WORD, CONTEXT_EXCEEDED_ERROR)

DEFAULT_KEYWORDS = {
    "guess": "guess",
    "explanation": "explanation",
    "agreement": "agreement",
    "agreement_match_keywords": ["yes", "no", "Yes", "No", "YES", "NO"],
}


def find_tag(text: str, tag: str) -> str:
    """The stripped text after the first `tag:` up to the next newline; without the tag,
    CONTEXT_EXCEEDED_ERROR if the text contains that literal (v1.6 quirk), else INVALID_FORMAT."""
    marker = f"{tag}:"
    start = text.find(marker)
    end = text.find("\n", start) if start != -1 else -1
    if end == -1:
        return CONTEXT_EXCEEDED_ERROR if CONTEXT_EXCEEDED_ERROR in text else INVALID_FORMAT
    return text[start + len(marker) : end].strip()


def parse_reply(reply: str, tag: str, explanation_tag: str = "explanation") -> dict[str, str]:
    """{tag: value, "explanation": value} as logged in the `parse` event."""
    text = reply + "\n"
    return {tag: find_tag(text, tag), "explanation": find_tag(text, explanation_tag)}


def parse_agreement(reply: str, keywords: dict) -> dict[str, str]:
    """The critic's reply; an agreement outside the accepted spellings becomes INVALID_FORMAT (in v1.6
    also a CONTEXT_EXCEEDED_ERROR one, which is re-prompted like any malformed verdict)."""
    tag = keywords["agreement"]
    result = parse_reply(reply, tag, keywords["explanation"])
    if result[tag] not in keywords["agreement_match_keywords"]:
        result[tag] = INVALID_FORMAT
    return result


def guess_error(word: str, allowed: Collection[str], word_length: int = 5) -> str | None:
    """The first rule the parsed guess breaks, or None for a valid guess."""
    if word in (INVALID_FORMAT, CONTEXT_EXCEEDED_ERROR):  # v1.6: the literal guess aborts the game
        return word
    if not word.isalpha():
        return INVALID_WORD
    if len(word) != word_length:
        return INVALID_WORD_LENGTH
    if word not in allowed:
        return NOT_VALID_ENGLISH_WORD
    return None


def letter_colours(guess: str, target: str) -> list[str]:
    """green/yellow/red per guess letter, with v1.6's repeated-letter marking."""
    if guess == target:
        return ["green"] * len(guess)
    claimed: set[int] = set()
    colours = []
    for index, letter in enumerate(guess):
        position = next((j for j, t in enumerate(target) if t == letter and j not in claimed), None)
        if position is None:
            colours.append("red")
        elif position == index:
            colours.append("green")
            claimed.add(position)
        elif position < len(guess) and guess[position] == letter:
            # the guess has this letter where the target has it: that later letter will claim it
            colours.append("red")
        else:
            colours.append("yellow")
            claimed.add(position)
    return colours


def format_feedback(guess: str, colours: Sequence[str]) -> str:
    return " ".join(f"{letter}<{colour}>" for letter, colour in zip(guess, colours, strict=True))


def letter_feedback(guess: str, target: str) -> str:
    """The guess_feedback string, e.g. "s<green> h<red> a<yellow> r<red> e<red>"."""
    return format_feedback(guess, letter_colours(guess, target))


def parse_feedback(feedback: str) -> list[tuple[str, str]]:
    """(letter, colour) pairs of a guess_feedback string."""
    pairs = []
    for item in feedback.split(" "):
        letter, _, colour = item.partition("<")
        pairs.append((letter, colour.rstrip(">")))
    return pairs


def is_solved(feedback: str) -> bool:
    return all(colour == "green" for _, colour in parse_feedback(feedback))
