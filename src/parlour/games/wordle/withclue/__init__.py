"""wordle_withclue: wordle with a clue for the target word (default instances in ./in)."""

from parlour.games.wordle.variants import WORDLE_WITHCLUE as GAME

__all__ = ["GAME"]
