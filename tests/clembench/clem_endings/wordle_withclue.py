"""wordle_withclue: wordle's guesser, also given a clue to the target word before its first guess. Its
master is wordle's with another first message, so its endings are the guesser's of wordle."""

from __future__ import annotations

from clem_endings.wordle import guesser_endings

ENDINGS = guesser_endings("wordle_withclue")
