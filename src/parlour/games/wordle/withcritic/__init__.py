"""wordle_withcritic: wordle with a clue and a critic player (default instances in ./in)."""

from parlour.games.wordle.variants import WORDLE_WITHCRITIC as GAME

__all__ = ["GAME"]
