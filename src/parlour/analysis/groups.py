"""Grouped views of the score matrix: size brackets (Figure 5), families sharing a base model (Tables 1/4),
the same weights behind different backends or quantizations (Tables 2/3/6/7), per-game profiles (Figures
2/4) and the size-ordered dynamics (Figure 6)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from parlour.analysis.characteristics import model_key
from parlour.analysis.matrix import overall, resolve_target
from parlour.errors import ResultsError
from parlour.scoring.bootstrap import paired_bootstrap
from parlour.scoring.clemscore import games_of, played_col, quality_col

DEFAULT_EDGES = (0.0, 3.0, 10.0, 20.0, 40.0, 100.0, 300.0, float("inf"))
Variant = Literal["backend", "quantization"]
PER_GAME_COLUMNS = ["group", "pair", "game", "played", "quality", "diff_played", "diff_quality", "reference"]


def _label(low: float, high: float) -> str:
    def fmt(x: float) -> str:
        return f"{x:g}"

    return f"≥{fmt(low)}B" if np.isinf(high) else f"{fmt(low)}–{fmt(high)}B"


def brackets(
    frame: pd.DataFrame, edges: Sequence[float] = DEFAULT_EDGES, target: str = "clemscore"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bin models by parameter count; returns (per-model rows with their bracket, per-bracket spread).

    The spread table has n, min, q1, median, q3, max, spread (max - min) and the models, per bracket
    in size order; empty brackets are left out.
    """
    if "params_b" not in frame or not frame["params_b"].notna().any():
        raise ResultsError("no model has a parameter count (params_b); give a model characteristics table")
    edges = sorted(float(e) for e in edges)
    labels = [_label(lo, hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    models = pd.DataFrame({"params_b": frame["params_b"], "score": resolve_target(frame, target)})
    models = models.dropna()
    if models.empty:
        raise ResultsError(f"no model has both a parameter count and a {target}")
    models["bracket"] = pd.cut(models["params_b"], bins=edges, labels=labels, right=False)
    models = models.sort_values(["params_b", "score"])
    rows = []
    for label in labels:
        sub = models[models["bracket"] == label]
        if sub.empty:
            continue
        q = sub["score"].quantile([0.25, 0.5, 0.75])
        rows.append(
            {
                "bracket": label,
                "n": len(sub),
                "min": sub["score"].min(),
                "q1": q[0.25],
                "median": q[0.5],
                "q3": q[0.75],
                "max": sub["score"].max(),
                "spread": sub["score"].max() - sub["score"].min(),
                "models": ", ".join(model_key(m) for m in sub.index),
            }
        )
    return models, pd.DataFrame(rows)


def families(frame: pd.DataFrame, min_size: int = 2) -> pd.DataFrame:
    """Models sharing a base model side by side, best last within each family (as in Table 1).

    Columns: base_model, model, clemscore, played, quality, release_date, instruction_data, family_spread.
    Families with fewer than `min_size` scored members are left out.
    """
    if "base_model" not in frame or not frame["base_model"].notna().any():
        raise ResultsError("no model has a base model (base_model); give a model characteristics table")
    data = overall(frame).join(frame[["base_model"]])
    for col in ("release_date", "instruction_data", "characteristics_name"):
        data[col] = frame[col] if col in frame else pd.NA
    data = data.dropna(subset=["base_model", "clemscore"])
    data["model"] = [
        name if isinstance(name, str) else model_key(pair)
        for pair, name in zip(data.index, data["characteristics_name"], strict=True)
    ]
    sizes = data.groupby("base_model")["clemscore"].transform("size")
    data = data[sizes >= min_size].copy()
    data["family_spread"] = data.groupby("base_model")["clemscore"].transform(lambda s: s.max() - s.min())
    data["pair"] = data.index
    data = data.sort_values(["base_model", "clemscore", "model"])
    columns = ["base_model", "model", "clemscore", "played", "quality", "release_date", "instruction_data"]
    return data[[*columns, "family_spread", "pair"]].reset_index(drop=True)


_LOCAL_BACKENDS = ("huggingface", "hf", "transformers")


def precision(value: object) -> float:
    """Bits per weight a quantization label stands for (unquantised = 32), for picking the reference."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return 32.0
    text = str(value).lower()
    if any(hint in text for hint in ("none", "unquant", "fp32", "f32", "float32", "safetensors")):
        return 32.0
    if any(hint in text for hint in ("bf16", "fp16", "f16", "float16", "bfloat16")):
        return 16.0
    match = re.search(r"q(\d+)", text) or re.search(r"(\d+)[- ]?bit", text)
    return float(match.group(1)) if match else 0.0


def _pick_reference(sub: pd.DataFrame, kind: Variant, reference: str | None) -> object:
    """Index of a group's reference row."""
    values = sub[kind]
    if reference is not None:
        hits = sub.index[values.astype(str).str.lower() == reference.lower()]
        return hits[0] if len(hits) else sub.index[0]
    if kind == "quantization":
        return max(sub.index, key=lambda i: precision(values[i]))  # first of the most precise
    hits = [i for i in sub.index if any(h in str(values[i]).lower() for h in _LOCAL_BACKENDS)]
    return hits[0] if hits else sub.index[0]


def variants(
    frame: pd.DataFrame,
    kind: Variant,
    group: str = "weights",
    reference: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same weights under different backends or quantizations: (overall table, per-game table).

    Rows are grouped by the `group` column of `frame` (default `weights`, falling back to base_model) and
    the tables carry it as "group"; within a group
    the reference row is the one whose `kind` value equals `reference`, else the local HuggingFace
    backend / the unquantised weights, else the first. Differences are row minus reference.
    """
    if group not in frame or not frame[group].notna().any():
        if group == "weights" and "base_model" in frame and frame["base_model"].notna().any():
            group = "base_model"
        else:
            raise ResultsError(f"no model has a '{group}' value; give a characteristics table with that column")
    data = overall(frame)
    data["group"] = frame[group]
    data[kind] = frame[kind] if kind in frame else pd.NA
    if kind == "backend" and "quantization" in frame and frame["quantization"].notna().any():
        # the same weights at the same precision: group per (weights, quantization) where one is given
        quant = frame["quantization"].astype("string").fillna("")
        data["group"] = [g if not q else f"{g} ({q})" for g, q in zip(frame[group], quant, strict=True)]
        data["group"] = data["group"].where(frame[group].notna())
    data["pair"] = frame.index
    data = data.dropna(subset=["group", "clemscore"])
    sizes = data.groupby("group")["clemscore"].transform("size")
    data = data[sizes >= 2].copy()
    if data.empty:
        empty = data.assign(is_reference=False, diff_clemscore=np.nan, diff_played=np.nan, diff_quality=np.nan)
        return empty.reset_index(drop=True), pd.DataFrame(columns=PER_GAME_COLUMNS)
    data["is_reference"] = False
    for _, sub in data.groupby("group"):
        data.loc[_pick_reference(sub, kind, reference), "is_reference"] = True
    ref = data[data["is_reference"]].set_index("group")
    for col in ("clemscore", "played", "quality"):
        data[f"diff_{col}"] = data[col] - data["group"].map(ref[col])
    data = data.sort_values(["group", "clemscore"], ascending=[True, False])
    table = data.reset_index(drop=True)

    games = games_of(frame)
    rows = []
    for _, row in data.iterrows():
        ref_pair = ref.loc[row["group"], "pair"]
        for game in games:
            played, quality = (
                frame.loc[row["pair"], played_col(game)],
                frame.loc[row["pair"], quality_col(game)],
            )
            rp, rq = frame.loc[ref_pair, played_col(game)], frame.loc[ref_pair, quality_col(game)]
            rows.append(
                {
                    "group": row["group"],
                    "pair": row["pair"],
                    kind: row[kind],
                    "game": game,
                    "played": played,
                    "quality": quality,
                    "diff_played": played - rp,
                    "diff_quality": quality - rq,
                    "reference": ref_pair,
                }
            )
    return table, pd.DataFrame(rows)


def why_no_variants(frame: pd.DataFrame, kind: Variant) -> str:
    """Why `variants` found nothing to compare in `frame`: the models without a clemscore, else no pair of
    rows sharing weights."""
    unscored = int(overall(frame)["clemscore"].isna().sum())
    if unscored:
        return (
            f"{unscored} of {len(frame)} models have no clemscore (no episode played, so no quality), "
            f"so no two {kind} variants of the same weights can be compared"
        )
    return f"no two models share weights with different {kind} values; nothing to compare"


def variant_tests(raw: pd.DataFrame | None, table: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Paired bootstrap of every non-reference row against its group's reference, where both have episodes."""
    if raw is None or raw.empty or table.empty:
        return pd.DataFrame()
    have = set(raw["model"].unique())
    refs = table[table["is_reference"]].set_index("group")["pair"]
    parts = []
    for _, row in table[~table["is_reference"]].iterrows():
        ref = refs[row["group"]]
        if row["pair"] in have and ref in have:
            parts.append(paired_bootstrap(raw, row["pair"], ref, n_boot=n_boot, seed=seed))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def profile(frame: pd.DataFrame, models: Sequence[str] | None = None) -> pd.DataFrame:
    """% played and quality per game and overall ("all") for the chosen models (long table)."""
    chosen = list(frame.index) if not models else pick_models(frame, models)
    rows = []
    summary = overall(frame)
    for pair in chosen:
        rows.append({"model": pair, "game": "all", **summary.loc[pair, ["played", "quality"]].to_dict()})
        for game in games_of(frame):
            played = frame.loc[pair, played_col(game)]
            if pd.isna(played):
                continue
            rows.append({"model": pair, "game": game, "played": played, "quality": frame.loc[pair, quality_col(game)]})
    return pd.DataFrame(rows, columns=["model", "game", "played", "quality"])


def pick_models(frame: pd.DataFrame, models: Sequence[str]) -> list[str]:
    """Resolve model names (pair directory or model name, any case) to the frame's pair directories."""
    by_key = {model_key(p): p for p in frame.index}
    out = []
    for name in models:
        pair = name if name in frame.index else by_key.get(model_key(name))
        if pair is None:
            raise ResultsError(f"model '{name}' is not in the results")
        out.append(pair)
    return out


def dynamics(frame: pd.DataFrame) -> pd.DataFrame:
    """Models sorted by size, then by clemscore (Figure 6): params_b, clemscore, played, quality."""
    if "params_b" not in frame or not frame["params_b"].notna().any():
        raise ResultsError("no model has a parameter count (params_b); give a model characteristics table")
    data = overall(frame).join(frame[["params_b"]]).dropna(subset=["params_b", "clemscore"])
    if data.empty:
        raise ResultsError("no model has both a parameter count and a clemscore")
    data["model"] = [model_key(p) for p in data.index]
    data = data.sort_values(["params_b", "clemscore"])
    return data[["model", "params_b", "clemscore", "played", "quality"]]
