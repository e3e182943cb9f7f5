"""matplotlib figures of the analyses (object API, no pyplot state, so it is safe in tests and servers).

Every function takes the DataFrame an analysis returned and a path; `save` writes the format of the
path's suffix, or PNG and SVG when the path has none.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from parlour import store
from parlour.analysis.characteristics import model_key
from parlour.analysis.placement import Placement
from parlour.analysis.regression import RegressionResult

PLAYED_COLOR = "#3b75af"  # blue, left bar: % played
QUALITY_COLOR = "#c0713a"  # brown/orange, right bar: quality
YOURS_COLOR = "#c0392b"  # red: the user's models among the official ones
GAME_SHORT = {
    "imagegame": "image",
    "privateshared": "priv/sh",
    "referencegame": "ref",
    "taboo": "taboo",
    "wordle": "wordle",
    "wordle_withclue": "wordle+cl",
    "wordle_withcritic": "wordle+cr",
    "all": "avg",
}


def save(fig: Figure, path: Path, dpi: int = 100, tight: bool = True) -> list[Path]:
    """Write the figure to `path` (its suffix picks the format) or to path.png and path.svg.

    `tight=False` skips the extra layout pass of bbox_inches="tight" (for figures laid out by hand).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    targets = [path] if path.suffix else [path.with_suffix(".png"), path.with_suffix(".svg")]
    for target in targets:
        image = io.BytesIO()
        fig.savefig(
            image, format=target.suffix[1:], dpi=dpi, bbox_inches="tight" if tight else None, metadata=_metadata(target)
        )
        store.write_file(target, image.getvalue(), target.parent)  # atomic, and a link there is refused
    return targets


def _metadata(path: Path) -> dict:
    # fixed metadata keeps committed files byte-stable across runs
    if path.suffix == ".svg":
        return {"Date": None}
    if path.suffix == ".png":
        return {"Software": None}
    return {}


def regression_figure(result: RegressionResult, path: Path, label_points: bool = True) -> list[Path]:
    """Score vs parameters (log axis) with the OLS line and its confidence band (Figure 3)."""
    data = result.data
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    ax.scatter(data["params_b"], data["y"], s=18, color=PLAYED_COLOR, zorder=3)
    grid = np.linspace(data["ln_params"].min() - 0.2, data["ln_params"].max() + 0.2, 100)
    exog = pd.DataFrame({"const": 1.0, "ln_params": grid})
    if "ln_tokens" in result.predictors:
        exog["ln_tokens"] = data["ln_tokens"].mean()  # the line at the sample's mean training size
    pred = result.fit.get_prediction(exog).summary_frame(alpha=0.05)  # type: ignore[attr-defined]
    ax.plot(np.exp(grid), pred["mean"], color="black", lw=1.2)
    ax.fill_between(np.exp(grid), pred["mean_ci_lower"], pred["mean_ci_upper"], color="grey", alpha=0.25, lw=0)
    if label_points:
        for pair, row in data.iterrows():
            ax.annotate(
                model_key(pair),
                (row["params_b"], row["y"]),
                fontsize=6,
                xytext=(3, 2),
                textcoords="offset points",
            )
    ax.set_xscale("log")
    ax.set_xlabel("parameters (billions, log scale)")
    ax.set_ylabel(result.target)
    extra = " (line at mean ln tokens)" if "ln_tokens" in result.predictors else ""
    ax.set_title(
        f"{result.target} ~ {' + '.join(result.predictors)}: n={result.n}, "
        f"F({result.df_model},{result.df_resid})={result.f:.2f}, R²={result.r2:.3f}{extra}",
        fontsize=9,
    )
    ax.grid(alpha=0.3)
    return save(fig, path)


def placement_figure(placement: Placement, path: Path, label_official: bool = False) -> list[Path]:
    """The official models' clemscore against parameters (log axis), the fit with its confidence band, and
    the user's models in red, each with a dotted line to what its size predicts (the residual)."""
    table = placement.table.dropna(subset=["params_b", "clemscore"])
    table = table[table["params_b"] > 0]
    official, yours = table[table["official"]], table[~table["official"]]
    fig = Figure(figsize=(7.5, 4.8))
    ax = fig.subplots()
    ax.scatter(official["params_b"], official["clemscore"], s=16, color=PLAYED_COLOR, zorder=3, label="official")
    ln_sizes = np.log(table["params_b"].to_numpy())
    grid = np.linspace(ln_sizes.min() - 0.2, ln_sizes.max() + 0.2, 120)
    band = placement.fit.fit.get_prediction(pd.DataFrame({"const": 1.0, "ln_params": grid}))  # type: ignore[attr-defined]
    band = band.summary_frame(alpha=1 - placement.level)
    ax.plot(np.exp(grid), band["mean"], color="black", lw=1.2, label="fit on the official models")
    ax.fill_between(np.exp(grid), band["mean_ci_lower"], band["mean_ci_upper"], color="grey", alpha=0.25, lw=0)
    for row in yours.itertuples():
        ax.plot([row.params_b, row.params_b], [row.predicted, row.clemscore], color=YOURS_COLOR, lw=0.8, ls=":")
    ax.scatter(yours["params_b"], yours["clemscore"], s=36, marker="D", color=YOURS_COLOR, zorder=4, label="yours")
    labelled = pd.concat([official, yours]) if label_official else yours
    stacked: dict[tuple[float, float], int] = {}  # models at the same point get their labels one above another
    for row in labelled.itertuples():
        k = stacked[(row.params_b, row.clemscore)] = stacked.get((row.params_b, row.clemscore), -1) + 1
        ax.annotate(model_key(row.pair), (row.params_b, row.clemscore), fontsize=7, xytext=(4, 2 + 9 * k),
                    textcoords="offset points", color=YOURS_COLOR if not row.official else "black")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("parameters (billions, log scale)")
    ax.set_ylabel("clemscore")
    fit = placement.fit
    ax.set_title(
        f"clemscore ~ ln(params) on {placement.comparison}: n={fit.n}, R²={fit.r2:.3f}; "
        f"band: {placement.level:.0%} CI of the line",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    return save(fig, path)


def divergence_figure(summary: pd.DataFrame, path: Path) -> list[Path]:
    """Per pair of specs sharing weights: % of episodes with an identical first reply and an identical transcript."""
    # the counts go in the tick labels and the legend above the axes: a percentage axis ends at 100
    labels = []
    for row in summary.itertuples():
        diff = "" if pd.isna(row.score_diff_diverged) else f", Δscore {row.score_diff_diverged:+.1f}"
        labels.append(f"{model_key(row.model_a)}\nvs {model_key(row.model_b)}\nn={row.episodes}{diff}")
    fig = Figure(figsize=(max(5.0, 1.3 * len(summary) + 2), 4.0))
    ax = fig.subplots()
    x = np.arange(len(summary))
    ax.bar(x - 0.2, summary["first_reply_identical"], 0.4, color=PLAYED_COLOR, label="first reply identical")
    ax.bar(x + 0.2, summary["identical"], 0.4, color=QUALITY_COLOR, label="whole transcript identical")
    ax.set_xticks(x, labels, fontsize=6, rotation=30, ha="right")
    ax.set_xlim(-0.8, len(summary) - 0.2)  # one comparison keeps narrow bars too
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of shared episodes")
    ax.set_title("same weights, other serving: do the transcripts agree?", fontsize=9, pad=18)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return save(fig, path)


def brackets_figure(models: pd.DataFrame, path: Path, target: str = "clemscore") -> list[Path]:
    """Box plots of the score within each size bracket, with the models as points (Figure 5)."""
    labels = [str(b) for b in models["bracket"].cat.categories if (models["bracket"] == b).any()]
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    groups = [models.loc[models["bracket"] == b, "score"].to_numpy() for b in labels]
    ax.boxplot(groups, tick_labels=labels, widths=0.5, showfliers=False)
    rng = np.random.default_rng(0)
    for i, values in enumerate(groups, start=1):
        ax.scatter(i + rng.uniform(-0.12, 0.12, len(values)), values, s=12, color=PLAYED_COLOR, zorder=3)
    ax.set_xlabel("model size bracket (parameters)")
    ax.set_ylabel(target)
    ax.set_title("spread of scores within size brackets", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    return save(fig, path)


def profile_figure(profile: pd.DataFrame, path: Path, ncols: int = 3) -> list[Path]:
    """Per model, % played (blue, left) and quality (brown, right) per game and on average (Figures 2/4)."""
    models = list(dict.fromkeys(profile["model"]))
    ncols = max(1, min(ncols, len(models)))
    nrows = int(np.ceil(len(models) / ncols))
    fig = Figure(figsize=(3.6 * ncols, 2.4 * nrows))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, model in zip(axes, models, strict=False):
        sub = profile[profile["model"] == model]
        order = ["all", *[g for g in sub["game"] if g != "all"]]
        sub = sub.set_index("game").loc[order]
        x = np.arange(len(sub))
        ax.bar(x - 0.2, sub["played"], 0.4, color=PLAYED_COLOR, label="% played")
        ax.bar(x + 0.2, sub["quality"].fillna(0), 0.4, color=QUALITY_COLOR, label="quality")
        ax.axhline(100, color="white", lw=1)
        ax.set_facecolor("#eeeeee")
        ax.set_ylim(0, 105)
        ax.set_xticks(x, [GAME_SHORT.get(g, g) for g in sub.index], rotation=45, ha="right", fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title(model_key(model), fontsize=8)
    for ax in axes[len(models) :]:
        ax.set_visible(False)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, fontsize=7, loc="upper center", ncols=2)
    # fixed margins instead of tight_layout: each layout pass renders every subplot again
    height = fig.get_figheight()
    fig.subplots_adjust(
        left=0.4 / fig.get_figwidth(), right=0.99, top=1 - 0.55 / height, bottom=0.7 / height, hspace=0.75, wspace=0.18
    )
    return save(fig, path, tight=False)


def dynamics_figure(dynamics: pd.DataFrame, path: Path) -> list[Path]:
    """% played and quality of the models ordered by size, then score (Figure 6)."""
    fig = Figure(figsize=(max(6, 0.22 * len(dynamics)), 4))
    ax = fig.subplots()
    x = np.arange(len(dynamics))
    ax.plot(x, dynamics["played"], marker="o", ms=3, color=PLAYED_COLOR, label="% played")
    ax.plot(x, dynamics["quality"], marker="o", ms=3, color=QUALITY_COLOR, label="quality")
    ax.set_xticks(
        x,
        [f"{m} ({p:g}B)" for m, p in zip(dynamics["model"], dynamics["params_b"], strict=True)],
        rotation=90,
        fontsize=6,
    )
    ax.set_ylim(0, 105)
    ax.set_ylabel("score")
    ax.set_title("models ordered by size, then clemscore", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return save(fig, path)


def variants_figure(
    table: pd.DataFrame,
    kind: str,
    path: Path,
    ci: Mapping[str, tuple[float, float]] | None = None,
) -> list[Path]:
    """clemscore of each backend / quantization of the same weights, with bootstrap CIs where known."""
    groups = list(dict.fromkeys(table["group"]))
    fig = Figure(figsize=(max(5, 2.4 * len(groups)), 4))
    ax = fig.subplots()
    ticks, labels, centers, pos = [], [], [], 0.0
    for group in groups:
        sub = table[table["group"] == group]
        start = pos
        for _, row in sub.iterrows():
            color = "#777777" if row["is_reference"] else PLAYED_COLOR
            ax.bar(pos, row["clemscore"], 0.8, color=color)
            if ci and row["pair"] in ci:
                low, high = ci[row["pair"]]
                yerr = [[row["clemscore"] - low], [high - row["clemscore"]]]
                ax.errorbar(pos, row["clemscore"], yerr=yerr, color="black", capsize=3, lw=1)
            ticks.append(pos)
            label = str(row[kind]) if pd.notna(row[kind]) else "(none)"
            labels.append(label if len(label) <= 24 else label[:23] + "…")
            pos += 1
        centers.append((start + pos - 1) / 2)
        pos += 0.8
    ax.set_xticks(ticks, labels, rotation=30, ha="right", fontsize=7)
    # the weights' names go on a second axis on top, one label per group
    top = ax.secondary_xaxis("top")
    top.set_xticks(centers, [str(g) for g in groups], fontsize=8)
    top.tick_params(length=0)
    ax.set_ylabel("clemscore")
    ax.set_title(f"same weights, different {kind} (grey: reference)", fontsize=9, pad=20)
    ax.grid(axis="y", alpha=0.3)
    return save(fig, path)
