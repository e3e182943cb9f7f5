"""wordle: guess a five-letter word from letter feedback (clembench 1.6). The variants live in
`withclue` and `withcritic`; all three share the master, rules and scorer of this package."""

from parlour.games.wordle.variants import WORDLE as GAME

__all__ = ["GAME"]
