"""Benchmark: bootstrap CIs (4 models x 7 games x 3 experiments x 20 episodes, 1000 resamples) and a
paired comparison, against a baseline in the same run: clembench's aggregation recomputed with pandas
on each resampled episode table (timed on a few replicates and scaled to 1000). Prints both and the ratio.

    python bench/bootstrap.py [--n-boot 1000] [--baseline-reps 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from parlour.scoring.bootstrap import bootstrap_ci, paired_bootstrap
from parlour.scoring.clemscore import RAW_COLUMNS, aggregate

GAMES = ["imagegame", "privateshared", "referencegame", "taboo", "wordle", "wordle_withclue", "wordle_withcritic"]


def synthetic_raw(abort_rates: dict[str, float], n_per_exp: int = 20, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for model, p_abort in abort_rates.items():
        for game in GAMES:
            for exp in range(3):
                for ep in range(n_per_exp):
                    aborted = int(rng.random() < p_abort)
                    key = (game, model, f"{exp}_exp", f"episode_{ep}")
                    rows += [(*key, "Aborted", aborted), (*key, "Main Score", np.nan if aborted else rng.integers(101))]
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def naive_replicate(raw: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One bootstrap replicate the straightforward way: resample episodes per (model, game), re-aggregate."""
    keys = raw[["game", "model", "experiment", "episode"]].drop_duplicates()
    drawn = keys.groupby(["model", "game"]).sample(frac=1, replace=True, random_state=rng)
    drawn = drawn.assign(episode=[f"episode_{i}" for i in range(len(drawn))], source=drawn["episode"])
    merged = drawn.merge(
        raw,
        left_on=["game", "model", "experiment", "source"],
        right_on=["game", "model", "experiment", "episode"],
        suffixes=("", "_raw"),
    )
    return aggregate(merged[RAW_COLUMNS])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--baseline-reps", type=int, default=20, help="replicates timed for the baseline")
    args = parser.parse_args()
    raw = synthetic_raw({"a": 0.3, "b": 0.4, "c": 0.5, "d": 0.2})

    started = time.perf_counter()
    bootstrap_ci(raw, n_boot=args.n_boot)
    paired_bootstrap(raw, "a", "b", n_boot=args.n_boot)
    ours = time.perf_counter() - started

    rng = np.random.default_rng(0)
    started = time.perf_counter()
    for _ in range(args.baseline_reps):
        naive_replicate(raw, rng)
    baseline = (time.perf_counter() - started) / args.baseline_reps * args.n_boot

    print(f"episodes: {raw.groupby(['model', 'game', 'experiment', 'episode']).ngroups}, resamples: {args.n_boot}")
    print(f"parlour bootstrap_ci + paired_bootstrap: {ours:.2f} s")
    print(f"baseline (pandas re-aggregation per replicate, scaled from {args.baseline_reps}): {baseline:.1f} s")
    print(f"ratio baseline / parlour: {baseline / ours:.0f}x")


if __name__ == "__main__":
    main()
