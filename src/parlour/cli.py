"""The `parlour` command. Thin: parses options, shows progress and tables, delegates to the packages."""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Callable
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from parlour.cli_errors import (
    INPUT_ERROR,
    INTERRUPTED,
    INTERRUPTED_CODE,
    ClickException,
    fail,
    print_click_error,
    print_error,
)
from parlour.cli_names import ShortNames, name_width, shorten_middle
from parlour.cli_options import JOBS_OPTION, N_BOOT_OPTION, RESULTS_FOLDERS_OPTION, RESULTS_OPTION
from parlour.errors import ParlourError
from parlour.redact import printable, url_without_userinfo

app = typer.Typer(
    help="Evaluate chat LLMs by self-play in conversational games (clembench 1.6 compatible).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


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
def models_command(
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Show where each model's weights or endpoint are."),
) -> None:
    """List the registered models (built-in and your models.yaml files) and whether their weights are here."""
    from parlour.models.registry import known_models, registry_files
    from parlour.models.weights.resolve import weights_status

    table = Table("model", "backend", "quant", "weights", "spec hash")
    if verbose:
        table.add_column("weights / endpoint", overflow="fold")
    for spec in known_models():
        row = [spec.name, spec.backend, spec.quantization or "", weights_status(spec), spec.spec_hash()]
        if verbose:
            row.append(spec.weights or url_without_userinfo(spec.base_url or "") or spec.model_id or "")
        table.add_row(*row)
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
    temperature: float | None = typer.Option(
        None, "-t", "--temperature", help="Default: the registry entry's, else clembench's 0.0."
    ),
    max_tokens: int | None = typer.Option(
        None, "-l", "--max-tokens", help="Default: the registry entry's, else clembench's 100."
    ),
    concurrency: int | None = typer.Option(None, "--concurrency", min=1, help="Episodes in flight (1 = sequential)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N instances of each experiment."),
    progress: bool = typer.Option(True, "--progress/--no-progress"),
) -> None:
    """Play episodes and score them; rerunning the same command resumes."""
    import asyncio

    from parlour import api
    from parlour.cli_progress import EpisodeProgress
    from parlour.runner import run as runner

    if len(model) > 2:
        fail("give one model (self-play) or two (a pair)")
    with EpisodeProgress(err_console, enabled=progress) as bar:
        summary = asyncio.run(
            api.arun(
                game,
                model,
                instances,
                results,
                concurrency,
                limit,
                experiment or None,
                temperature,
                max_tokens,
                on_episode=bar.episode_done,
                on_start=bar.start,
            )  # fmt: skip
        )
    # short lines, so that an 80-column terminal breaks no model name; the folder, on a line of its own
    # and never cut (it is copied), names the pair in full
    pair = shorten_middle(summary.pair, name_width(console, fixed=48))
    console.print(
        f"{pair}: {summary.total} episodes ({summary.count(runner.SKIPPED)} already complete) "
        f"in {summary.duration_s:.1f} s",
        highlight=False,
    )
    console.print(
        f"  {summary.count(runner.PLAYED)} played, {summary.count(runner.ABORTED)} aborted, "
        f"{summary.count(runner.FAILED)} failed",
        highlight=False,
    )
    console.print(f"  -> {summary.folder}", highlight=False, soft_wrap=True)
    for outcome in summary.replayed[:20]:
        reason = escape(printable(outcome.replayed or ""))
        err_console.print(f"  replayed: {outcome.task.label}: {reason}", highlight=False)
    if summary.count(runner.FAILED):
        for outcome in summary.failures[:20]:
            err_console.print(
                f"  failed: {outcome.task.label}: {escape(printable(outcome.error or ''))}", highlight=False
            )
        fail(f"{summary.count(runner.FAILED)} episode(s) failed; rerun the same command to retry them", code=1)


@app.command("sweep")
def sweep_command(
    sweep_file: Path = typer.Argument(..., help="The sweep file (YAML): models, games, pairs, analyses, report."),
    results: Path = RESULTS_OPTION,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N instances of each experiment."),
    executor: str = typer.Option("local", "--executor", help="local (this process) or ray."),
    address: str | None = typer.Option(None, "--address", help="Ray cluster address ('auto' = the local one)."),
    n_boot: int = N_BOOT_OPTION,
    progress: bool = typer.Option(True, "--progress/--no-progress"),
) -> None:
    """Run a whole study: every pair of the sweep file, then eval, the analyses and the report. Resumes."""
    import asyncio

    from parlour.cli_progress import EpisodeProgress
    from parlour.sweep.file import read_sweep
    from parlour.sweep.run import finish_sweep, play_sweep

    if executor not in ("local", "ray"):
        fail(f"--executor must be local or ray, not '{executor}'")
    sweep = read_sweep(sweep_file)
    make_players, parallel = _sweep_executor(executor, address)
    with EpisodeProgress(err_console, enabled=progress) as bar:
        summary = asyncio.run(
            play_sweep(
                sweep,
                results,
                make_players,
                parallel,
                limit,
                on_episode=bar.episode_done,
                on_start=bar.start,
                on_total=bar.start_overall,
            )  # fmt: skip
        )
    for plan, run, _ in summary.pairs:
        if run is not None:
            counts = ", ".join(f"{run.count(s)} {s}" for s in ("skipped", "played", "aborted", "failed"))
            console.print(f"{plan.label}: {run.total} episodes ({counts})", highlight=False)
    finish_sweep(sweep, results, summary, n_boot=n_boot)
    for warning in summary.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if summary.report:
        console.print(f"report: {summary.report}")
    for plan, error in summary.failed_pairs:
        err_console.print(f"[red]pair failed[/] {plan.label}: {escape(printable(error))}", highlight=False)
    if summary.failed_pairs or summary.failed_episodes:
        fail(
            f"{len(summary.failed_pairs)} pair(s) and {summary.failed_episodes} episode(s) failed; "
            "rerun the same command to retry them",
            code=1,
        )


def _sweep_executor(executor: str, address: str | None) -> tuple[Callable, bool]:
    """(players factory, whether pairs run side by side) for an executor name."""
    if executor == "local":
        from parlour.runner.players import LocalPlayers

        return LocalPlayers, False
    from parlour.sweep.ray_executor import RayPlayers, connect

    connect(address)
    return RayPlayers, True


@app.command("score")
def score_command(
    folders: list[Path] = RESULTS_FOLDERS_OPTION,
    game: str | None = typer.Option(None, "-g", "--game", help="Only this game."),
    jobs: int | None = JOBS_OPTION,
) -> None:
    """(Re)compute scores.json for every episode under results folders (ours or clembench's)."""
    from parlour.scoring.rescore import score_results

    failed = 0
    for results in folders:
        report = score_results(results, game, workers=jobs)
        unchanged = len(report.scored) - report.written
        console.print(f"scored {len(report.scored)} episode(s) under {results} ({unchanged} scores.json unchanged)")
        if report.skipped_games:
            console.print(f"skipped unknown game folder(s): {', '.join(sorted(report.skipped_games))}", style="yellow")
        for path, message in report.failed[:20]:
            err_console.print(f"  {path}: {message}", highlight=False)
        failed += len(report.failed)
    if failed:
        fail(f"{failed} episode(s) could not be scored", code=1)


OVERALL_HEADERS = ("clemscore", "% played", "quality", "episodes")
PER_GAME_HEADERS = ("% played", "quality", "quality std", "episodes")


@app.command("eval")
def eval_command(
    folders: list[Path] = RESULTS_FOLDERS_OPTION,
    n_boot: int = N_BOOT_OPTION,
    compare: str | None = typer.Option(
        None, "--compare", help="Also place the models on an official leaderboard, e.g. official:v1.6."
    ),
    jobs: int | None = JOBS_OPTION,
) -> None:
    """Write raw.csv, results.csv (clembench's columns) and results_ci.csv in each results folder; print
    the score tables."""
    from parlour.data import official_path

    if compare:
        official_path(compare)  # a wrong table name fails before any work
    unreadable = sum(_evaluate_folder(results, n_boot, compare, jobs) for results in folders)
    if unreadable:
        fail(f"{unreadable} scores.json could not be used; those episodes are not counted", code=1)


def _evaluate_folder(results: Path, n_boot: int, compare: str | None, jobs: int | None) -> int:
    """Evaluate one results folder and print its tables; returns how many scores.json were unusable."""
    from parlour.scoring.clemscore import ALL_GAMES, CLEMSCORE, PCT_PLAYED, QUALITY, is_overall_col, std_col
    from parlour.scoring.evaluate import evaluate, format_number

    evaluation = evaluate(results, n_boot=n_boot, workers=jobs)
    ci = evaluation.ci.set_index(["model", "game", "metric"])
    # fits 80 columns: a model name is shortened, never wrapped (its full name listed below); an interval
    # is its own line under the value, to one decimal (results_ci.csv has every digit); one per-game
    # table per model, so that no row carries both a model and a game name
    short_name = ShortNames(name_width(console, fixed=62))

    def cell(model_name: str, game: str, metric: str) -> str:
        """The value with its 95% bootstrap interval below it, e.g. `41.20` over `[35.1, 47.0]`."""
        if (model_name, game, metric) not in ci.index:
            return "n/a"
        value, low, high = ci.loc[(model_name, game, metric), ["value", "ci_low", "ci_high"]]
        interval = "" if math.isnan(low) else f"\n[{low:.1f}, {high:.1f}]"
        return format_number(value) + interval

    def table(title: str, first: str, headers: tuple[str, ...]) -> Table:
        shown = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        shown.add_column(first, no_wrap=True)
        for header in headers:
            shown.add_column(header, no_wrap=True, justify="right")
        return shown

    overall = table(f"parlour eval: {results} (95% bootstrap intervals)", "model", OVERALL_HEADERS)
    per_game: list[Table] = []
    for model_name, row in evaluation.results.iterrows():
        name = str(model_name)
        first, _, second = name.partition("--")
        shown = short_name(first if first == second else name)  # self-play: one name is enough
        overall_key = (name, ALL_GAMES, CLEMSCORE)
        episodes = ci.loc[overall_key, "n_episodes"] if overall_key in ci.index else 0
        overall.add_row(
            shown, cell(name, ALL_GAMES, CLEMSCORE), cell(name, ALL_GAMES, PCT_PLAYED), cell(name, ALL_GAMES, QUALITY),
            str(episodes),
        )  # fmt: skip
        games = table(f"per game: {shown}", "game", PER_GAME_HEADERS)
        for game in sorted({c.split(",")[0] for c in row.dropna().index if not is_overall_col(c)}):
            n = ci.loc[(name, game, PCT_PLAYED), "n_episodes"] if (name, game, PCT_PLAYED) in ci.index else 0
            games.add_row(
                game, cell(name, game, PCT_PLAYED), cell(name, game, QUALITY),
                format_number(row.get(std_col(game), float("nan"))), str(n),
            )  # fmt: skip
        per_game.append(games)
    console.print(overall)
    for games in per_game:
        console.print(games)
    console.print(evaluation.counted(), highlight=False)
    short_name.print_full_names(console)
    console.print(f"wrote {results / 'raw.csv'}, {results / 'results.csv'}, {results / 'results_ci.csv'}")
    if evaluation.unscored:
        err_console.print(
            f"[yellow]warning:[/] {len(evaluation.unscored)} episode(s) have no scores.json and are not counted "
            f"(failed or unscored), e.g. {evaluation.unscored[0]}",
            highlight=False,
        )
    if compare:
        from parlour.analysis.placement import place_results
        from parlour.cli_analyze import print_placement

        print_placement(place_results([results], comparison=compare))
    for _, reason in evaluation.unreadable[:20]:
        err_console.print(f"  {reason}", highlight=False)
    return len(evaluation.unreadable)


@app.command("generate")
def generate_command(
    game: str = typer.Option(..., "-g", "--game"),
    out: Path = typer.Option(..., "-o", "--out", help="Where to write instances.json."),
    seed: int | None = typer.Option(None, "--seed", help="Generator seed (default: the shipped instances' seed)."),
    rebuild_tables: bool = typer.Option(
        False, "--rebuild-tables", help="First rebuild the game's word tables (needs the `generate` extra)."
    ),
) -> None:
    """Generate a game's instances with parlour's seeded generator (the shipped ones: the default seed)."""
    from parlour.games.instances import instances_json
    from parlour.games.registry import get_game

    spec = get_game(game)
    if spec.generator is None:
        fail(f"game {game} has no instance generator")
    if rebuild_tables:
        if spec.rebuild_tables is None:
            fail(f"game {game} has no word tables to rebuild")
        for path in spec.rebuild_tables():
            console.print(f"wrote {path}")
    data = spec.generator() if seed is None else spec.generator(seed=seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(instances_json(data), encoding="utf-8")
    episodes = sum(len(e["game_instances"]) for e in data["experiments"])
    console.print(f"wrote {out}: {len(data['experiments'])} experiments, {episodes} instances")


def _register_package_commands() -> None:
    """Commands owned by other packages (analysis, report, model tools)."""
    from parlour.cli_analyze import analyze_app
    from parlour.cli_models import doctor_command, quantize_command
    from parlour.cli_report import report

    app.add_typer(analyze_app, name="analyze", help="The paper's analyses: regression, brackets, families, ...")
    app.command("report")(report)
    app.command("quantize")(quantize_command)
    app.command("doctor")(doctor_command)


_register_package_commands()


def main() -> None:
    """Entry point and the one error handler. Exit codes: 0 ok, 1 some episodes (or files) failed,
    2 a usage or input error (one line naming the file, model or field), 130 interrupted."""
    # warnings from the packages (an endpoint limit below --concurrency, ...) as one plain line each
    logging.basicConfig(level=logging.WARNING, format="note: %(message)s", stream=sys.stderr)
    try:
        # without standalone mode click returns an Exit's code instead of exiting
        code = app(standalone_mode=False)
        if code == INTERRUPTED_CODE:  # typer turns Ctrl-C into an exit code of 130
            err_console.print(INTERRUPTED, highlight=False)
        sys.exit(code if isinstance(code, int) else 0)
    except (ParlourError, OSError) as exc:  # OSError: a file we could not read or write, named in the message
        print_error(str(exc))
        sys.exit(INPUT_ERROR)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except ClickException as exc:  # usage errors, from whichever click typer uses
        sys.exit(print_click_error(exc))
    except (typer.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        err_console.print(INTERRUPTED, highlight=False)
        sys.exit(INTERRUPTED_CODE)
