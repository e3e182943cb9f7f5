"""The report's analysis page: one section per analysis the registry (parlour.analysis.registry) gives one:
profiles, score vs size, brackets, dynamics, families, backends, quantization, and where the transcripts of
specs sharing weights diverge.

Each section runs where the characteristics allow it; one that cannot (no sizes, no families, ...) is
left out and named in the summary, so the rest of the report is still written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from parlour.analysis import figures
from parlour.analysis.characteristics import Joined, model_key
from parlour.analysis.groups import profile
from parlour.analysis.loading import Scores
from parlour.analysis.outcomes import DivergenceOutcome, RegressionOutcome, VariantsOutcome
from parlour.analysis.registry import Outcome, get, page_sections
from parlour.errors import LinkInResultsError, ParlourError
from parlour.report.render import Writer, table_payload
from parlour.scoring.clemscore import CLEMSCORE_COL, games_of, played_col

PROFILE_LIMIT = 8  # models in the combined profile figure; each model page has its own chart


class AnalysisPage:
    """What the sections draw from and into: the scores, the writer of the report, the bootstrap settings;
    `written` collects the figure files."""

    def __init__(self, writer: Writer, scores: Scores, joined: Joined, n_boot: int, seed: int, svg: bool) -> None:
        self.writer, self.scores, self.joined, self.frame = writer, scores, joined, joined.frame
        self.n_boot, self.seed, self.svg = n_boot, seed, svg
        self.written: list[Path] = []

    def fig(self, name: str) -> Path:
        # no suffix: PNG and SVG; with svg=False only the PNG the pages show
        folder = self.writer.figures()
        return folder / name if self.svg else folder / f"{name}.png"

    def outcome(self, name: str, **options: Any) -> Outcome:
        """The registered analysis `name` on this page's scores (its defaults for the options not given)."""
        return get(name).run(self.scores, self.joined, **options)


def profiles_section(page: AnalysisPage) -> dict | None:
    ranked = page.scores.table.sort_values(CLEMSCORE_COL, ascending=False)
    # models known only by their overall scores (summary tables) have no per-game profile
    per_game = ranked[[played_col(g) for g in games_of(ranked)]]
    ranked = list(ranked.index[per_game.notna().any(axis=1)])
    if not ranked:
        return None
    prof = profile(page.scores.table, ranked[:PROFILE_LIMIT])
    page.written.extend(figures.profile_figure(prof, page.fig("profiles"), ncols=4))
    more = len(ranked) - PROFILE_LIMIT
    return {
        "id": "profiles",
        "title": "Profiles",
        "figures": ["figures/profiles.png"],
        "tables": [],
        "text": f"% played (blue, left) and quality (brown, right) per game, the top {len(prof['model'].unique())}"
        " models by clemscore.",
        "notes": f"The other {more} models have their profile on their own page." if more > 0 else "",
    }


def regression_section(page: AnalysisPage) -> dict:
    outcomes: list[RegressionOutcome] = [page.outcome("regression")]  # type: ignore[list-item]
    if _has(page.frame, "train_tokens_t"):
        outcomes.append(page.outcome("regression", tokens=True))  # type: ignore[arg-type]
    fits = [o.fit for o in outcomes]
    page.written.extend(outcomes[0].draw(page.fig("regression")))
    rows = pd.DataFrame(
        [
            {
                "formula": f"{f.target} ~ {' + '.join(f.predictors)}",
                "n": f.n,
                "F": f.f,
                "df": f"({f.df_model}, {f.df_resid})",
                "p": f"{f.p:.2g}",
                "R²": f.r2,
                "adj. R²": f.r2_adj,
            }
            for f in fits
        ]
    )
    files = page.writer.table(rows, "regression")
    page.writer.file(
        page.writer.out / "tables" / "regression.json",
        json.dumps([f.to_dict() for f in fits], indent=2, default=str),
    )
    return {
        "id": "regression",
        "title": "Score and size",
        "figures": ["figures/regression.png"],
        "tables": [table_payload(rows, files)],
        "text": fits[0].summary_line(),
        "notes": "models: " + ", ".join(model_key(m) for m in fits[0].models),
    }


def brackets_section(page: AnalysisPage) -> dict:
    outcome = page.outcome("brackets")
    page.written.extend(outcome.draw(page.fig("brackets")))
    files = page.writer.table(outcome.table, "brackets")
    return {
        "id": "brackets",
        "title": "Size brackets",
        "figures": ["figures/brackets.png"],
        "tables": [table_payload(outcome.table, files)],
        "text": "",
        "notes": "",
    }


def dynamics_section(page: AnalysisPage) -> dict:
    page.written.extend(page.outcome("dynamics").draw(page.fig("dynamics")))
    return {
        "id": "dynamics",
        "title": "Dynamics by size",
        "figures": ["figures/dynamics.png"],
        "tables": [],
        "text": "",
        "notes": "",
    }


def families_section(page: AnalysisPage) -> dict | None:
    fam = page.outcome("families").table
    if fam.empty:
        return None
    fam = fam.drop(columns=["pair"])
    files = page.writer.table(fam, "families")
    return {
        "id": "families",
        "title": "Families (same base model)",
        "figures": [],
        "tables": [table_payload(fam, files)],
        "text": "",
        "notes": "",
    }


def _variants_section(page: AnalysisPage, name: str) -> dict | None:
    outcome: VariantsOutcome = page.outcome(name, n_boot=page.n_boot, seed=page.seed)  # type: ignore[assignment]
    if outcome.table.empty:
        return None
    kind, tests = outcome.kind, outcome.tests
    page.written.extend(outcome.draw(page.fig(kind)))
    show = outcome.table[outcome.overall_columns]
    tables = [table_payload(show, page.writer.table(show, kind))]
    if not tests.empty:
        overall = tests[tests["game"] == "all"]
        tables.append(table_payload(overall, page.writer.table(tests, f"{kind}_paired_tests")))
    return {
        "id": kind,
        "title": f"Same weights, different {kind}",
        "figures": [f"figures/{kind}.png"],
        "tables": tables,
        "text": "diff = row minus the group's reference (grey bar).",
        "notes": "",
    }


def backends_section(page: AnalysisPage) -> dict | None:
    return _variants_section(page, "backends")


def quantization_section(page: AnalysisPage) -> dict | None:
    return _variants_section(page, "quantization")


def divergence_section(page: AnalysisPage) -> dict | None:
    if not page.scores.roots:
        return None  # tables only: no transcripts to compare
    outcome: DivergenceOutcome = page.outcome("divergence")  # type: ignore[assignment]
    if outcome.episodes.empty:
        return None
    page.written.extend(outcome.draw(page.fig("divergence")))
    files = page.writer.table(outcome.table, "divergence")
    page.writer.table(outcome.episodes, "divergence_episodes")
    shown = outcome.table.drop(columns=["group"])
    return {
        "id": "divergence",
        "title": "Same weights, same instances: where the text differs",
        "figures": ["figures/divergence.png"],
        "tables": [table_payload(shown, files)],
        "text": "For specs that share weights (other backends, quantization levels), the transcripts of the "
        "episodes both played: % whose first reply is identical, % identical throughout, the median turn at "
        "which they first differ (0 = first), and the mean score difference (b − a) on the diverged ones.",
        "notes": "Per-episode rows: tables/divergence_episodes.csv.",
    }


def write_analysis_page(
    writer: Writer,
    scores: Scores,
    joined: Joined,
    skipped: list[str],
    n_boot: int = 1000,
    seed: int = 0,
    svg: bool = True,
) -> list[Path]:
    """Write analysis.html and its figures and tables; append the sections left out (with why) to `skipped`."""
    page = AnalysisPage(writer, scores, joined, n_boot, seed, svg)
    sections, beyond_overview = [], False
    for section in page_sections():
        try:
            drawn = section.draw(page)
        except LinkInResultsError:
            raise  # the output folder is unsafe: nothing more is written
        except (ParlourError, ValueError) as exc:  # one analysis that cannot be drawn must not stop the report
            skipped.append(f"{section.label}: {exc}")
            continue
        if drawn:
            sections.append(drawn)
            beyond_overview = beyond_overview or not section.overview
    writer.page("analysis.html.j2", "analysis.html", title="Analysis", sections=sections, hint=not beyond_overview)
    return page.written


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].notna().any())
