"""`parlour analyze ...`: the paper's analyses on any mix of results and model characteristics.

A thin shell over parlour.analysis: pandas, statsmodels and matplotlib are imported by the command that
runs, so that `parlour --help` answers at once."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from parlour import store
from parlour.cli.errors import one_line_errors
from parlour.cli.options import N_BOOT_OPTION
from parlour.cli.output import console, notes
from parlour.data import DEFAULT_COMPARISON
from parlour.errors import ParlourError

if TYPE_CHECKING:
    import pandas as pd

    from parlour.analysis.characteristics import Joined
    from parlour.analysis.loading import Scores
    from parlour.analysis.placement import Placement

analyze_app = typer.Typer(
    help="The paper's analyses: regression, brackets, families, backends, quantization, profile, compare, "
    "placement, divergence."
)

ResultsOpt = typer.Option(..., "--results", "-r", help="results folder, raw.csv, results.csv or score summary CSV")
CharacteristicsOpt = typer.Option(
    [],
    "--characteristics",
    "-c",
    help="model characteristics CSV or registry YAML, or official:characteristics (repeatable; "
    "default: parlour's shipped characteristics of the v1.6 models)",
)
JsonOpt = typer.Option(None, "--json", help="also write the result as JSON to this file")
CsvOpt = typer.Option(None, "--csv", help="also write the table as CSV to this file")
FigureOpt = typer.Option(None, "--figure", help="draw the figure (suffix picks the format; none: .png and .svg)")


def load_joined(results: list[Path], characteristics: list[Path], quiet: bool = False) -> tuple[Scores, Joined]:
    """Load and join, printing the matching report (to stderr) unless quiet."""
    from parlour.analysis import loading

    scores, joined = loading.load_joined(results, characteristics)
    if not quiet:
        if scores.duplicates:
            notes.print(f"[dim]given twice, first kept: {', '.join(scores.duplicates)}[/dim]", highlight=False)
        if characteristics or scores.runs:
            notes.print(f"[dim]{joined.report()}[/dim]", highlight=False)
    return scores, joined


def _cell(value: object) -> str:
    import pandas as pd

    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.2f}"
    if value is None or value is pd.NA:
        return ""
    return str(value)


def _short(column: str, value: object) -> str:
    from parlour.analysis.characteristics import model_key

    # pair directories are long; the model key names the model just as well on screen
    if column in NAME_COLUMNS and isinstance(value, str):
        return model_key(value)
    return _cell(value)


NAME_COLUMNS = {"model", "pair", "model_a", "model_b", "reference"}


def print_frame(frame: pd.DataFrame, title: str, columns: list[str] | None = None) -> None:
    """Print a DataFrame as a rich table (floats with 2 decimals, NaN empty)."""
    import pandas as pd

    columns = columns or list(frame.columns)
    table = Table(title=title, title_justify="left")
    for col in columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[_short(c, row[c]) for c in columns])
    console.print(table)


def _write(frame: pd.DataFrame, json_path: Path | None, csv_path: Path | None, extra: dict | None = None) -> None:
    if csv_path:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        store.write_csv(frame, csv_path, csv_path.parent, index=False)
    if json_path:
        payload = extra if extra is not None else {"rows": json.loads(frame.to_json(orient="records"))}
        write_json_nan_as_null(payload, json_path)


def write_json_nan_as_null(payload: dict, path: Path) -> None:
    """Write standard JSON for other tools: NaN becomes null (unlike the results files, which keep
    clembench's bare NaN token; see parlour.store.write_json)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(path, json.dumps(_clean(payload), indent=2, ensure_ascii=False) + "\n", path.parent)


def _clean(obj: object) -> object:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if hasattr(obj, "item"):  # numpy scalars
        return _clean(obj.item())
    return obj


@analyze_app.command("regression")
@one_line_errors
def regression_cmd(
    results: list[Path] = ResultsOpt,
    characteristics: list[Path] = CharacteristicsOpt,
    tokens: bool = typer.Option(False, "--tokens", help="add ln(training tokens) as a second predictor"),
    target: str = typer.Option("clemscore", "--target", help="clemscore, played, quality, <game>, <game>:played"),
    sample: str = typer.Option(
        "nested",
        "--sample",
        help="nested: models with params and tokens (comparable fits); available: own predictors",
    ),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """OLS of a score on ln(parameters) [+ ln(training tokens)], with leave-one-out influence on R²."""
    from parlour.analysis import figures
    from parlour.analysis.regression import regression

    if sample not in ("nested", "available"):
        raise ParlourError(f"--sample must be 'nested' or 'available', not '{sample}'")
    _, joined = load_joined(results, characteristics)
    result = regression(joined.frame, target=target, tokens=tokens, sample=sample)  # type: ignore[arg-type]
    console.print(result.summary_line(), highlight=False)
    print_frame(result.coef.reset_index(names="term"), "coefficients (95% CI)")
    print_frame(result.influence, "leave-one-out influence on R²")
    console.print("models: " + ", ".join(result.models), highlight=False)
    _write(result.coef.reset_index(names="term"), json_path, csv_path, extra=result.to_dict())
    if figure:
        figures.regression_figure(result, figure)


def _edges(text: str | None) -> tuple[float, ...]:
    from parlour.analysis.groups import DEFAULT_EDGES

    if not text:
        return DEFAULT_EDGES
    try:
        return tuple(float(x) for x in text.split(","))
    except ValueError as exc:
        raise ParlourError(f"--edges must be comma-separated numbers (billions), not '{text}'") from exc


@analyze_app.command("brackets")
@one_line_errors
def brackets_cmd(
    results: list[Path] = ResultsOpt,
    characteristics: list[Path] = CharacteristicsOpt,
    edges: str | None = typer.Option(None, "--edges", help="bracket edges in billions, e.g. 0,3,10,20,40,100,300,inf"),
    target: str = typer.Option("clemscore", "--target"),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """Models binned by size, and the spread of scores within each bracket (Figure 5)."""
    from parlour.analysis import figures
    from parlour.analysis.groups import brackets

    _, joined = load_joined(results, characteristics)
    per_model, spread = brackets(joined.frame, _edges(edges), target)
    print_frame(spread, f"{target} within size brackets")
    _write(spread, json_path, csv_path)
    if figure:
        figures.brackets_figure(per_model, figure, target)


@analyze_app.command("families")
@one_line_errors
def families_cmd(
    results: list[Path] = ResultsOpt,
    characteristics: list[Path] = CharacteristicsOpt,
    min_size: int = typer.Option(2, "--min-size", help="smallest family to show"),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
) -> None:
    """Models sharing a base model, side by side (Tables 1 and 4)."""
    from parlour.analysis.groups import families

    _, joined = load_joined(results, characteristics)
    table = families(joined.frame, min_size)
    print_frame(table, "families (same base model)", [c for c in table.columns if c != "pair"])
    _write(table, json_path, csv_path)


def _variants_cmd(
    kind: str,
    results: list[Path],
    characteristics: list[Path],
    group: str,
    reference: str | None,
    n_boot: int,
    seed: int,
    json_path: Path | None,
    csv_path: Path | None,
    figure: Path | None,
) -> None:
    from parlour.analysis import figures
    from parlour.analysis.groups import variant_tests, variants
    from parlour.scoring.bootstrap import bootstrap_ci
    from parlour.scoring.clemscore import ALL_GAMES, CLEMSCORE

    scores, joined = load_joined(results, characteristics)
    table, per_game = variants(joined.frame, kind, group, reference)  # type: ignore[arg-type]
    show = ["group", kind, "clemscore", "played", "quality", "diff_clemscore", "diff_played", "diff_quality"]
    print_frame(table, f"same weights, different {kind} (diff = row - reference)", show)
    print_frame(per_game, "per game", ["group", kind, "game", "played", "quality", "diff_played", "diff_quality"])
    tests = variant_tests(scores.raw, table, n_boot=n_boot, seed=seed)
    if not tests.empty:
        print_frame(tests[tests["game"] == ALL_GAMES], "paired bootstrap over shared instances (a - b)")
    ci = None
    if scores.raw is not None and not scores.raw.empty:
        cis = bootstrap_ci(scores.raw, n_boot=n_boot, seed=seed)
        cis = cis[(cis["game"] == ALL_GAMES) & (cis["metric"] == CLEMSCORE)]
        ci = {r.model: (r.ci_low, r.ci_high) for r in cis.itertuples()}
    payload = {
        "table": json.loads(table.to_json(orient="records")),
        "per_game": json.loads(per_game.to_json(orient="records")),
        "paired_tests": json.loads(tests.to_json(orient="records")) if not tests.empty else [],
    }
    _write(table, json_path, csv_path, extra=payload)
    if figure:
        figures.variants_figure(table, kind, figure, ci)


GroupOpt = typer.Option("weights", "--group", help="characteristic that says two rows are the same weights")
SeedOpt = typer.Option(0, "--seed")


@analyze_app.command("backends")
@one_line_errors
def backends_cmd(
    results: list[Path] = ResultsOpt,
    characteristics: list[Path] = CharacteristicsOpt,
    group: str = GroupOpt,
    reference: str | None = typer.Option(None, "--reference", help="backend to compare against"),
    n_boot: int = N_BOOT_OPTION,
    seed: int = SeedOpt,
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """The same weights through different access methods (Tables 2 and 6)."""
    _variants_cmd("backend", results, characteristics, group, reference, n_boot, seed, json_path, csv_path, figure)


@analyze_app.command("quantization")
@one_line_errors
def quantization_cmd(
    results: list[Path] = ResultsOpt,
    characteristics: list[Path] = CharacteristicsOpt,
    group: str = GroupOpt,
    reference: str | None = typer.Option(None, "--reference", help="quantization to compare against"),
    n_boot: int = N_BOOT_OPTION,
    seed: int = SeedOpt,
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """The same weights at different quantization levels (Tables 3 and 7)."""
    _variants_cmd("quantization", results, characteristics, group, reference, n_boot, seed, json_path, csv_path, figure)


@analyze_app.command("profile")
@one_line_errors
def profile_cmd(
    results: list[Path] = ResultsOpt,
    characteristics: list[Path] = CharacteristicsOpt,
    model: list[str] = typer.Option([], "--model", help="model to profile (repeatable; default all)"),
    show_dynamics: bool = typer.Option(False, "--dynamics", help="also the size-ordered view (needs params_b)"),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """% played and quality per game for chosen models (Figures 2/4) and size-ordered dynamics (Figure 6)."""
    from parlour.analysis import figures
    from parlour.analysis.groups import dynamics, profile

    scores, joined = load_joined(results, characteristics)
    table = profile(joined.frame, model or None)
    if scores.raw is not None and not scores.raw.empty:
        table = _with_ci(table, scores.raw)
    print_frame(table, "profile: % played and quality per game")
    extra = {"profile": json.loads(table.to_json(orient="records"))}
    if show_dynamics:
        dyn = dynamics(joined.frame)
        print_frame(dyn, "models by size, then clemscore")
        extra["dynamics"] = json.loads(dyn.to_json(orient="records"))
        if figure:
            figures.dynamics_figure(dyn, figure.with_name(figure.stem + "_dynamics" + figure.suffix))
    _write(table, json_path, csv_path, extra=extra)
    if figure:
        figures.profile_figure(table, figure)


def _with_ci(table: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Add bootstrap CI columns for played and quality where the models have episode data."""
    from parlour.scoring.bootstrap import bootstrap_ci
    from parlour.scoring.clemscore import PCT_PLAYED, QUALITY

    cis = bootstrap_ci(raw[raw["model"].isin(table["model"])])
    wide = cis[cis["metric"].isin([PCT_PLAYED, QUALITY])].pivot_table(
        index=["model", "game"], columns="metric", values=["ci_low", "ci_high"]
    )
    wide.columns = [f"{'played' if m == PCT_PLAYED else 'quality'}_{b}" for b, m in wide.columns]
    return table.merge(wide.reset_index(), on=["model", "game"], how="left")


@analyze_app.command("compare")
@one_line_errors
def compare_cmd(
    model_a: str = typer.Argument(..., help="first model (pair directory or model name)"),
    model_b: str = typer.Argument(..., help="second model"),
    results: list[Path] = ResultsOpt,
    n_boot: int = N_BOOT_OPTION,
    seed: int = SeedOpt,
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
) -> None:
    """Paired bootstrap of two models over the instances both played: difference, 95% CI and p per game."""
    from parlour.analysis import loading
    from parlour.analysis.characteristics import model_key
    from parlour.analysis.groups import pick_models
    from parlour.scoring.bootstrap import paired_bootstrap

    scores = loading.load_scores(results)
    if scores.raw is None or scores.raw.empty:
        raise ParlourError(
            "a paired comparison needs episode scores (a results folder or raw.csv), not a results table"
        )
    a, b = pick_models(scores.table, [model_a, model_b])
    table = paired_bootstrap(scores.raw, a, b, n_boot=n_boot, seed=seed)
    print_frame(table, f"{model_key(a)} minus {model_key(b)} on {int(table['n_shared'].iloc[0])} shared episodes")
    _write(table, json_path, csv_path)


def print_placement(placement: Placement, board: bool = False) -> None:
    """Print where the user's models sit on the official leaderboard (and the whole table with `board`)."""
    from parlour.analysis.characteristics import model_key
    from parlour.analysis.placement import INSTANCE_SETS_NOTE

    console.print(placement.summary_line(), highlight=False)
    if board:
        source = placement.table["official"].map({True: "official", False: "yours"})
        print_frame(placement.table.assign(official=source), f"{placement.comparison} with your models")
    columns = ["rank", "pair", "params_b", "clemscore", "predicted", "residual", "position", "pi_low", "pi_high"]
    columns += ["instances"]
    print_frame(
        placement.yours,
        f"your models on {placement.comparison} (rank among {len(placement.table)}; residual = actual - predicted; "
        f"position against the {placement.level:.0%} prediction interval)",
        columns,
    )
    unsized = placement.yours.loc[placement.yours["params_b"].isna(), "pair"]
    if len(unsized):
        notes.print(f"[dim]no parameter count, not placed on the fit: {', '.join(map(model_key, unsized))}[/dim]")
    small = placement.yours.loc[placement.yours["extrapolated"], "pair"]
    if len(small):
        names = ", ".join(map(model_key, small))
        notes.print(
            f"[dim]outside the official models' sizes (prediction extrapolated): {names}[/dim]", highlight=False
        )
    if placement.already_official:
        notes.print(f"[dim]already official rows, not repeated: {len(placement.already_official)}[/dim]")
    if placement.off_official_instances:
        notes.print(f"[yellow]note:[/] {INSTANCE_SETS_NOTE}", highlight=False)


@analyze_app.command("placement")
@one_line_errors
def placement_cmd(
    results: list[Path] = ResultsOpt,
    characteristics: list[Path] = CharacteristicsOpt,
    compare: str = typer.Option(DEFAULT_COMPARISON, "--compare", help="official table to place your models in"),
    board: bool = typer.Option(False, "--board", help="also print the whole combined leaderboard"),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """Your models on the official leaderboard: rank, and clemscore against what their size predicts."""
    from parlour.analysis import figures
    from parlour.analysis.placement import place

    scores, joined = load_joined(results, characteristics)
    placement = place(joined.frame, compare, runs=scores.runs)
    print_placement(placement, board)
    payload = {
        "fit": placement.fit.to_dict(),
        "yours": json.loads(placement.yours.to_json(orient="records")),
        "table": json.loads(placement.table.to_json(orient="records")),
    }
    _write(placement.table, json_path, csv_path, extra=payload)
    if figure:
        figures.placement_figure(placement, figure)


@analyze_app.command("divergence")
@one_line_errors
def divergence_cmd(
    results: list[Path] = ResultsOpt,
    characteristics: list[Path] = CharacteristicsOpt,
    group: str = GroupOpt,
    per_game: bool = typer.Option(False, "--per-game", help="one row per game as well"),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """Specs sharing weights (backends, quantizations) on the same instances: where do their transcripts differ?"""
    from parlour.analysis import figures
    from parlour.analysis.divergence import divergence_episodes, summarise

    scores, joined = load_joined(results, characteristics)
    episodes = divergence_episodes(joined.frame, scores.roots, group)
    summary = summarise(episodes)
    print_frame(
        summary,
        "same weights, same instances: % with identical first reply / transcript, first differing turn (median, "
        "0 = first), mean score difference b - a on the diverged episodes",
    )
    if per_game:
        print_frame(summarise(episodes, per_game=True), "per game")
    payload = {
        "summary": json.loads(summary.to_json(orient="records")),
        "episodes": json.loads(episodes.to_json(orient="records")),
    }
    _write(summary, json_path, csv_path, extra=payload)
    if figure:
        figures.divergence_figure(summary, figure)
