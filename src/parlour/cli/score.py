"""`parlour score`: (re)compute every episode's scores.json (a thin shell over `parlour.api.score`)."""

from __future__ import annotations

from pathlib import Path

import typer

from parlour.cli.errors import fail
from parlour.cli.options import JOBS_OPTION, RESULTS_FOLDERS_OPTION
from parlour.cli.output import console, notes


def score_command(
    folders: list[Path] = RESULTS_FOLDERS_OPTION,
    game: str | None = typer.Option(None, "-g", "--game", help="Only this game."),
    jobs: int | None = JOBS_OPTION,
) -> None:
    """(Re)compute scores.json for every episode under results folders (ours or clembench's)."""
    from parlour import api

    failed = 0
    for results in folders:
        report = api.score(results, game, workers=jobs)
        unchanged = len(report.scored) - report.written
        console.print(f"scored {len(report.scored)} episode(s) under {results} ({unchanged} scores.json unchanged)")
        if report.scored_by_clemcore:
            console.print(
                f"left {report.scored_by_clemcore} episode(s) of clembench 2.0 runs as clemcore scored them "
                "(their scores.json are read as they are)"
            )
        if report.skipped_games:
            console.print(f"skipped unknown game folder(s): {', '.join(sorted(report.skipped_games))}", style="yellow")
        for path, message in report.failed[:20]:
            notes.print(f"  {path}: {message}", highlight=False)
        failed += len(report.failed)
    if failed:
        fail(f"{failed} episode(s) could not be scored", code=1)
