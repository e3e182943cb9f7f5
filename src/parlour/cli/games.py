"""`parlour games`: the games and their default instances."""

from __future__ import annotations

from rich.table import Table

from parlour.cli.output import console


def games_command() -> None:
    """List the games and their default instances."""
    from parlour import api

    table = Table("game", "players", "experiments (default instances)", "episodes", "description")
    for game in api.games():
        table.add_row(game.name, str(game.players), ", ".join(game.experiments), str(game.episodes), game.description)
    console.print(table)
