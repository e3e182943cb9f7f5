"""`parlour report`: the static HTML report of one or more results (a thin shell over `parlour.api.report`)."""

from __future__ import annotations

from pathlib import Path

import typer

from parlour.cli.errors import one_line_errors
from parlour.cli.options import N_BOOT_OPTION
from parlour.cli.output import notes


@one_line_errors
def report_command(
    results: list[Path] = typer.Option(
        ..., "-r", "--results", help="results folder, raw.csv, results.csv or score summary (repeatable)"
    ),
    out: Path = typer.Option(..., "-o", "--out", help="folder to write the site into"),
    models: list[Path] = typer.Option(
        [], "-c", "--characteristics", help="model characteristics CSV or registry YAML (default: parlour's own)"
    ),
    n_boot: int = N_BOOT_OPTION,
    seed: int = typer.Option(0, "--seed", help="bootstrap seed"),
    transcripts: bool = typer.Option(True, "--transcripts/--no-transcripts", help="render the episodes"),
    compare: str | None = typer.Option(
        None,
        "--compare",
        help="official table to place your models in (default: the one of the clembench version they played, "
        "official:v1.6 or official:v2.0; 'none': leave it out)",
    ),
) -> None:
    """Write a static HTML report (leaderboard with CIs, figures, model pages, transcript browser)."""
    from parlour import api

    summary = api.report(results, out, models, n_boot=n_boot, seed=seed, transcripts=transcripts, compare=compare)
    for note in summary.notes:
        notes.print(f"note: {note}", highlight=False)
    for note in summary.skipped:
        notes.print(f"[dim]left out {note}[/dim]", highlight=False)
    notes.print(
        f"wrote {summary.out / 'index.html'}: {summary.models} models, {summary.episodes} episodes, "
        f"{len(summary.figures)} figure files, {len(summary.tables)} table files",
        highlight=False,
    )
