"""`parlour games`: the games and their default instances."""

from __future__ import annotations

from parlour.cli.output import console, left_out_note, notes, whole_table


def games_command() -> None:
    """List the games and their default instances."""
    from parlour import api

    columns = ["game", "experiments (default instances)", "episodes", "players", "description"]
    rows = [
        [game.name, "\n".join(game.experiments), str(game.episodes), str(game.players), game.description]
        for game in api.games()
    ]
    # names are copied into commands: whole, one experiment a line; the description wraps, or goes first
    table, left_out = whole_table(columns, rows, console.width, keep=3, prose={"description": 24})
    console.print(table)
    note = left_out_note(left_out, console.width)
    if note:
        notes.print(note, style="dim", highlight=False)
