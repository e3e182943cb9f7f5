"""Comparing episode records and scores of two runs (test helpers)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def strip_volatile(value: Any) -> Any:
    """A copy without timestamps and call timings, for comparing records of two runs."""
    if isinstance(value, dict):
        return {
            k: strip_volatile(v)
            for k, v in value.items()
            if k not in ("timestamp", "clem_player", "call_start", "call_duration")
        }
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


def scores_equal(ours: Any, theirs: Any, tol: float = 1e-9) -> bool:
    """Deep equality of score dicts where NaN equals NaN, numbers compare with tolerance and
    turn keys may be int or str (JSON turns int keys into strings)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        a = {str(k): v for k, v in ours.items()}
        b = {str(k): v for k, v in theirs.items()}
        return a.keys() == b.keys() and all(scores_equal(a[k], b[k], tol) for k in a)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(scores_equal(x, y, tol) for x, y in zip(ours, theirs, strict=True))
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        if math.isnan(ours) or math.isnan(theirs):
            return math.isnan(ours) and math.isnan(theirs)
        return abs(ours - theirs) <= tol * max(1.0, abs(theirs))
    return ours == theirs


def transcripts(results: Path) -> dict[str, Any]:
    """episode path (relative to `results`) -> its interactions and scores without timestamps or timings."""
    found = {}
    for episode in sorted(results.glob("*/*/*/episode_*")):
        records = {name: json.loads((episode / name).read_text()) for name in ("interactions.json", "scores.json")}
        found[str(episode.relative_to(results))] = strip_volatile(records)
    return found
