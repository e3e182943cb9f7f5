"""`parlour eval`: raw.csv and results.csv exactly as clembench, plus bootstrap confidence intervals.

Unlike clembench, whose aggregation leaves out episodes that have no scores.json (failed or unscored)
without a word, parlour counts and reports them, so a shrunken denominator never goes unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from parlour import store
from parlour.data.benchmarks import GAMES, pair_benchmark
from parlour.errors import ParlourError
from parlour.scoring.bootstrap import bootstrap_ci
from parlour.scoring.clemscore import aggregate
from parlour.scoring.episodes import csv_writer_beside
from parlour.scoring.raw_table import RawScores, build_raw_table, record_raw_sources, sources_fingerprint


@dataclass
class Evaluation:
    raw: pd.DataFrame
    results: pd.DataFrame
    ci: pd.DataFrame
    unscored: list[Path]  # episode folders without scores.json (failed or not yet scored)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (scores.json, why it was not used)
    outside_plan: list[Path] = field(default_factory=list)  # episodes no run.json plans (not counted)
    plans: list[Path] = field(default_factory=list)  # the run.json files whose plans chose the episodes
    #: pair -> (its benchmark, the games of that benchmark it has no scores for): its clemscore averages
    #: over fewer games than the benchmark's leaderboard does
    incomplete: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def counted(self) -> str:
        """One line: how many episodes of how many pairs were counted, and from which run records."""
        episodes = len(self.raw[["model", "game", "experiment", "episode"]].drop_duplicates())
        pairs = self.raw["model"].nunique()
        line = f"counted {episodes} episodes of {pairs} pair(s)"
        if self.plans:
            line += " as planned in " + ", ".join(str(p) for p in self.plans)
        if self.outside_plan:
            line += (
                f"; left out {len(self.outside_plan)} episode(s) that no run.json plans "
                f"(removed experiments or instances), e.g. {self.outside_plan[0]}"
            )
        return line


def missing_games(results: Path, raw: pd.DataFrame) -> dict[str, tuple[str, list[str]]]:
    """Per pair of `raw`, its benchmark and the games of it that have no scores (pairs missing none left out)."""
    incomplete = {}
    for pair, games in raw.groupby("model")["game"]:
        scored = set(games)
        benchmark = pair_benchmark(results / str(pair), scored)
        missing = [g for g in GAMES[benchmark] if g not in scored]
        if missing:
            incomplete[str(pair)] = (benchmark, missing)
    return incomplete


def evaluate(results: Path, n_boot: int = 1000, seed: int = 0, workers: int | None = None) -> Evaluation:
    """Compute and write raw.csv, results.csv and results_ci.csv under `results`."""
    if results.is_file():
        raise ParlourError(
            f"{results}: eval reads a results folder and writes its tables there (-r {results.parent}); "
            "`parlour report -r` and `parlour analyze ... -r` read a results CSV"
        )
    if not results.is_dir():
        raise ParlourError(f"{results}: results folder does not exist (or is not a folder)")
    store.remove_stale_partials(results, results)  # the tables' temp files of an eval that was killed
    sources = sources_fingerprint(results)  # before reading: a score written meanwhile makes raw.csv stale
    scores = build_raw_table(results, workers)
    raw = scores.table
    if raw.empty:
        raise ParlourError(f"{results}: no usable scores.json found{_no_scores_hint(results, scores)}")
    with csv_writer_beside(raw, results / "raw.csv", workers):
        table = aggregate(raw)
        ci = bootstrap_ci(raw, n_boot=n_boot, seed=seed)
    record_raw_sources(results, sources)
    store.write_csv(table, results / "results.csv", results)
    store.write_csv(ci, results / "results_ci.csv", results, index=False)
    incomplete = missing_games(results, raw)
    return Evaluation(raw, table, ci, scores.unscored, scores.unreadable, scores.outside_plan, scores.plans, incomplete)


def _no_scores_hint(results: Path, scores: RawScores) -> str:
    """What would give `results` scores: a hint only where following it helps."""
    if scores.unreadable:
        return f"; {scores.unreadable[0][1]}"
    transcripts = [p for p in scores.unscored if (p / store.INTERACTIONS).is_file()]
    if transcripts:
        return f"; {len(transcripts)} episode(s) have a transcript: `parlour score -r {results}` scores them"
    if scores.unscored:
        return (
            f"; {len(scores.unscored)} episode(s) were started but not finished: rerun `parlour run` with -r {results}"
        )
    return f": it holds no episodes (play some with `parlour run -g GAME -m MODEL -r {results}`)"


def format_number(value: float) -> str:
    """Two decimals; n/a where clembench leaves the cell empty (no episode was played to the end)."""
    return "n/a" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.2f}"
