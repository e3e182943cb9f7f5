"""`parlour sweep`: a whole study from one file (a thin shell over `parlour.api.sweep`)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from parlour.cli.errors import fail
from parlour.cli.options import LIMIT_OPTION, N_BOOT_OPTION, PROGRESS_OPTION, RESULTS_OPTION
from parlour.cli.output import console, notes
from parlour.redact import printable


def sweep_command(
    sweep_file: Path = typer.Argument(..., help="The sweep file (YAML): models, games, pairs, analyses, report."),
    results: Path = RESULTS_OPTION,
    limit: int | None = LIMIT_OPTION,
    executor: str = typer.Option("local", "--executor", help="local (this process) or ray."),
    address: str | None = typer.Option(None, "--address", help="Ray cluster address ('auto' = the local one)."),
    n_boot: int = N_BOOT_OPTION,
    progress: bool = PROGRESS_OPTION,
) -> None:
    """Run a whole study: every pair of the sweep file, then eval, the analyses and the report. Resumes."""
    from parlour import api
    from parlour.cli.progress import EpisodeProgress

    with EpisodeProgress(notes, enabled=progress) as bar:
        summary = api.sweep(
            sweep_file, results, executor, address, limit, n_boot,  # type: ignore[arg-type]
            on_episode=bar.episode_done, on_start=bar.start, on_total=bar.start_overall,
        )  # fmt: skip
    for plan, run, _ in summary.pairs:
        if run is not None:
            counts = ", ".join(f"{run.count(s)} {s}" for s in ("skipped", "played", "aborted", "failed"))
            console.print(f"{plan.label}: {run.total} episodes ({counts})", highlight=False)
    for warning in summary.warnings:
        notes.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if summary.report:
        console.print(f"report: {summary.report}")
    for plan, error in summary.failed_pairs:
        notes.print(f"[red]pair failed[/] {plan.label}: {escape(printable(error))}", highlight=False)
    if summary.failed_pairs or summary.failed_episodes:
        fail(
            f"{len(summary.failed_pairs)} pair(s) and {summary.failed_episodes} episode(s) failed; "
            "rerun the same command to retry them",
            code=1,
        )
