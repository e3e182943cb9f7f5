"""Bootstrap confidence intervals for % played, quality and clemscore, and paired model comparisons.

Both functions take clembench's long raw table (game, model, experiment, episode, metric, value) and
mirror the arithmetic of `parlour.scoring.clemscore`: per game a micro-average over episodes (quality
skips aborted episodes), values rounded to 2 dp, then a macro-average over games and
clemscore = played / 100 * quality. Each bootstrap replicate resamples episodes with replacement within
each game (or within each experiment), independently per game, and recomputes everything; the interval is
the percentile interval of the replicates. All replicates of a group are drawn as one numpy index array.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from parlour.errors import ResultsError
from parlour.scoring.clemscore import ALL_GAMES as ALL
from parlour.scoring.clemscore import CLEMSCORE, QUALITY, episode_table
from parlour.scoring.clemscore import PCT_PLAYED as PLAYED

Strata = Literal["game", "experiment"]
CI_COLUMNS = ["model", "game", "metric", "value", "ci_low", "ci_high", "n_episodes"]


@dataclass
class _Replicates:
    """Point estimates and bootstrap replicates of one model's per-game and overall statistics."""

    games: list[str]
    n_episodes: dict[str, int]
    point: dict[tuple[str, str], float]  # (game or ALL, metric) -> value
    boot: dict[tuple[str, str], np.ndarray]  # (game or ALL, metric) -> replicates (n_boot,)


def _draw(groups: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Index matrix (n_boot, n) that resamples positions with replacement within each group label."""
    n = len(groups)
    out = np.empty((n_boot, n), dtype=np.int64)
    for label in np.unique(groups):
        pos = np.flatnonzero(groups == label)
        out[:, pos] = pos[rng.integers(0, len(pos), size=(n_boot, len(pos)))]
    return out


def _game_stats(played: np.ndarray, main: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rounded % played and quality along the last axis (quality NaN when every episode aborted)."""
    pct = np.round(100 * played.mean(axis=-1), 2)
    valid = ~np.isnan(main)
    count = valid.sum(axis=-1)
    total = np.where(valid, main, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        quality = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return pct, np.round(quality, 2)


def _overall(pct: np.ndarray, quality: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Macro over games (axis 0) of rounded per-game values, then clemscore, each rounded to 2 dp."""
    avg_played = np.round(pct.mean(axis=0), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN, as pandas does
        avg_quality = np.round(np.nanmean(quality, axis=0), 2)
    return avg_played, avg_quality, np.round(avg_played / 100 * avg_quality, 2)


def _replicates(episodes: pd.DataFrame, n_boot: int, rng: np.random.Generator, strata: Strata) -> _Replicates:
    """Per-game and overall replicates for the episodes of one model (or one paired key set)."""
    games = sorted(episodes["game"].unique())
    point: dict[tuple[str, str], float] = {}
    boot: dict[tuple[str, str], np.ndarray] = {}
    pcts, quals, point_pcts, point_quals, counts = [], [], [], [], {}
    for game in games:
        sub = episodes[episodes["game"] == game]
        played = sub["played"].to_numpy(dtype=float)
        main = sub["main"].to_numpy(dtype=float)
        groups = sub["experiment"].to_numpy() if strata == "experiment" else np.zeros(len(sub))
        idx = _draw(groups, n_boot, rng)
        pct_b, qual_b = _game_stats(played[idx], main[idx])
        pct_p, qual_p = _game_stats(played, main)
        counts[game] = len(sub)
        pcts.append(pct_b)
        quals.append(qual_b)
        point_pcts.append(pct_p)
        point_quals.append(qual_p)
        point[(game, PLAYED)], point[(game, QUALITY)] = float(pct_p), float(qual_p)
        point[(game, CLEMSCORE)] = float(np.round(pct_p / 100 * qual_p, 2))
        boot[(game, PLAYED)], boot[(game, QUALITY)] = pct_b, qual_b
        boot[(game, CLEMSCORE)] = np.round(pct_b / 100 * qual_b, 2)
    if games:
        ap, aq, cs = _overall(np.stack(pcts), np.stack(quals))
        pp, pq, pc = _overall(np.array(point_pcts), np.array(point_quals))
        for metric, rep, val in ((PLAYED, ap, pp), (QUALITY, aq, pq), (CLEMSCORE, cs, pc)):
            boot[(ALL, metric)] = rep
            point[(ALL, metric)] = float(val)
        counts[ALL] = len(episodes)
    return _Replicates(games, counts, point, boot)


def _interval(rep: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of the finite replicates (NaN when none is finite)."""
    finite = rep[np.isfinite(rep)]
    if finite.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    low, high = np.quantile(finite, [alpha, 1 - alpha])
    return float(low), float(high)


def _scored_episodes(raw: pd.DataFrame) -> pd.DataFrame:
    episodes = episode_table(raw)
    return episodes[episodes["played"].notna()]


def bootstrap_ci(
    raw: pd.DataFrame, n_boot: int = 1000, seed: int = 0, level: float = 0.95, strata: Strata = "game"
) -> pd.DataFrame:
    """Bootstrap CIs per model and per (model, game) for % Played, Quality Score and clemscore.

    Returns a long table with columns model, game ("all" for the overall averages), metric
    ("% Played", "Quality Score", "clemscore"), value (the point estimate, equal to results.csv),
    ci_low, ci_high, n_episodes. Episodes are resampled within each game (`strata="experiment"`:
    within each experiment, which keeps the design's episode counts per experiment).
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    episodes = _scored_episodes(raw)
    rng = np.random.default_rng(seed)
    rows = []
    for model in sorted(episodes["model"].unique()):
        reps = _replicates(episodes[episodes["model"] == model], n_boot, rng, strata)
        for game in [ALL, *reps.games]:
            for metric in (CLEMSCORE, PLAYED, QUALITY):
                low, high = _interval(reps.boot[(game, metric)], level)
                value = reps.point[(game, metric)]
                rows.append((model, game, metric, value, low, high, reps.n_episodes[game]))
    return pd.DataFrame(rows, columns=CI_COLUMNS)


def paired_bootstrap(
    raw: pd.DataFrame,
    model_a: str,
    model_b: str,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    strata: Strata = "game",
) -> pd.DataFrame:
    """Paired bootstrap of model_a minus model_b over the (game, experiment, episode) keys both have.

    The same resampled instances are used for both models in each replicate, so instance difficulty
    cancels out. Returns one row per game and "all" and per metric with value_a, value_b (point
    estimates on the shared instances), diff = a - b, its percentile CI, a two-sided bootstrap p-value
    (share of replicates on the other side of zero, doubled) and n_shared.
    """
    episodes = _scored_episodes(raw)
    keys = ["game", "experiment", "episode"]
    a = episodes[episodes["model"] == model_a]
    b = episodes[episodes["model"] == model_b]
    for name, sub in ((model_a, a), (model_b, b)):
        if sub.empty:
            raise ResultsError(f"model '{name}' has no scored episodes in the raw table")
    both = a.merge(b, on=keys, suffixes=("_a", "_b"))
    if both.empty:
        raise ResultsError(f"models '{model_a}' and '{model_b}' share no (game, experiment, episode)")
    both = both.sort_values(keys).reset_index(drop=True)
    rng = np.random.default_rng(seed)
    games = sorted(both["game"].unique())
    # per side: lists over games of (point pct, point quality, boot pct, boot quality)
    sides: dict[str, list[tuple]] = {"a": [], "b": []}
    rows = []
    for game in games:
        sub = both[both["game"] == game]
        groups = sub["experiment"].to_numpy() if strata == "experiment" else np.zeros(len(sub))
        idx = _draw(groups, n_boot, rng)  # the same draws for both models: the pairing
        for side in ("a", "b"):
            played = sub[f"played_{side}"].to_numpy(dtype=float)
            main = sub[f"main_{side}"].to_numpy(dtype=float)
            sides[side].append((*_game_stats(played, main), *_game_stats(played[idx], main[idx])))
        (pa, qa, bpa, bqa), (pb, qb, bpb, bqb) = sides["a"][-1], sides["b"][-1]
        n = len(sub)
        rows.append(_paired_row(game, PLAYED, pa, pb, bpa, bpb, n, level))
        rows.append(_paired_row(game, QUALITY, qa, qb, bqa, bqb, n, level))
        ca, cb = np.round(pa / 100 * qa, 2), np.round(pb / 100 * qb, 2)
        bca, bcb = np.round(bpa / 100 * bqa, 2), np.round(bpb / 100 * bqb, 2)
        rows.append(_paired_row(game, CLEMSCORE, ca, cb, bca, bcb, n, level))
    overall = {}
    for side, stats in sides.items():
        point = _overall(np.array([s[0] for s in stats]), np.array([s[1] for s in stats]))
        boot = _overall(np.stack([s[2] for s in stats]), np.stack([s[3] for s in stats]))
        overall[side] = (point, boot)
    for i, metric in enumerate((PLAYED, QUALITY, CLEMSCORE)):
        (pa_all, ba_all), (pb_all, bb_all) = overall["a"], overall["b"]
        rows.append(_paired_row(ALL, metric, pa_all[i], pb_all[i], ba_all[i], bb_all[i], len(both), level))
    columns = ["game", "metric", "value_a", "value_b", "diff", "ci_low", "ci_high", "p", "n_shared"]
    out = pd.DataFrame(rows, columns=columns)
    out.insert(0, "model_b", model_b)
    out.insert(0, "model_a", model_a)
    order = {ALL: 0, **{g: i + 1 for i, g in enumerate(games)}}
    return out.sort_values("game", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _paired_row(
    game: str, metric: str, pa: float, pb: float, ra: np.ndarray, rb: np.ndarray, n: int, level: float
) -> tuple:
    """One output row: point values, difference, its CI and a two-sided bootstrap p-value."""
    diff = ra - rb
    finite = diff[np.isfinite(diff)]
    low, high = _interval(diff, level)
    if finite.size:
        tail = min(int((finite <= 0).sum()), int((finite >= 0).sum()))
        p = min(1.0, 2 * (tail + 1) / (finite.size + 1))
    else:
        p = float("nan")
    return (game, metric, float(pa), float(pb), float(pa) - float(pb), low, high, p, n)
