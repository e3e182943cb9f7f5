"""Markdown rendering of result tables (GitHub-flavoured pipe tables; no extra dependency)."""

from __future__ import annotations

import math

import pandas as pd


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    # a pipe or newline inside a cell would break the table
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(frame: pd.DataFrame) -> str:
    """A pipe table with a header row; numbers right-aligned, floats with 2 decimals, NaN empty."""
    columns = [str(c) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = [
        "| " + " | ".join(_text(c) for c in columns) + " |",
        "|" + "|".join("---:" if n else ":---" for n in numeric) + "|",
    ]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_text(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
