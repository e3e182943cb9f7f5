"""`parlour eval`: raw.csv, results.csv (clembench's columns) and results_ci.csv, and the score tables (a thin
shell over `parlour.api.evaluation`)."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich import box
from rich.table import Table

from parlour.cli.errors import fail
from parlour.cli.names import ShortNames, name_width
from parlour.cli.options import JOBS_OPTION, N_BOOT_OPTION, RESULTS_FOLDERS_OPTION
from parlour.cli.output import console, notes

OVERALL_HEADERS = ("clemscore", "% played", "quality", "episodes")
PER_GAME_HEADERS = ("% played", "quality", "quality std", "episodes")


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
    from parlour import api
    from parlour.scoring.clemscore import ALL_GAMES, CLEMSCORE, PCT_PLAYED, QUALITY, is_overall_col, std_col
    from parlour.scoring.evaluate import format_number

    evaluation = api.evaluation(results, n_boot=n_boot, workers=jobs)
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
    for pair, (benchmark, missing) in evaluation.incomplete.items():
        notes.print(
            f"{pair}: no scores for {len(missing)} game(s) of {benchmark} ({', '.join(missing)}); its clemscore "
            "averages over the games it has, unlike the official leaderboard's",
            highlight=False,
        )
    short_name.print_full_names(console)
    console.print(f"wrote {results / 'raw.csv'}, {results / 'results.csv'}, {results / 'results_ci.csv'}")
    if evaluation.unscored:
        notes.print(
            f"[yellow]warning:[/] {len(evaluation.unscored)} episode(s) have no scores.json and are not counted "
            f"(failed or unscored), e.g. {evaluation.unscored[0]}",
            highlight=False,
        )
    if compare:
        from parlour.analysis.placement import place_results
        from parlour.cli.analyze import print_placement

        print_placement(place_results([results], comparison=compare))
    for _, reason in evaluation.unreadable[:20]:
        notes.print(f"  {reason}", highlight=False)
    return len(evaluation.unreadable)
