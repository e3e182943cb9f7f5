"""`parlour run`: play episodes and score them (a thin shell over `parlour.api.arun`)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from parlour.cli.errors import fail
from parlour.cli.options import LIMIT_OPTION, PROGRESS_OPTION, RESULTS_OPTION
from parlour.cli.output import console, notes
from parlour.redact import printable


def run_command(
    game: list[str] = typer.Option(..., "-g", "--game", help="Game name or 'all' (repeatable)."),
    model: list[str] = typer.Option(
        ..., "-m", "--model", help="Model: registered, PROVIDER/MODEL_ID or programmatic:oracle; two for a pair."
    ),
    instances: Path | None = typer.Option(
        None, "-i", "--instances", help="instances.json, or a folder with games/<game>/in/instances.json."
    ),
    results: Path = RESULTS_OPTION,
    experiment: list[str] | None = typer.Option(None, "-e", "--experiment", help="Only these experiments."),
    temperature: float | None = typer.Option(
        None, "-t", "--temperature", help="Default: the registry entry's, else clembench's 0.0."
    ),
    max_tokens: int | None = typer.Option(
        None, "-l", "--max-tokens", help="Default: the registry entry's, else clembench's 100."
    ),
    model_arg: list[str] | None = typer.Option(
        None,
        "-M",
        "--model-arg",
        metavar="KEY=VALUE",
        help="A spec field or sampling setting of the models, e.g. -M base_url=http://127.0.0.1:8000/v1 -M top_p=0.9.",
    ),
    concurrency: int | None = typer.Option(None, "--concurrency", min=1, help="Episodes in flight (1 = sequential)."),
    limit: int | None = LIMIT_OPTION,
    progress: bool = PROGRESS_OPTION,
    benchmark: str = typer.Option(
        "clembench-1.6", "--benchmark", help="clembench-1.6 (parlour's games) or clembench-2.0 (clemcore's, 14 games)."
    ),
    games_dir: Path | None = typer.Option(
        None, "--games-dir", help="clembench-2.0: the clembench checkout (default: $PARLOUR_CLEMBENCH_GAMES)."
    ),
) -> None:
    """Play episodes and score them; rerunning the same command resumes."""
    import asyncio

    from parlour import api
    from parlour.cli.progress import EpisodeProgress
    from parlour.models.registry import parse_model_args
    from parlour.runner import episodes as runner

    if len(model) > 2:
        fail("give one model (self-play) or two (a pair)")
    options = api.RunOptions(
        results=results, instances=instances, experiments=experiment or None, limit=limit,
        concurrency=concurrency, temperature=temperature, max_tokens=max_tokens,
        model_args=parse_model_args(model_arg or []) or None,
        benchmark=benchmark, games_dir=games_dir,
    )  # fmt: skip
    with EpisodeProgress(notes, enabled=progress) as bar:
        summary = asyncio.run(api.arun(game, model, options, on_episode=bar.episode_done, on_start=bar.start))
    # names whole (they are copied): the players, then the folder on a line of its own
    console.print(
        f"{players_text(summary.pair)}: {summary.total} episodes ({summary.count(runner.SKIPPED)} already "
        f"complete) in {summary.duration_s:.1f} s",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  {summary.count(runner.PLAYED)} played, {summary.count(runner.ABORTED)} aborted, "
        f"{summary.count(runner.FAILED)} failed",
        highlight=False,
    )
    console.print(f"  -> {summary.folder}", highlight=False, soft_wrap=True)
    for outcome in summary.replayed[:20]:
        reason = escape(printable(outcome.replayed or ""))
        notes.print(f"  replayed: {outcome.task.label}: {reason}", highlight=False)
    if summary.count(runner.FAILED):
        for outcome in summary.failures[:20]:
            notes.print(f"  failed: {outcome.task.label}: {escape(printable(outcome.error or ''))}", highlight=False)
        fail(f"{summary.count(runner.FAILED)} episode(s) failed; rerun the same command to retry them", code=1)


def players_text(pair: str) -> str:
    """`A-t0.0` for self-play, `A-t0.0 vs B-t0.0` for a pair (the pair folder's two halves)."""
    first, _, second = pair.partition("--")
    return first if first == second or not second else f"{first} vs {second}"
