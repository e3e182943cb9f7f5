"""`parlour analyze <name>`: one command per analysis of the registry (parlour.analysis.registry), generated
from its entry: its arguments, the score sources (-r, and -c where it joins model characteristics), its own
options, then --json, --csv and, where it draws one, --figure.

pandas, statsmodels and matplotlib are imported by the command that runs, so that `parlour --help` answers
at once."""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from parlour import store
from parlour.analysis.registry import P_COLUMNS, Analysis, Note, Outcome, Shown, TableView, commands, p_text
from parlour.cli.errors import one_line_errors
from parlour.cli.options import typer_option
from parlour.cli.output import console, left_out_note, notes, whole_table

if TYPE_CHECKING:
    import pandas as pd

    from parlour.analysis.characteristics import Joined
    from parlour.analysis.loading import Scores
    from parlour.analysis.placement import Placement

analyze_app = typer.Typer(
    help="The paper's analyses: " + ", ".join(a.name for a in commands()) + ".", rich_markup_mode=None
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


def _cell(value: object) -> str:
    import pandas as pd

    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.2f}"
    if value is None or value is pd.NA:
        return "n/a"
    return str(value)


def _short(column: str, value: object) -> str:
    from parlour.analysis.characteristics import model_key

    # pair directories are long; the model key names the model just as well on screen
    if column in NAME_COLUMNS and isinstance(value, str):
        return model_key(value)
    if column in P_COLUMNS and isinstance(value, float) and not math.isnan(value):
        return p_text(value)
    return _cell(value)


NAME_COLUMNS = {"model", "pair", "model_a", "model_b", "reference"}


def print_frame(frame: pd.DataFrame, title: str, columns: list[str] | None = None) -> None:
    """Print a DataFrame as a table (floats with 2 decimals, NaN as n/a) whose names and numbers are never
    cut: where the columns do not fit the terminal, the last ones are left out, and a line says which."""
    import pandas as pd

    columns = [str(c) for c in (columns or list(frame.columns))]
    rows = [[_short(c, row[c]) for c in columns] for _, row in frame.iterrows()]
    numeric = {c for c in columns if pd.api.types.is_numeric_dtype(frame[c])}
    table, left_out = whole_table(columns, rows, console.width, title=title, keep=2, right=numeric)
    console.print(table)
    note = left_out_note(left_out, console.width)
    if note:
        show([Note(note + "; --csv or --json writes them all")])


def show(blocks: Iterable[Shown]) -> None:
    """Print what an analysis shows, each block as it comes: tables and lines on stdout, notes on stderr."""
    for block in blocks:
        if isinstance(block, TableView):
            print_frame(block.frame, block.title, block.columns)
        elif isinstance(block, Note):
            text = f"[yellow]note:[/] {block.text}" if block.warning else f"[dim]{block.text}[/dim]"
            notes.print(text, highlight=False)
        else:
            console.print(block.text, highlight=False)


def print_placement(placement: Placement, board: bool = False) -> None:
    """Print where the user's models sit on the official leaderboard (and the whole table with `board`)."""
    from parlour.analysis.outcomes import placement_shown

    show(placement_shown(placement, board))


def _loading_notes(scores: Scores, joined: Joined, characteristics: list[Path]) -> None:
    """How the sources and the characteristics came together (to stderr)."""
    if scores.duplicates:
        show([Note(f"given twice, first kept: {', '.join(scores.duplicates)}")])
    if characteristics or scores.runs:
        show([Note(joined.report())])


def _write(outcome: Outcome, json_path: Path | None, csv_path: Path | None) -> None:
    if csv_path:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        store.write_csv(outcome.table, csv_path, csv_path.parent, index=False)
    if json_path:
        write_json_nan_as_null(outcome.payload(), json_path)


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


def run_command(analysis: Analysis, given: dict[str, Any]) -> None:
    """Load the sources, run the analysis, print it and write what was asked for."""
    results, characteristics = given.pop("results"), given.pop("characteristics", [])
    json_path, csv_path, figure = given.pop("json_path"), given.pop("csv_path"), given.pop("figure", None)
    analysis.values(given)  # a wrong option is reported before anything is loaded
    scores, joined = analysis.load(results, characteristics)
    if joined is not None:
        _loading_notes(scores, joined, characteristics)
    outcome = analysis.run(scores, joined, **given)
    show(outcome.shown())
    _write(outcome, json_path, csv_path)
    if figure:
        outcome.draw(figure)


def _parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation)


def parameters(analysis: Analysis) -> list[inspect.Parameter]:
    """The command's parameters, in the order its help lists them."""
    arguments = [_parameter(o.name, o.type, typer_option(o)) for o in analysis.options if not o.flags]
    options = [_parameter(o.name, o.type, typer_option(o)) for o in analysis.options if o.flags]
    sources = [_parameter("results", list[Path], ResultsOpt)]
    if analysis.characteristics:
        sources.append(_parameter("characteristics", list[Path], CharacteristicsOpt))
    outputs = [_parameter("json_path", Path | None, JsonOpt), _parameter("csv_path", Path | None, CsvOpt)]
    if analysis.figure:
        outputs.append(_parameter("figure", Path | None, FigureOpt))
    return [*arguments, *sources, *options, *outputs]


def _command(analysis: Analysis) -> Callable[..., None]:
    def command(**given: Any) -> None:
        run_command(analysis, given)

    # typer reads a command's parameters from its signature: this one is the analysis's
    command.__signature__ = inspect.Signature(parameters(analysis))  # type: ignore[attr-defined]
    command.__doc__ = analysis.description
    command.__name__ = f"{analysis.name}_command"
    return one_line_errors(command)


for _analysis in commands():
    analyze_app.command(_analysis.name)(_command(_analysis))
