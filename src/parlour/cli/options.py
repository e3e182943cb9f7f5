"""Options shared by several `parlour` commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from parlour.analysis.registry import N_BOOT, Option

RESULTS_OPTION = typer.Option(Path("results"), "-r", "--results", help="Results folder (clembench layout).")
RESULTS_FOLDERS_OPTION = typer.Option(
    [Path("results")], "-r", "--results", help="Results folder(s) (clembench layout); repeat for several."
)
JOBS_OPTION = typer.Option(None, "-j", "--jobs", min=1, help="Processes to use (default: every core).")


def typer_option(option: Option) -> Any:
    """The typer declaration of an analysis option: a flag, or a positional argument where it has none."""
    if not option.flags:
        return typer.Argument(option.default, help=option.help)
    return typer.Option(option.default, *option.flags, help=option.help, min=option.min)


N_BOOT_OPTION = typer_option(N_BOOT)
LIMIT_OPTION = typer.Option(None, "--limit", min=1, help="Only the first N instances of each experiment.")
PROGRESS_OPTION = typer.Option(True, "--progress/--no-progress")
