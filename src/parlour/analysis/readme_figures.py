"""Regenerate the README's figures from the shipped official tables: `python -m parlour.analysis.readme_figures DIR`.

Uses the official clembench v1.6 tables and the paper's tables as shipped with parlour (parlour.data).
Writes small PNGs: regression, brackets, profiles, dynamics, backends, quantization.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

from parlour.analysis import figures
from parlour.analysis.characteristics import join, load_characteristics, normalise
from parlour.analysis.groups import brackets, dynamics, profile, variants
from parlour.analysis.loading import load_scores
from parlour.analysis.regression import regression
from parlour.data import official_path

PROFILE_MODELS = ["gpt-4-turbo-2024-04-09", "Meta-Llama-3-70B-Instruct-hf", "openchat_3.5"]


def backend_inputs(work: Path) -> tuple[list[Path], Path]:
    """Results and characteristics for the paper's Table 6: the official rows, plus a score summary for the
    two rows (Llama-3-8B on Groq and Together AI) that are not in the public results files."""
    t6 = pd.read_csv(official_path("table6"))
    public = t6["public_source_row"].str.contains(":")
    names = t6["public_source_row"].str.split(": ").str[1].where(public, t6["model"] + " " + t6["backend"])
    pd.DataFrame({"model": names, "weights": t6["model"], "backend": t6["backend"]}).to_csv(
        work / "backend_characteristics.csv", index=False
    )
    unpublished = t6.loc[~public, ["clemscore", "pct_played", "quality"]].assign(model=names[~public])
    unpublished.to_csv(work / "backend_unpublished.csv", index=False)
    sources = [official_path("v1.6"), official_path("v1.6-backends"), work / "backend_unpublished.csv"]
    return sources, work / "backend_characteristics.csv"


def generate(out: Path) -> list[Path]:
    """Write the README figures into `out` and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    later = load_scores([official_path("v1.6-later68")])
    frame = join(later.table, load_characteristics([official_path("characteristics")])).frame
    written += figures.regression_figure(regression(frame), out / "regression.png")
    per_model, _ = brackets(frame)
    written += figures.brackets_figure(per_model, out / "brackets.png")
    written += figures.profile_figure(profile(frame, PROFILE_MODELS), out / "profiles.png", ncols=3)
    written += figures.dynamics_figure(dynamics(frame), out / "dynamics.png")

    with tempfile.TemporaryDirectory() as tmp:
        sources, chars = backend_inputs(Path(tmp))
        table, _ = variants(join(load_scores(sources).table, normalise(pd.read_csv(chars))).frame, "backend")
        written += figures.variants_figure(table, "backend", out / "backends.png")

    t7 = official_path("table7")
    quant = join(load_scores([official_path("v1.6"), t7]).table, load_characteristics([t7])).frame
    table, _ = variants(quant, "quantization")
    written += figures.variants_figure(table, "quantization", out / "quantization.png")
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m parlour.analysis.readme_figures DIR")
    for path in generate(Path(sys.argv[1])):
        print(f"{path} ({path.stat().st_size // 1024} KB)")
