"""`parlour generate`: a game's instances from parlour's seeded generator (over `parlour.api.generate`)."""

from __future__ import annotations

from pathlib import Path

import typer

from parlour.cli.errors import one_line_errors
from parlour.cli.output import console


@one_line_errors
def generate_command(
    game: str = typer.Option(..., "-g", "--game"),
    out: Path = typer.Option(..., "-o", "--out", help="Where to write instances.json."),
    seed: int | None = typer.Option(None, "--seed", help="Generator seed (default: the shipped instances' seed)."),
    rebuild_tables: bool = typer.Option(
        False, "--rebuild-tables", help="First rebuild the game's word tables (needs the `generate` extra)."
    ),
) -> None:
    """Generate a game's instances with parlour's seeded generator (the shipped ones: the default seed)."""
    from parlour import api

    if rebuild_tables:
        for path in api.rebuild_tables(game):
            console.print(f"wrote {path}")
    data = api.generate(game, out, seed)
    episodes = sum(len(e["game_instances"]) for e in data["experiments"])
    console.print(f"wrote {out}: {len(data['experiments'])} experiments, {episodes} instances")
