"""The games: one subpackage per game, registered in parlour.games.registry."""
