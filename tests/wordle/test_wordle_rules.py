"""Wordle's parsing rules, error kinds and letter feedback (v1.6 behaviour, repeated letters included)."""

from __future__ import annotations

import pytest

from parlour.games.wordle import rules
from parlour.games.wordle.prompts import V16_REPROMPTS

ALLOWED = frozenset({"crane", "start", "share", "spree", "spare", "third", "teeth", "sassy", "stars", "smart"})
KEYWORDS = rules.DEFAULT_KEYWORDS


def parse(reply: str) -> dict[str, str]:
    return rules.parse_reply(reply, "guess", "explanation")


def test_parse_takes_text_after_tag_up_to_newline_stripped() -> None:
    assert parse("guess:   crane  \nexplanation:  common letters ") == {
        "guess": "crane",
        "explanation": "common letters",
    }


def test_parse_uses_first_occurrence_of_each_tag() -> None:
    result = parse("guess: crane\nexplanation: first\nguess: slate\nexplanation: second")
    assert result == {"guess": "crane", "explanation": "first"}


def test_parse_first_occurrence_pitfall_inside_a_sentence() -> None:
    # v1.6 episode: the guess tag inside the explanation line comes first
    result = parse("explanation: I think my guess: is not ready\nguess: unlit")
    assert result["guess"] == "is not ready"
    assert rules.guess_error(result["guess"], ALLOWED) == rules.INVALID_WORD


def test_parse_is_case_sensitive_and_missing_tags_are_invalid_format() -> None:
    assert parse("Guess: crane\nExplanation: capitals") == {
        "guess": rules.INVALID_FORMAT,
        "explanation": rules.INVALID_FORMAT,
    }
    assert parse("guess: crane") == {"guess": "crane", "explanation": rules.INVALID_FORMAT}


def test_parse_tag_without_space_and_on_same_line() -> None:
    assert parse("guess:crane explanation:x")["guess"] == "crane explanation:x"


@pytest.mark.parametrize(
    ("word", "error"),
    [
        (rules.INVALID_FORMAT, rules.INVALID_FORMAT),
        ("pl*mb", rules.INVALID_WORD),
        ("3rd", rules.INVALID_WORD),
        ("crane.", rules.INVALID_WORD),
        ("two words", rules.INVALID_WORD),
        ("", rules.INVALID_WORD),
        ("lamp", rules.INVALID_WORD_LENGTH),
        ("thirds", rules.INVALID_WORD_LENGTH),
        ("CRANE", rules.NOT_VALID_ENGLISH_WORD),  # no lower-casing before the list check
        ("Share", rules.NOT_VALID_ENGLISH_WORD),
        ("xyzzy", rules.NOT_VALID_ENGLISH_WORD),
        ("crane", None),
    ],
)
def test_guess_errors_in_v16_order(word: str, error: str | None) -> None:
    assert rules.guess_error(word, ALLOWED) == error


@pytest.mark.parametrize(
    ("reply", "agreement"),
    [
        ("agreement: yes\nexplanation: fine", "yes"),
        ("agreement:NO\nexplanation: no", "NO"),
        ("agreement: Yes", "Yes"),
        ("agreement: maybe\nexplanation: unsure", rules.INVALID_FORMAT),
        ("agreement: yes.\nexplanation: punctuation", rules.INVALID_FORMAT),
        ("Agreement: yes", rules.INVALID_FORMAT),
        ("I agree", rules.INVALID_FORMAT),
    ],
)
def test_critic_agreement_must_be_an_exact_keyword(reply: str, agreement: str) -> None:
    assert rules.parse_agreement(reply, KEYWORDS)["agreement"] == agreement


@pytest.mark.parametrize(
    ("guess", "target", "feedback"),
    [
        ("start", "start", "s<green> t<green> a<green> r<green> t<green>"),
        ("crane", "share", "c<red> r<yellow> a<green> n<red> e<green>"),
        # repeated letters, as recorded in v1.6 episodes
        ("teeth", "start", "t<yellow> e<red> e<red> t<yellow> h<red>"),
        ("sassy", "start", "s<green> a<yellow> s<red> s<red> y<red>"),
        ("stars", "start", "s<green> t<green> a<green> r<green> s<red>"),
        ("smart", "start", "s<green> m<red> a<green> r<green> t<yellow>"),
        ("arear", "share", "a<yellow> r<yellow> e<yellow> a<red> r<red>"),
        ("thigh", "might", "t<yellow> h<yellow> i<yellow> g<yellow> h<red>"),
        ("still", "might", "s<red> t<yellow> i<yellow> l<red> l<red>"),
        # the documented v1.6 bug: the final e of "spare" is yellow although "spree" ends in e
        ("spare", "spree", "s<green> p<green> a<red> r<yellow> e<yellow>"),
    ],
)
def test_feedback_marking(guess: str, target: str, feedback: str) -> None:
    assert rules.letter_feedback(guess, target) == feedback


def test_feedback_round_trip_and_solved() -> None:
    fb = rules.letter_feedback("crane", "share")
    assert rules.parse_feedback(fb)[1] == ("r", "yellow")
    assert not rules.is_solved(fb)
    assert rules.is_solved(rules.letter_feedback("share", "share"))


def test_v16_retry_messages() -> None:
    assert V16_REPROMPTS[rules.INVALID_WORD_LENGTH] == "the word should have exactly 5 letters. Please try again"
    assert V16_REPROMPTS[rules.INVALID_FORMAT].startswith("Provide your response only in this format:\nguess:word")
