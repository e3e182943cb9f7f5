"""The function of each registered analysis (parlour.analysis.registry): the loaded scores, their join with
model characteristics and the analysis's options in, an Outcome out (its table, what `parlour.analyze`
returns, what its command prints, its JSON and its figure).

What a command prints is yielded block by block, so that each is printed as soon as it is ready (a paired
bootstrap takes a while) and an error after the first table leaves that table on screen. matplotlib is
imported only to draw.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from parlour.analysis import groups
from parlour.analysis.characteristics import Joined, model_key
from parlour.analysis.divergence import divergence_episodes, summarise
from parlour.analysis.loading import Scores
from parlour.analysis.placement import Placement, default_comparison, place, played_instances
from parlour.analysis.registry import Line, Note, Outcome, Shown, TableView, records
from parlour.analysis.regression import RegressionResult, Sample
from parlour.analysis.regression import regression as fit_regression
from parlour.errors import ParlourError
from parlour.scoring.bootstrap import bootstrap_ci, paired_bootstrap
from parlour.scoring.clemscore import ALL_GAMES, CLEMSCORE, PCT_PLAYED, QUALITY


@dataclass
class TitledTable(Outcome):
    """An outcome that is one table, printed under `title` (these columns; default all)."""

    title: str
    columns: list[str] | None = None

    def shown(self) -> Iterator[Shown]:
        yield TableView(self.title, self.table, self.columns)


@dataclass
class RegressionOutcome(Outcome):
    """The fit; its table is the coefficients."""

    fit: RegressionResult

    @property
    def result(self) -> RegressionResult:
        return self.fit

    def shown(self) -> Iterator[Shown]:
        yield Line(self.fit.summary_line())
        yield TableView("coefficients (95% CI)", self.table)
        yield TableView("leave-one-out influence on R²", self.fit.influence)
        yield Line("models: " + ", ".join(self.fit.models))

    def payload(self) -> dict:
        return self.fit.to_dict()

    def draw(self, path: Path) -> list[Path]:
        from parlour.analysis import figures

        return figures.regression_figure(self.fit, path)


def regression(scores: Scores, joined: Joined, *, tokens: bool, target: str, sample: Sample) -> RegressionOutcome:
    fit = fit_regression(joined.frame, target=target, tokens=tokens, sample=sample)
    return RegressionOutcome(fit.coef.reset_index(names="term"), fit)


@dataclass
class BracketsOutcome(Outcome):
    """The spread within each size bracket; `per_model` places each model in its bracket (the figure)."""

    per_model: pd.DataFrame
    target: str

    def shown(self) -> Iterator[Shown]:
        yield TableView(f"{self.target} within size brackets", self.table)

    def draw(self, path: Path) -> list[Path]:
        from parlour.analysis import figures

        return figures.brackets_figure(self.per_model, path, self.target)


def bracket_edges(edges: str | Sequence[float] | None) -> Sequence[float]:
    """Edges in billions: as given, from the command line's comma-separated text, or the default ones."""
    if not edges:
        return groups.DEFAULT_EDGES
    if not isinstance(edges, str):
        return edges
    try:
        return tuple(float(x) for x in edges.split(","))
    except ValueError as exc:
        raise ParlourError(f"--edges must be comma-separated numbers (billions), not '{edges}'") from exc


def brackets(scores: Scores, joined: Joined, *, edges: str | Sequence[float] | None, target: str) -> BracketsOutcome:
    per_model, spread = groups.brackets(joined.frame, bracket_edges(edges), target)
    return BracketsOutcome(spread, per_model, target)


@dataclass
class DynamicsOutcome(TitledTable):
    def draw(self, path: Path) -> list[Path]:
        from parlour.analysis import figures

        return figures.dynamics_figure(self.table, path)


def _dynamics(frame: pd.DataFrame) -> DynamicsOutcome:
    return DynamicsOutcome(groups.dynamics(frame), "models by size, then clemscore")


def dynamics(scores: Scores, joined: Joined) -> DynamicsOutcome:
    return _dynamics(joined.frame)


def families(scores: Scores, joined: Joined, *, min_size: int) -> TitledTable:
    table = groups.families(joined.frame, min_size)
    return TitledTable(table, "families (same base model)", [c for c in table.columns if c != "pair"])


@dataclass
class VariantsOutcome(Outcome):
    """The same weights under different backends or quantizations (`kind`): the overall table and the
    per-game one; paired tests and confidence intervals where the rows have episodes."""

    per_game: pd.DataFrame
    kind: str
    raw: pd.DataFrame | None
    n_boot: int
    seed: int

    @property
    def overall_columns(self) -> list[str]:
        """The columns worth reading of the overall table (the rest say how it was built)."""
        return ["group", self.kind, "clemscore", "played", "quality", "diff_clemscore", "diff_played", "diff_quality"]

    @cached_property
    def tests(self) -> pd.DataFrame:
        """Paired bootstrap of every row against its group's reference, where both have episodes."""
        return groups.variant_tests(self.raw, self.table, n_boot=self.n_boot, seed=self.seed)

    @cached_property
    def clemscore_ci(self) -> dict[str, tuple[float, float]] | None:
        """Each row's bootstrap interval of clemscore, where it has episodes (the figure's error bars)."""
        if self.raw is None or self.raw.empty:
            return None
        raw = self.raw[self.raw["model"].isin(self.table["pair"])]
        cis = bootstrap_ci(raw, n_boot=self.n_boot, seed=self.seed)
        cis = cis[(cis["game"] == ALL_GAMES) & (cis["metric"] == CLEMSCORE)]
        return {r.model: (r.ci_low, r.ci_high) for r in cis.itertuples()}

    joined: pd.DataFrame | None = None

    def empty_reason(self) -> str | None:
        if not self.table.empty or self.joined is None:
            return None
        return groups.why_no_variants(self.joined, self.kind)  # type: ignore[arg-type]

    def shown(self) -> Iterator[Shown]:
        reason = self.empty_reason()
        if reason:
            yield Note(f"nothing to compare: {reason}", warning=True)
            return
        title = f"same weights, different {self.kind} (diff = row - reference)"
        yield TableView(title, self.table, self.overall_columns)
        requantized = sorted({str(q) for q in self.table.get(self.kind, []) if " from " in str(q)})
        if self.kind == "quantization" and requantized:
            yield Note(
                f"requantized files compared ({', '.join(requantized)}): made from already-quantized weights, they "
                "keep the source's rounding, so they are not what these levels are when made from full precision",
                warning=True,
            )
        per_game = ["group", self.kind, "game", "played", "quality", "diff_played", "diff_quality"]
        yield TableView("per game", self.per_game, per_game)
        if not self.tests.empty:
            overall = self.tests[self.tests["game"] == ALL_GAMES]
            yield TableView("paired bootstrap over shared instances (a - b)", overall)

    def payload(self) -> dict:
        return {
            "table": records(self.table),
            "per_game": records(self.per_game),
            "paired_tests": records(self.tests) if not self.tests.empty else [],
        }

    def draw(self, path: Path) -> list[Path]:
        from parlour.analysis import figures

        return figures.variants_figure(self.table, self.kind, path, self.clemscore_ci)


def _variants(
    kind: groups.Variant, scores: Scores, joined: Joined, group: str, reference: str | None, n_boot: int, seed: int
) -> VariantsOutcome:
    table, per_game = groups.variants(joined.frame, kind, group, reference)
    return VariantsOutcome(table, per_game, kind, scores.raw, n_boot, seed, joined.frame)


def backends(
    scores: Scores, joined: Joined, *, group: str, reference: str | None, n_boot: int, seed: int
) -> VariantsOutcome:
    return _variants("backend", scores, joined, group, reference, n_boot, seed)


def quantization(
    scores: Scores, joined: Joined, *, group: str, reference: str | None, n_boot: int, seed: int
) -> VariantsOutcome:
    return _variants("quantization", scores, joined, group, reference, n_boot, seed)


@dataclass
class ProfileOutcome(Outcome):
    """% played and quality per game (with bootstrap intervals where there are episodes); with
    `show_dynamics`, the size-ordered view as well."""

    frame: pd.DataFrame  # the joined scores, for the size-ordered view
    show_dynamics: bool

    @cached_property
    def dynamics(self) -> DynamicsOutcome | None:
        return _dynamics(self.frame) if self.show_dynamics else None

    def shown(self) -> Iterator[Shown]:
        yield TableView("profile: % played and quality per game", self.table)
        if self.dynamics is not None:
            yield from self.dynamics.shown()

    def payload(self) -> dict:
        payload = {"profile": records(self.table)}
        if self.dynamics is not None:
            payload["dynamics"] = records(self.dynamics.table)
        return payload

    def draw(self, path: Path) -> list[Path]:
        from parlour.analysis import figures

        written = []
        if self.dynamics is not None:
            written += self.dynamics.draw(path.with_name(path.stem + "_dynamics" + path.suffix))
        return written + figures.profile_figure(self.table, path)


def _with_ci(table: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Add bootstrap CI columns for played and quality where the models have episode data."""
    cis = bootstrap_ci(raw[raw["model"].isin(table["model"])])
    wide = cis[cis["metric"].isin([PCT_PLAYED, QUALITY])].pivot_table(
        index=["model", "game"], columns="metric", values=["ci_low", "ci_high"]
    )
    wide.columns = [f"{'played' if m == PCT_PLAYED else 'quality'}_{b}" for b, m in wide.columns]
    return table.merge(wide.reset_index(), on=["model", "game"], how="left")


def profile(scores: Scores, joined: Joined, *, model: list[str], show_dynamics: bool) -> ProfileOutcome:
    table = groups.profile(joined.frame, model or None)
    if scores.raw is not None and not scores.raw.empty:
        table = _with_ci(table, scores.raw)
    return ProfileOutcome(table, joined.frame, show_dynamics)


def compare(scores: Scores, joined: None, *, model_a: str, model_b: str, n_boot: int, seed: int) -> TitledTable:
    if scores.raw is None or scores.raw.empty:
        raise ParlourError(
            "a paired comparison needs episode scores (a results folder or raw.csv), not a results table"
        )
    a, b = groups.pick_models(scores.table, [model_a, model_b])
    table = paired_bootstrap(scores.raw, a, b, n_boot=n_boot, seed=seed)
    shared = int(table["n_shared"].iloc[0])
    return TitledTable(table, f"{model_key(a)} minus {model_key(b)} on {shared} shared episodes")


def placement_shown(placement: Placement, board: bool = False) -> Iterator[Shown]:
    """Where the user's models sit on the official leaderboard (and the whole table with `board`)."""
    yield Line(placement.summary_line())
    if board:
        source = placement.table["official"].map({True: "official", False: "yours"})
        yield TableView(f"{placement.comparison} with your models", placement.table.assign(official=source))
    columns = ["rank", "pair", "params_b", "clemscore", "predicted", "residual", "position", "pi_low", "pi_high"]
    columns += ["instances"]
    yield TableView(
        f"your models on {placement.comparison} (rank among {len(placement.table)}; residual = actual - predicted; "
        f"position against the {placement.level:.0%} prediction interval)",
        placement.yours,
        columns,
    )
    unsized = placement.yours.loc[placement.yours["params_b"].isna(), "pair"]
    if len(unsized):
        yield Note(f"no parameter count, not placed on the fit: {', '.join(map(model_key, unsized))}")
    beyond = placement.yours.loc[placement.yours["params_b"].notna() & placement.yours["predicted"].isna(), "pair"]
    if len(beyond):
        yield Note(f"the fit predicts a clemscore below 0 or above 100, not shown: {', '.join(map(model_key, beyond))}")
    small = placement.yours.loc[placement.yours["extrapolated"], "pair"]
    if len(small):
        yield Note(f"outside the official models' sizes (prediction extrapolated): {', '.join(map(model_key, small))}")
    if placement.already_official:
        yield Note(f"already official rows, not repeated: {len(placement.already_official)}")
    if placement.instance_note:
        yield Note(placement.instance_note, warning=True)


@dataclass
class PlacementOutcome(Outcome):
    """The combined leaderboard (its table) and the placement of the user's models (its result)."""

    placement: Placement
    board: bool

    @property
    def result(self) -> pd.DataFrame:
        return self.placement.yours

    def shown(self) -> Iterator[Shown]:
        return placement_shown(self.placement, self.board)

    def payload(self) -> dict:
        return {
            "fit": self.placement.fit.to_dict(),
            "yours": records(self.placement.yours),
            "table": records(self.placement.table),
        }

    def draw(self, path: Path) -> list[Path]:
        from parlour.analysis import figures

        return figures.placement_figure(self.placement, path)


def placement(scores: Scores, joined: Joined, *, compare: str | None, board: bool) -> PlacementOutcome:
    # a mix of versions is named by the placement's own note (rows that played another version)
    compare = compare or default_comparison(joined.frame, scores.runs)[0]
    found = place(joined.frame, compare, played=played_instances(scores, compare), runs=scores.runs)
    return PlacementOutcome(found.table, found, board)


@dataclass
class DivergenceOutcome(Outcome):
    """Per pair of specs sharing weights, how their transcripts of the same instances differ (its table);
    `episodes` has one row per episode compared."""

    episodes: pd.DataFrame
    per_game: bool

    @cached_property
    def per_game_table(self) -> pd.DataFrame:
        return summarise(self.episodes, per_game=True)

    @property
    def result(self) -> pd.DataFrame:
        return self.per_game_table if self.per_game else self.table

    def shown(self) -> Iterator[Shown]:
        yield TableView(
            "same weights, same instances: % with identical first reply / transcript, first differing turn (median, "
            "0 = first), mean score difference b - a on the diverged episodes",
            self.table,
        )
        if self.per_game:
            yield TableView("per game", self.per_game_table)

    def payload(self) -> dict:
        return {"summary": records(self.table), "episodes": records(self.episodes)}

    def draw(self, path: Path) -> list[Path]:
        from parlour.analysis import figures

        return figures.divergence_figure(self.table, path)


def divergence(scores: Scores, joined: Joined, *, group: str, per_game: bool) -> DivergenceOutcome:
    episodes = divergence_episodes(joined.frame, scores.roots, group)
    return DivergenceOutcome(summarise(episodes), episodes, per_game)
