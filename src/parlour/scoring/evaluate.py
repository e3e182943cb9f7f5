"""`parlour eval`: raw.csv and results.csv exactly as clembench, plus bootstrap confidence intervals.

Unlike clembench (clemcore issue #80), episodes that have no scores.json (failed or unscored) are
counted and reported, so a shrunken denominator never goes unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from parlour.errors import ParlourError
from parlour.runner import store
from parlour.scoring.bootstrap import bootstrap_ci
from parlour.scoring.clemscore import RAW_COLUMNS, aggregate


@dataclass
class Evaluation:
    raw: pd.DataFrame
    results: pd.DataFrame
    ci: pd.DataFrame
    unscored: list[Path]


def collect_raw(results: Path) -> tuple[pd.DataFrame, list[Path]]:
    """The long table of episode scores (clembench's raw.csv) and the episodes lacking scores."""
    rows: list[tuple] = []
    for scores_path in sorted(results.glob(f"*/*/*/episode_*/{store.SCORES}")):
        episode_dir = scores_path.parent
        model, game, experiment = (
            episode_dir.parents[2].name,
            episode_dir.parents[1].name,
            episode_dir.parent.name,
        )
        episode_scores = store.read_json(scores_path).get("episode scores", {})
        for metric, value in episode_scores.items():
            rows.append((game, model, experiment, episode_dir.name, metric, value))
        if "Aborted" in episode_scores:
            rows.append((game, model, experiment, episode_dir.name, "Played", 1 - episode_scores["Aborted"]))
    unscored = sorted(
        p.parent for p in results.glob(f"*/*/*/episode_*/{store.INSTANCE}") if not (p.parent / store.SCORES).is_file()
    )
    raw = pd.DataFrame(rows, columns=RAW_COLUMNS)
    raw["value"] = pd.to_numeric(raw["value"], errors="coerce")
    return raw, unscored


def evaluate(results: Path, n_boot: int = 1000, seed: int = 0) -> Evaluation:
    """Compute and write raw.csv, results.csv and results_ci.csv under `results`."""
    if not results.is_dir():
        raise ParlourError(f"{results}: results folder does not exist")
    raw, unscored = collect_raw(results)
    if raw.empty:
        raise ParlourError(f"{results}: no scores.json found (run `parlour score -r {results}` first?)")
    table = aggregate(raw)
    ci = bootstrap_ci(raw, n_boot=n_boot, seed=seed)
    raw.to_csv(results / "raw.csv", index=False)
    table.to_csv(results / "results.csv")
    ci.to_csv(results / "results_ci.csv", index=False)
    return Evaluation(raw, table, ci, unscored)


def format_number(value: float) -> str:
    """Two decimals; n/a where clembench leaves the cell empty (no episode was played to the end)."""
    return "n/a" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.2f}"
