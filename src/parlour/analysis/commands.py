"""`parlour analyze ...`: the paper's analyses on any mix of results and model characteristics."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from parlour.analysis import figures, loading
from parlour.analysis.characteristics import Joined, model_key
from parlour.analysis.groups import (
    DEFAULT_EDGES,
    brackets,
    dynamics,
    families,
    pick_models,
    profile,
    variant_tests,
    variants,
)
from parlour.analysis.loading import Scores
from parlour.analysis.regression import regression
from parlour.errors import ParlourError
from parlour.scoring.bootstrap import bootstrap_ci, paired_bootstrap
from parlour.scoring.clemscore import ALL_GAMES, CLEMSCORE, PCT_PLAYED, QUALITY

analyze_app = typer.Typer(
    help="The paper's analyses: regression, brackets, families, backends, quantization, profile, compare."
)
console = Console()
notes = Console(stderr=True)

ResultsOpt = typer.Option(..., "--results", "-r", help="results folder, raw.csv, results.csv or score summary CSV")
ModelsOpt = typer.Option([], "--models", "-m", help="model characteristics CSV or registry YAML (repeatable)")
JsonOpt = typer.Option(None, "--json", help="also write the result as JSON to this file")
CsvOpt = typer.Option(None, "--csv", help="also write the table as CSV to this file")
FigureOpt = typer.Option(None, "--figure", help="draw the figure (suffix picks the format; none: .png and .svg)")


def _fails_cleanly(func: Callable[..., None]) -> Callable[..., None]:
    """Show a ParlourError as one red line and exit 1, instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except ParlourError as exc:
            notes.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from exc

    return wrapper


def load_joined(results: list[Path], models: list[Path], quiet: bool = False) -> tuple[Scores, Joined]:
    """Load and join, printing the matching report (to stderr) unless quiet."""
    scores, joined = loading.load_joined(results, models)
    if not quiet:
        if scores.duplicates:
            notes.print(f"[dim]given twice, first kept: {', '.join(scores.duplicates)}[/dim]", highlight=False)
        if models or scores.runs:
            notes.print(f"[dim]{joined.report()}[/dim]", highlight=False)
    return scores, joined


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.2f}"
    if value is None or value is pd.NA:
        return ""
    return str(value)


def _short(column: str, value: object) -> str:
    # pair directories are long; the model key names the model just as well on screen
    if column in NAME_COLUMNS and isinstance(value, str):
        return model_key(value)
    return _cell(value)


NAME_COLUMNS = {"model", "pair", "model_a", "model_b", "reference"}


def print_frame(frame: pd.DataFrame, title: str, columns: list[str] | None = None) -> None:
    """Print a DataFrame as a rich table (floats with 2 decimals, NaN empty)."""
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
        frame.to_csv(csv_path, index=False)
    if json_path:
        payload = extra if extra is not None else {"rows": json.loads(frame.to_json(orient="records"))}
        write_json_nan_as_null(payload, json_path)


def write_json_nan_as_null(payload: dict, path: Path) -> None:
    """Write standard JSON for other tools: NaN becomes null (unlike the results files, which keep
    clembench's bare NaN token; see parlour.runner.store.write_json)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_clean(payload), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


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
@_fails_cleanly
def regression_cmd(
    results: list[Path] = ResultsOpt,
    models: list[Path] = ModelsOpt,
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
    if sample not in ("nested", "available"):
        raise ParlourError(f"--sample must be 'nested' or 'available', not '{sample}'")
    _, joined = load_joined(results, models)
    result = regression(joined.frame, target=target, tokens=tokens, sample=sample)  # type: ignore[arg-type]
    console.print(result.summary_line(), highlight=False)
    print_frame(result.coef.reset_index(names="term"), "coefficients (95% CI)")
    print_frame(result.influence, "leave-one-out influence on R²")
    console.print("models: " + ", ".join(result.models), highlight=False)
    _write(result.coef.reset_index(names="term"), json_path, csv_path, extra=result.to_dict())
    if figure:
        figures.regression_figure(result, figure)


def _edges(text: str | None) -> tuple[float, ...]:
    if not text:
        return DEFAULT_EDGES
    try:
        return tuple(float(x) for x in text.split(","))
    except ValueError as exc:
        raise ParlourError(f"--edges must be comma-separated numbers (billions), not '{text}'") from exc


@analyze_app.command("brackets")
@_fails_cleanly
def brackets_cmd(
    results: list[Path] = ResultsOpt,
    models: list[Path] = ModelsOpt,
    edges: str | None = typer.Option(None, "--edges", help="bracket edges in billions, e.g. 0,3,10,20,40,100,300,inf"),
    target: str = typer.Option("clemscore", "--target"),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """Models binned by size, and the spread of scores within each bracket (Figure 5)."""
    _, joined = load_joined(results, models)
    per_model, spread = brackets(joined.frame, _edges(edges), target)
    print_frame(spread, f"{target} within size brackets")
    _write(spread, json_path, csv_path)
    if figure:
        figures.brackets_figure(per_model, figure, target)


@analyze_app.command("families")
@_fails_cleanly
def families_cmd(
    results: list[Path] = ResultsOpt,
    models: list[Path] = ModelsOpt,
    min_size: int = typer.Option(2, "--min-size", help="smallest family to show"),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
) -> None:
    """Models sharing a base model, side by side (Tables 1 and 4)."""
    _, joined = load_joined(results, models)
    table = families(joined.frame, min_size)
    print_frame(table, "families (same base model)", [c for c in table.columns if c != "pair"])
    _write(table, json_path, csv_path)


def _variants_cmd(
    kind: str,
    results: list[Path],
    models: list[Path],
    group: str,
    reference: str | None,
    n_boot: int,
    seed: int,
    json_path: Path | None,
    csv_path: Path | None,
    figure: Path | None,
) -> None:
    scores, joined = load_joined(results, models)
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
NBootOpt = typer.Option(1000, "--n-boot", help="bootstrap resamples")
SeedOpt = typer.Option(0, "--seed")


@analyze_app.command("backends")
@_fails_cleanly
def backends_cmd(
    results: list[Path] = ResultsOpt,
    models: list[Path] = ModelsOpt,
    group: str = GroupOpt,
    reference: str | None = typer.Option(None, "--reference", help="backend to compare against"),
    n_boot: int = NBootOpt,
    seed: int = SeedOpt,
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """The same weights through different access methods (Tables 2 and 6)."""
    _variants_cmd("backend", results, models, group, reference, n_boot, seed, json_path, csv_path, figure)


@analyze_app.command("quantization")
@_fails_cleanly
def quantization_cmd(
    results: list[Path] = ResultsOpt,
    models: list[Path] = ModelsOpt,
    group: str = GroupOpt,
    reference: str | None = typer.Option(None, "--reference", help="quantization to compare against"),
    n_boot: int = NBootOpt,
    seed: int = SeedOpt,
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """The same weights at different quantization levels (Tables 3 and 7)."""
    _variants_cmd("quantization", results, models, group, reference, n_boot, seed, json_path, csv_path, figure)


@analyze_app.command("profile")
@_fails_cleanly
def profile_cmd(
    results: list[Path] = ResultsOpt,
    models: list[Path] = ModelsOpt,
    model: list[str] = typer.Option([], "--model", help="model to profile (repeatable; default all)"),
    show_dynamics: bool = typer.Option(False, "--dynamics", help="also the size-ordered view (needs params_b)"),
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
    figure: Path | None = FigureOpt,
) -> None:
    """% played and quality per game for chosen models (Figures 2/4) and size-ordered dynamics (Figure 6)."""
    scores, joined = load_joined(results, models)
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
    cis = bootstrap_ci(raw[raw["model"].isin(table["model"])])
    wide = cis[cis["metric"].isin([PCT_PLAYED, QUALITY])].pivot_table(
        index=["model", "game"], columns="metric", values=["ci_low", "ci_high"]
    )
    wide.columns = [f"{'played' if m == PCT_PLAYED else 'quality'}_{b}" for b, m in wide.columns]
    return table.merge(wide.reset_index(), on=["model", "game"], how="left")


@analyze_app.command("compare")
@_fails_cleanly
def compare_cmd(
    model_a: str = typer.Argument(..., help="first model (pair directory or model name)"),
    model_b: str = typer.Argument(..., help="second model"),
    results: list[Path] = ResultsOpt,
    n_boot: int = NBootOpt,
    seed: int = SeedOpt,
    json_path: Path | None = JsonOpt,
    csv_path: Path | None = CsvOpt,
) -> None:
    """Paired bootstrap of two models over the instances both played: difference, 95% CI and p per game."""
    scores = loading.load_scores(results)
    if scores.raw is None or scores.raw.empty:
        raise ParlourError(
            "a paired comparison needs episode scores (a results folder or raw.csv), not a results table"
        )
    a, b = pick_models(scores.table, [model_a, model_b])
    table = paired_bootstrap(scores.raw, a, b, n_boot=n_boot, seed=seed)
    print_frame(table, f"{model_key(a)} minus {model_key(b)} on {int(table['n_shared'].iloc[0])} shared episodes")
    _write(table, json_path, csv_path)
