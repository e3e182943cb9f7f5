"""The report's analysis page: profiles, score vs size, brackets, dynamics, families, backends, quantization,
and where the transcripts of specs sharing weights diverge.

Each section runs where the characteristics allow it; one that cannot (no sizes, no families, ...) is
left out and named in the summary, so the rest of the report is still written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from parlour.analysis import figures
from parlour.analysis.characteristics import Joined, model_key
from parlour.analysis.divergence import divergence_episodes, summarise
from parlour.analysis.groups import brackets, dynamics, families, profile, variant_tests, variants
from parlour.analysis.loading import Scores
from parlour.analysis.regression import regression
from parlour.errors import LinkInResultsError, ParlourError
from parlour.report.render import Writer, table_payload
from parlour.scoring.bootstrap import bootstrap_ci
from parlour.scoring.clemscore import ALL_GAMES, CLEMSCORE, CLEMSCORE_COL, games_of, played_col

PROFILE_LIMIT = 8  # models in the combined profile figure; each model page has its own chart
CHARACTERISTIC_SECTIONS = {"regression", "brackets", "dynamics", "families", "backend", "quantization", "divergence"}


class _Sections:
    """The analysis page's sections: each draws its figure, writes its tables and returns what the page
    shows (or None when it has nothing to show for these models)."""

    def __init__(self, writer: Writer, scores: Scores, joined: Joined, n_boot: int, seed: int, svg: bool) -> None:
        self.writer, self.scores, self.frame = writer, scores, joined.frame
        self.n_boot, self.seed, self.svg = n_boot, seed, svg
        self.written: list[Path] = []

    def fig(self, name: str) -> Path:
        # no suffix: PNG and SVG; with svg=False only the PNG the pages show
        folder = self.writer.figures()
        return folder / name if self.svg else folder / f"{name}.png"

    def overview(self) -> dict | None:
        ranked = self.scores.table.sort_values(CLEMSCORE_COL, ascending=False)
        # models known only by their overall scores (summary tables) have no per-game profile
        per_game = ranked[[played_col(g) for g in games_of(ranked)]]
        ranked = list(ranked.index[per_game.notna().any(axis=1)])
        if not ranked:
            return None
        prof = profile(self.scores.table, ranked[:PROFILE_LIMIT])
        self.written.extend(figures.profile_figure(prof, self.fig("profiles"), ncols=4))
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

    def regression_section(self) -> dict:
        fits = (
            [regression(self.frame), regression(self.frame, tokens=True)]
            if _has(self.frame, "train_tokens_t")
            else [regression(self.frame)]
        )
        self.written.extend(figures.regression_figure(fits[0], self.fig("regression")))
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
        files = self.writer.table(rows, "regression")
        self.writer.file(
            self.writer.out / "tables" / "regression.json",
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

    def brackets_section(self) -> dict:
        per_model, spread = brackets(self.frame)
        self.written.extend(figures.brackets_figure(per_model, self.fig("brackets")))
        files = self.writer.table(spread, "brackets")
        return {
            "id": "brackets",
            "title": "Size brackets",
            "figures": ["figures/brackets.png"],
            "tables": [table_payload(spread, files)],
            "text": "",
            "notes": "",
        }

    def dynamics_section(self) -> dict:
        dyn = dynamics(self.frame)
        self.written.extend(figures.dynamics_figure(dyn, self.fig("dynamics")))
        return {
            "id": "dynamics",
            "title": "Dynamics by size",
            "figures": ["figures/dynamics.png"],
            "tables": [],
            "text": "",
            "notes": "",
        }

    def families_section(self) -> dict | None:
        fam = families(self.frame)
        if fam.empty:
            return None
        fam = fam.drop(columns=["pair"])
        files = self.writer.table(fam, "families")
        return {
            "id": "families",
            "title": "Families (same base model)",
            "figures": [],
            "tables": [table_payload(fam, files)],
            "text": "",
            "notes": "",
        }

    def variants_section(self, kind: str) -> dict | None:
        table, per_game = variants(self.frame, kind)  # type: ignore[arg-type]
        if table.empty:
            return None
        tests = variant_tests(self.scores.raw, table, n_boot=self.n_boot, seed=self.seed)
        ci = None
        if self.scores.raw is not None and not self.scores.raw.empty:
            c = bootstrap_ci(
                self.scores.raw[self.scores.raw["model"].isin(table["pair"])], n_boot=self.n_boot, seed=self.seed
            )
            c = c[(c["game"] == ALL_GAMES) & (c["metric"] == CLEMSCORE)]
            ci = {r.model: (r.ci_low, r.ci_high) for r in c.itertuples()}
        self.written.extend(figures.variants_figure(table, kind, self.fig(kind), ci))
        show = table[["group", kind, "clemscore", "played", "quality", "diff_clemscore", "diff_played", "diff_quality"]]
        tables = [table_payload(show, self.writer.table(show, kind))]
        if not tests.empty:
            overall = tests[tests["game"] == "all"]
            tables.append(table_payload(overall, self.writer.table(tests, f"{kind}_paired_tests")))
        return {
            "id": kind,
            "title": f"Same weights, different {kind}",
            "figures": [f"figures/{kind}.png"],
            "tables": tables,
            "text": "diff = row minus the group's reference (grey bar).",
            "notes": "",
        }

    def divergence_section(self) -> dict | None:
        if not self.scores.roots:
            return None  # tables only: no transcripts to compare
        episodes = divergence_episodes(self.frame, self.scores.roots)
        if episodes.empty:
            return None
        summary = summarise(episodes)
        self.written.extend(figures.divergence_figure(summary, self.fig("divergence")))
        files = self.writer.table(summary, "divergence")
        self.writer.table(episodes, "divergence_episodes")
        shown = summary.drop(columns=["group"])
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
    page = _Sections(writer, scores, joined, n_boot, seed, svg)
    candidates: list[tuple[str, Callable[[], dict | None]]] = [
        ("profiles", page.overview),
        ("regression", page.regression_section),
        ("brackets", page.brackets_section),
        ("dynamics", page.dynamics_section),
        ("families", page.families_section),
        ("backends", lambda: page.variants_section("backend")),
        ("quantization", lambda: page.variants_section("quantization")),
        ("divergence", page.divergence_section),
    ]
    sections = []
    for title, draw in candidates:
        try:
            section = draw()
        except LinkInResultsError:
            raise  # the output folder is unsafe: nothing more is written
        except (ParlourError, ValueError) as exc:  # one analysis that cannot be drawn must not stop the report
            skipped.append(f"{title}: {exc}")
            continue
        if section:
            sections.append(section)
    hint = not any(section["id"] in CHARACTERISTIC_SECTIONS for section in sections)
    writer.page("analysis.html.j2", "analysis.html", title="Analysis", sections=sections, hint=hint)
    return page.written


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].notna().any())
