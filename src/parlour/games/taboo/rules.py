"""Taboo's parsing rules, as clembench 1.6 applies them.

- Formats are checked with case-sensitive prefixes, no leading text allowed: "CLUE:" and "GUESS:".
- The taboo check tokenises the clue on single spaces (so a newline hides the word after it),
  lower-cases it, strips ASCII punctuation, drops NLTK's English stopwords and compares Snowball
  stems with the stems of the target and related words.
"""

from __future__ import annotations

import string
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.stem.snowball import SnowballStemmer


CLUE_PREFIX = "CLUE:"
GUESS_PREFIX = "GUESS:"

# NLTK's English stopword list (the 179 words of the corpus version clembench 1.6 ran with); kept here
# so that no corpus download is needed.
ENGLISH_STOPWORDS = frozenset(
    """i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves
    he him his himself she she's her hers herself it it's its itself they them their theirs themselves what
    which who whom this that that'll these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again further
    then once here there when where why how all any both each few more most other some such no nor not only
    own same so than too very s t can will just don don't should should've now d ll m o re ve y ain aren
    aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma
    mightn mightn't mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won
    won't wouldn wouldn't""".split()
)

_PUNCTUATION = str.maketrans("", "", string.punctuation)


@lru_cache(maxsize=1)
def _stemmer() -> SnowballStemmer:
    # imported on first use: nltk pulls in scipy (a second), which `parlour games` or --help need not wait for
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


def stem(word: str) -> str:
    return _stemmer().stem(word)


def is_clue(utterance: str) -> bool:
    return utterance.startswith(CLUE_PREFIX)


def is_guess(utterance: str) -> bool:
    return utterance.startswith(GUESS_PREFIX)


def normalise_clue(utterance: str) -> str:
    """The clue as logged and checked: prefix removed, stripped, lower-cased, punctuation removed."""
    return utterance.replace(CLUE_PREFIX, "").strip().lower().translate(_PUNCTUATION)


def normalise_guess(utterance: str) -> str:
    """The guess compared with the target: every "GUESS:" removed, stripped, lower-cased, no punctuation."""
    return utterance.replace(GUESS_PREFIX, "").strip().lower().translate(_PUNCTUATION)


def _similar(kind: str, word: str, word_stem: str, token: str, token_stem: str) -> str:
    return f"{kind} word '{word}' (stem={word_stem}) is similar to clue word '{token}' (stem={token_stem})"


def clue_violations(clue: str, target_word: str, related_words: list[str]) -> list[str]:
    """Messages for every clue token whose stem equals the stem of the target or a related word."""
    tokens = [t for t in normalise_clue(clue).split(" ") if t not in ENGLISH_STOPWORDS]
    target_stem = stem(target_word)
    related = [(word, stem(word)) for word in related_words]
    violations = []
    for token in tokens:
        token_stem = stem(token)
        if token_stem == target_stem:
            violations.append(_similar("Target", target_word, target_stem, token, token_stem))
        for word, word_stem in related:
            if word_stem == token_stem:
                violations.append(_similar("Related", word, word_stem, token, token_stem))
    return violations
