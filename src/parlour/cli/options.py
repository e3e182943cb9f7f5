"""Options shared by several `parlour` commands, declared once."""

from __future__ import annotations

from pathlib import Path

import typer

RESULTS_OPTION = typer.Option(Path("results"), "-r", "--results", help="Results folder (clembench layout).")
RESULTS_FOLDERS_OPTION = typer.Option(
    [Path("results")], "-r", "--results", help="Results folder(s) (clembench layout); repeat for several."
)
JOBS_OPTION = typer.Option(None, "-j", "--jobs", min=1, help="Processes to use (default: every core).")
N_BOOT_OPTION = typer.Option(1000, "--n-boot", min=1, help="Bootstrap resamples for the confidence intervals.")
LIMIT_OPTION = typer.Option(None, "--limit", min=1, help="Only the first N instances of each experiment.")
PROGRESS_OPTION = typer.Option(True, "--progress/--no-progress")
