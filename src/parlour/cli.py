"""The `parlour` command. Thin: parses options, shows progress and tables, delegates to the packages."""

from __future__ import annotations

import asyncio
import math
import sys
from datetime import datetime
from pathlib import Path

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from parlour.errors import ParlourError

app = typer.Typer(
    help="Evaluate chat LLMs by self-play in conversational games (clembench 1.6 compatible).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

RESULTS_OPTION = typer.Option(Path("results"), "-r", "--results", help="Results folder (clembench layout).")
JOBS_OPTION = typer.Option(None, "-j", "--jobs", min=1, help="Processes to use (default: every core).")


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@app.command("games")
def games_command() -> None:
    """List the games and their default instances."""
    from parlour.games.instances import load_instances
    from parlour.games.registry import game_names, get_game

    table = Table("game", "players", "experiments (default instances)", "episodes", "description")
    for name in game_names():
        game = get_game(name)
        data = load_instances(game.default_instances)
        experiments = ", ".join(e["name"] for e in data["experiments"])
        episodes = sum(len(e["game_instances"]) for e in data["experiments"])
        table.add_row(name, "1" if game.single_player else "2", experiments, str(episodes), game.description)
    console.print(table)


@app.command("models")
def models_command() -> None:
    """List the registered models (built-in and your models.yaml files)."""
    from parlour.models.registry import known_models, registry_files

    table = Table("model", "backend", "quantization", "weights / endpoint", "spec hash")
    for spec in known_models():
        where = spec.weights or spec.base_url or spec.model_id or ""
        table.add_row(spec.name, spec.backend, spec.quantization or "", where, spec.spec_hash())
    console.print(table)
    console.print("registry files: " + ", ".join(str(p) for p in registry_files()), style="dim")


@app.command("run")
def run_command(
    game: list[str] = typer.Option(..., "-g", "--game", help="Game name or 'all' (repeatable)."),
    model: list[str] = typer.Option(..., "-m", "--model", help="Model name; give two for a pair."),
    instances: Path | None = typer.Option(
        None, "-i", "--instances", help="instances.json, or a folder with games/<game>/in/instances.json."
    ),
    results: Path = RESULTS_OPTION,
    experiment: list[str] | None = typer.Option(None, "-e", "--experiment", help="Only these experiments."),
    temperature: float = typer.Option(0.0, "-t", "--temperature"),
    max_tokens: int = typer.Option(100, "-l", "--max-tokens"),
    concurrency: int | None = typer.Option(None, "--concurrency", help="Episodes in flight (1 = sequential)."),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N instances of each experiment."),
    progress: bool = typer.Option(True, "--progress/--no-progress"),
) -> None:
    """Play episodes and score them; rerunning the same command resumes."""
    from parlour.games.registry import select_games
    from parlour.models.base import Model
    from parlour.models.loader import load_model
    from parlour.models.registry import lookup
    from parlour.runner import run as runner
    from parlour.runner.plan import plan_episodes
    from parlour.runner.store import pair_name

    if len(model) > 2:
        fail("give one model (self-play) or two (a pair)")
    specs = [lookup(name).with_generation(temperature, max_tokens) for name in model]
    pair = pair_name([spec.pair_name() for spec in specs])
    games = select_games(game)
    tasks = plan_episodes(games, results, pair, instances, experiment or None, limit)
    loaded: dict[tuple[str, str], Model] = {}  # self-play loads the weights once
    for spec in specs:
        key = (spec.name, spec.spec_hash())
        if key not in loaded:
            loaded[key] = load_model(spec)
    models = [loaded[(spec.name, spec.spec_hash())] for spec in specs]
    runner.check_spec_consistency(results, pair, models)
    in_flight = concurrency or min(m.default_concurrency for m in models)
    started = datetime.now()
    counts = {"aborted": 0, "errors": 0}
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("aborted {task.fields[aborted]}  errors {task.fields[errors]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, disable=not progress) as bar:
        progress_task = bar.add_task(f"{pair}", total=len(tasks), aborted=0, errors=0)

        def on_done(outcome: runner.EpisodeOutcome) -> None:
            if outcome.status == runner.ABORTED:
                counts["aborted"] += 1
            if outcome.status == runner.FAILED:
                counts["errors"] += 1
                err_console.print(f"[red]episode failed[/] {outcome.task.label}: {outcome.error}", highlight=False)
            bar.update(progress_task, advance=1, **counts)

        async def main() -> runner.RunSummary:
            try:
                return await runner.run_episodes(tasks, models, pair, in_flight, on_done)
            finally:
                for m in runner.distinct_models(models):
                    await m.aclose()

        summary = asyncio.run(main())
    runner.record_run(
        results,
        pair,
        models,
        {
            "started": started.isoformat(),
            "finished": datetime.now().isoformat(),
            "games": [g.name for g in games],
            "instances": str(instances) if instances else "parlour default",
            "experiments": experiment or "all",
            "limit": limit,
            "concurrency": in_flight,
            "episodes": len(tasks),
            "skipped_complete": summary.count(runner.SKIPPED),
            "played": summary.count(runner.PLAYED),
            "aborted": summary.count(runner.ABORTED),
            "failed": summary.count(runner.FAILED),
            "duration_s": round(summary.duration_s, 3),
        },
    )
    console.print(
        f"{pair}: {len(tasks)} episodes ({summary.count(runner.SKIPPED)} already complete), "
        f"{summary.count(runner.PLAYED)} played, {summary.count(runner.ABORTED)} aborted, "
        f"{summary.count(runner.FAILED)} failed in {summary.duration_s:.1f} s -> {results / pair}"
    )
    if summary.failures:
        for outcome in summary.failures[:20]:
            err_console.print(f"  failed: {outcome.task.label}: {outcome.error}", highlight=False)
        fail(f"{len(summary.failures)} episode(s) failed; rerun the same command to retry them", code=1)


@app.command("score")
def score_command(
    results: Path = RESULTS_OPTION,
    game: str | None = typer.Option(None, "-g", "--game", help="Only this game."),
    jobs: int | None = JOBS_OPTION,
) -> None:
    """(Re)compute scores.json for every episode under a results folder (ours or clembench's)."""
    from parlour.scoring.rescore import score_results

    report = score_results(results, game, workers=jobs)
    unchanged = len(report.scored) - report.written
    console.print(f"scored {len(report.scored)} episode(s) under {results} ({unchanged} scores.json unchanged)")
    if report.skipped_games:
        console.print(f"skipped unknown game folder(s): {', '.join(sorted(report.skipped_games))}", style="yellow")
    if report.failed:
        for path, message in report.failed[:20]:
            err_console.print(f"  {path}: {message}", highlight=False)
        fail(f"{len(report.failed)} episode(s) could not be scored", code=1)


@app.command("eval")
def eval_command(
    results: Path = RESULTS_OPTION,
    n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap resamples for the confidence intervals."),
    jobs: int | None = JOBS_OPTION,
) -> None:
    """Write raw.csv, results.csv (clembench's columns) and results_ci.csv; print the score table."""
    from parlour.scoring.clemscore import ALL_GAMES, CLEMSCORE, PCT_PLAYED, QUALITY, is_overall_col, std_col
    from parlour.scoring.evaluate import evaluate, format_number

    evaluation = evaluate(results, n_boot=n_boot, workers=jobs)
    ci = evaluation.ci.set_index(["model", "game", "metric"])

    def cell(model_name: str, game: str, metric: str) -> str:
        """The value with its 95% bootstrap interval, e.g. `41.20 [35.10, 47.00]`."""
        if (model_name, game, metric) not in ci.index:
            return "n/a"
        value, low, high = ci.loc[(model_name, game, metric), ["value", "ci_low", "ci_high"]]
        interval = "" if math.isnan(low) else f" [{low:.2f}, {high:.2f}]"
        return format_number(value) + interval

    overall = Table(title=f"parlour eval: {results} (95% bootstrap intervals)")
    for header in ("model", "clemscore", "% played", "quality", "episodes"):
        overall.add_column(header, overflow="fold")
    per_game = Table(title="per game")
    per_game.add_column("model", overflow="fold")
    per_game.add_column("game", no_wrap=True)
    for header in ("% played", "quality", "quality std", "episodes"):
        per_game.add_column(header, overflow="fold")
    for model_name, row in evaluation.results.iterrows():
        name = str(model_name)
        first, _, second = name.partition("--")
        shown = first if first == second else name  # self-play: one name is enough
        overall_key = (name, ALL_GAMES, CLEMSCORE)
        episodes = ci.loc[overall_key, "n_episodes"] if overall_key in ci.index else 0
        overall.add_row(
            shown, cell(name, ALL_GAMES, CLEMSCORE), cell(name, ALL_GAMES, PCT_PLAYED), cell(name, ALL_GAMES, QUALITY),
            str(episodes),
        )  # fmt: skip
        games = sorted({c.split(",")[0] for c in row.dropna().index if not is_overall_col(c)})
        for game in games:
            n = ci.loc[(name, game, PCT_PLAYED), "n_episodes"] if (name, game, PCT_PLAYED) in ci.index else 0
            per_game.add_row(
                shown, game, cell(name, game, PCT_PLAYED), cell(name, game, QUALITY),
                format_number(row.get(std_col(game), float("nan"))), str(n),
            )  # fmt: skip
    console.print(overall)
    console.print(per_game)
    console.print(f"wrote {results / 'raw.csv'}, {results / 'results.csv'}, {results / 'results_ci.csv'}")
    if evaluation.unscored:
        err_console.print(
            f"[yellow]warning:[/] {len(evaluation.unscored)} episode(s) have no scores.json and are not counted "
            f"(failed or unscored), e.g. {evaluation.unscored[0]}",
            highlight=False,
        )
    if evaluation.unreadable:
        for _, reason in evaluation.unreadable[:20]:
            err_console.print(f"  {reason}", highlight=False)
        fail(f"{len(evaluation.unreadable)} scores.json could not be used; those episodes are not counted", code=1)


@app.command("generate")
def generate_command(
    game: str = typer.Option(..., "-g", "--game"),
    out: Path = typer.Option(..., "-o", "--out", help="Where to write instances.json."),
    seed: int | None = typer.Option(None, "--seed", help="Generator seed (default: the shipped instances' seed)."),
) -> None:
    """Generate a game's instances with parlour's seeded generator."""
    from parlour.games.registry import get_game
    from parlour.runner.store import write_json

    spec = get_game(game)
    if spec.generator is None:
        fail(f"game {game} has no instance generator")
    data = spec.generator() if seed is None else spec.generator(seed=seed)
    write_json(out, data)
    episodes = sum(len(e["game_instances"]) for e in data["experiments"])
    console.print(f"wrote {out}: {len(data['experiments'])} experiments, {episodes} instances")


def _register_package_commands() -> None:
    """Commands owned by other packages (analysis, report, model tools)."""
    from parlour.analysis.commands import analyze_app
    from parlour.models.commands import doctor_command, quantize_command
    from parlour.report.commands import report

    app.add_typer(analyze_app, name="analyze", help="The paper's analyses: regression, brackets, families, ...")
    app.command("report")(report)
    app.command("quantize")(quantize_command)
    app.command("doctor")(doctor_command)


_register_package_commands()


def main() -> None:
    """Entry point: one-line errors for every ParlourError, no traceback."""
    try:
        # without standalone mode click returns an Exit's code instead of exiting
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except ParlourError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # usage errors: click's own message
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted: finished episodes are kept; rerun the same command to resume")
        sys.exit(130)
