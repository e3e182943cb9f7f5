"""Reading results folders back for comparisons between runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parlour.games.episode import strip_volatile


def transcripts(results: Path) -> dict[str, Any]:
    """episode path (relative to `results`) -> its interactions and scores without timestamps or timings."""
    found = {}
    for episode in sorted(results.glob("*/*/*/episode_*")):
        records = {name: json.loads((episode / name).read_text()) for name in ("interactions.json", "scores.json")}
        found[str(episode.relative_to(results))] = strip_volatile(records)
    return found
