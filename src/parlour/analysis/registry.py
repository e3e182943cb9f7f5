"""The paper's analyses, each registered once: its function, its options, its report section, one line on it.

Everything that lists analyses reads `ANALYSES`: the library (`parlour.analyze`), the command line (one
`parlour analyze <name>` command per entry, its options generated from the entry's), the sweep file's
`analyses:` and the report's analysis page. This module imports neither pandas nor matplotlib, so that
`parlour --help` is built from it at once: an entry names its function and its report section by import
path, and they are imported when the analysis runs.

A new analysis is a function `(scores, joined, **options) -> Outcome` (see `parlour.analysis.outcomes`)
and one `Analysis` entry below; if the report's analysis page shows it, a section function as well (see
`parlour.report.analysis_page`).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parlour.errors import ParlourError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

    from parlour.analysis.characteristics import Joined
    from parlour.analysis.loading import Scores
    from parlour.report.analysis_page import AnalysisPage


@dataclass(frozen=True)
class Option:
    """One setting of an analysis: a keyword of its function and a flag (none: a positional argument) of its
    command. `type` is the command line's type; `...` as the default makes it required."""

    name: str
    type: Any
    default: Any
    flags: tuple[str, ...] = ()
    help: str | None = None
    min: int | None = None
    choices: tuple[str, ...] = ()

    def check(self, value: object) -> None:
        """A one-line error for a value the analysis cannot take."""
        if value is ...:
            raise ParlourError(f"missing {self.flags[0] if self.flags else self.name}")
        if self.choices and value not in self.choices:
            allowed = " or ".join(f"'{c}'" for c in self.choices)
            raise ParlourError(f"{self.flags[0]} must be {allowed}, not '{value}'")


def resolve(ref: str) -> Callable[..., Any]:
    """The function an import path "module:function" names, imported now."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Section:
    """How an analysis is drawn on the report's analysis page: `function` ("module:function") takes the page
    and writes the section's figure and tables; it returns what the page shows, or None when it has nothing
    to show for these models. An `overview` opens the page and needs no model characteristics; the other
    sections follow in the registry's order, and without any of them the page says what characteristics add."""

    function: str
    label: str = ""  # how the report names it among the sections left out (default: the analysis's name)
    overview: bool = False

    def draw(self, page: AnalysisPage) -> dict | None:
        return resolve(self.function)(page)


@dataclass(frozen=True)
class Line:
    """A line a command prints on stdout."""

    text: str


@dataclass(frozen=True)
class Note:
    """A remark a command prints on stderr: dimmed, or as a `note:` when it qualifies the result."""

    text: str
    warning: bool = False


@dataclass(frozen=True)
class TableView:
    """A table a command prints: these columns of `frame` (default all) under `title`."""

    title: str
    frame: pd.DataFrame
    columns: list[str] | None = None


Shown = Line | Note | TableView


@dataclass
class Outcome:
    """What one run of an analysis gives. `table` is its table (the command's --csv, a sweep's CSV); `result`
    is what `parlour.analyze.<name>` returns; `shown()` is what its command prints, `payload()` its --json
    and `draw(path)` its figure. Subclasses compute the costly parts (bootstraps) only when asked."""

    table: pd.DataFrame

    @property
    def result(self) -> Any:
        return self.table

    def shown(self) -> Iterable[Shown]:
        """What the command prints, block by block (a block is yielded once it is computed)."""
        raise NotImplementedError

    def empty_reason(self) -> str | None:
        """Why the table is empty, where it is (shown instead of empty tables; a sweep's warning)."""
        return None

    def payload(self) -> dict:
        return {"rows": records(self.table)}

    def draw(self, path: Path) -> list[Path]:
        """Draw the figure at `path` (its suffix picks the format; none: .png and .svg); the files written."""
        raise NotImplementedError


P_COLUMNS = frozenset({"p"})  # p-values: a table's two decimals would print 0.0004 as 0.00


def p_text(value: float) -> str:
    """A p-value as a table shows it: three decimals, or `< 0.001`."""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def records(frame: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready rows (NaN as None)."""
    return json.loads(frame.to_json(orient="records"))


@dataclass(frozen=True)
class Analysis:
    """One analysis. `function` ("module:function") takes the loaded scores, their join with model
    characteristics (None where `characteristics` is False: the scores alone) and every option by keyword,
    and returns an Outcome. `figure`: its outcome draws one. `command`: `parlour analyze <name>` runs it.
    `sweep`: a sweep file may name it."""

    name: str
    description: str
    function: str
    options: tuple[Option, ...] = ()
    characteristics: bool = True
    figure: bool = False
    command: bool = True
    sweep: bool = False
    section: Section | None = None

    def values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every option's value: the given ones, checked, and the defaults for the rest."""
        unknown = sorted(set(given) - {o.name for o in self.options})
        if unknown:
            known = ", ".join(o.name for o in self.options) or "none"
            raise ParlourError(f"analysis {self.name} has no option {', '.join(unknown)} (its options: {known})")
        values = {o.name: given.get(o.name, o.default) for o in self.options}
        for option in self.options:
            option.check(values[option.name])
        return values

    def load(self, results: Sequence[Path], characteristics: Sequence[Path] = ()) -> tuple[Scores, Joined | None]:
        """The scores of `results` and, where the analysis uses them, their join with model characteristics."""
        from parlour.analysis import loading

        if self.characteristics:
            return loading.load_joined(results, characteristics)
        if characteristics:
            raise ParlourError(f"analysis {self.name} reads scores only, not model characteristics")
        return loading.load_scores(results), None

    def run(self, scores: Scores, joined: Joined | None, **given: Any) -> Outcome:
        """Run the analysis on loaded scores with the given options (the defaults for the others)."""
        return resolve(self.function)(scores, joined, **self.values(given))


_OUTCOMES = "parlour.analysis.outcomes"
_PAGE = "parlour.report.analysis_page"

# options several analyses share
GROUP = Option("group", str, "weights", ("--group",), "characteristic that says two rows are the same weights")
N_BOOT = Option("n_boot", int, 1000, ("--n-boot",), "Bootstrap resamples for the confidence intervals.", min=1)
BOOTSTRAP = (N_BOOT, Option("seed", int, 0, ("--seed",)))
DEFAULT_TARGET = "clemscore"


def _variants(kind: str) -> tuple[Option, ...]:
    return (GROUP, Option("reference", str | None, None, ("--reference",), f"{kind} to compare against"), *BOOTSTRAP)


# In this order: `parlour analyze --help` lists the commands so, and the analysis page draws its sections so.
ANALYSES: tuple[Analysis, ...] = (
    Analysis(
        "regression",
        "OLS of a score on ln(parameters) [+ ln(training tokens)], with leave-one-out influence on R².",
        f"{_OUTCOMES}:regression",
        options=(
            Option("tokens", bool, False, ("--tokens",), "add ln(training tokens) as a second predictor"),
            Option("target", str, DEFAULT_TARGET, ("--target",), "clemscore, played, quality, <game>, <game>:played"),
            Option(
                "sample",
                str,
                "nested",
                ("--sample",),
                "nested: models with params and tokens (comparable fits); available: own predictors",
                choices=("nested", "available"),
            ),
        ),
        figure=True,
        sweep=True,
        section=Section(f"{_PAGE}:regression_section"),
    ),
    Analysis(
        "brackets",
        "Models binned by size, and the spread of scores within each bracket (Figure 5).",
        f"{_OUTCOMES}:brackets",
        options=(
            Option("edges", str | None, None, ("--edges",), "bracket edges in billions, e.g. 0,3,10,20,40,100,300,inf"),
            Option("target", str, DEFAULT_TARGET, ("--target",)),
        ),
        figure=True,
        sweep=True,
        section=Section(f"{_PAGE}:brackets_section"),
    ),
    Analysis(
        "dynamics",
        "Models ordered by size, then by clemscore (Figure 6).",
        f"{_OUTCOMES}:dynamics",
        figure=True,
        command=False,  # `parlour analyze profile --dynamics` shows it
        section=Section(f"{_PAGE}:dynamics_section"),
    ),
    Analysis(
        "families",
        "Models sharing a base model, side by side (Tables 1 and 4).",
        f"{_OUTCOMES}:families",
        options=(Option("min_size", int, 2, ("--min-size",), "smallest family to show"),),
        sweep=True,
        section=Section(f"{_PAGE}:families_section"),
    ),
    Analysis(
        "backends",
        "The same weights through different access methods (Tables 2 and 6).",
        f"{_OUTCOMES}:backends",
        options=_variants("backend"),
        figure=True,
        sweep=True,
        section=Section(f"{_PAGE}:backends_section"),
    ),
    Analysis(
        "quantization",
        "The same weights at different quantization levels (Tables 3 and 7).",
        f"{_OUTCOMES}:quantization",
        options=_variants("quantization"),
        figure=True,
        sweep=True,
        section=Section(f"{_PAGE}:quantization_section"),
    ),
    Analysis(
        "profile",
        "% played and quality per game for chosen models (Figures 2/4) and size-ordered dynamics (Figure 6).",
        f"{_OUTCOMES}:profile",
        options=(
            Option("model", list[str], [], ("--model",), "model to profile (repeatable; default all)"),
            Option("show_dynamics", bool, False, ("--dynamics",), "also the size-ordered view (needs params_b)"),
        ),
        figure=True,
        section=Section(f"{_PAGE}:profiles_section", label="profiles", overview=True),
    ),
    Analysis(
        "compare",
        "Paired bootstrap of two models over the instances both played: difference, 95% CI and p per game.",
        f"{_OUTCOMES}:compare",
        options=(
            Option("model_a", str, ..., help="first model (pair directory or model name)"),
            Option("model_b", str, ..., help="second model"),
            *BOOTSTRAP,
        ),
        characteristics=False,
    ),
    Analysis(
        "placement",
        "Your models on the official leaderboard: rank, and clemscore against what their size predicts.",
        f"{_OUTCOMES}:placement",
        options=(
            Option(
                "compare",
                str | None,
                None,
                ("--compare",),
                "official table to place your models in (default: the one of the clembench version they played)",
            ),
            Option("board", bool, False, ("--board",), "also print the whole combined leaderboard"),
        ),
        figure=True,
    ),
    Analysis(
        "divergence",
        "Specs sharing weights (backends, quantizations) on the same instances: where do their transcripts differ?",
        f"{_OUTCOMES}:divergence",
        options=(GROUP, Option("per_game", bool, False, ("--per-game",), "one row per game as well")),
        figure=True,
        sweep=True,
        section=Section(f"{_PAGE}:divergence_section"),
    ),
)

_BY_NAME = {analysis.name: analysis for analysis in ANALYSES}


def get(name: str) -> Analysis:
    """The registered analysis `name`; a one-line error naming the known ones otherwise."""
    if name not in _BY_NAME:
        hint = did_you_mean(name, _BY_NAME)
        raise ParlourError(f"unknown analysis '{name}'{hint} (known: {', '.join(_BY_NAME)})")
    return _BY_NAME[name]


def commands() -> list[Analysis]:
    """The analyses `parlour analyze` has a command for, in the registry's order."""
    return [a for a in ANALYSES if a.command]


def sweep_names() -> list[str]:
    """The analyses a sweep file may name, in the registry's order."""
    return [a.name for a in ANALYSES if a.sweep]


def page_sections() -> list[Section]:
    """The sections of the report's analysis page, each labelled: the overview first, then the registry's order."""
    sections = [replace(a.section, label=a.section.label or a.name) for a in ANALYSES if a.section is not None]
    return sorted(sections, key=lambda section: not section.overview)  # a stable sort: the rest keep their order


def run_analysis(
    name: str, results: Sequence[str | Path], characteristics: Sequence[str | Path] = (), **options: Any
) -> Outcome:
    """Run the analysis `name` on score sources (results folders, raw.csv / results.csv files, shipped tables
    such as `official:v1.6`) and characteristics files, with the given options (the defaults for the others)."""
    analysis = get(name)
    analysis.values(options)  # a wrong option is reported before anything is loaded
    scores, joined = analysis.load([Path(str(r)) for r in results], [Path(str(c)) for c in characteristics])
    return analysis.run(scores, joined, **options)
