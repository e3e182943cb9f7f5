"""Playing a few real game episodes through parlour's API with a given model (load-shadow tests)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import parlour
from parlour.chat import Model
from parlour.runner import episodes as runner


def play(model: Model, results: Path, game: str, experiment: str, episodes: int) -> list[dict[str, Any]]:
    """Play the first `episodes` instances of one experiment in self-play, all in flight at once; returns
    per episode its scores, requests and interactions (failed episodes raise)."""

    async def main() -> runner.RunSummary:
        try:
            return await parlour.arun(
                game, model, results=results, experiments=[experiment], limit=episodes, concurrency=episodes
            )
        finally:
            await model.aclose()

    summary = asyncio.run(main())
    assert not summary.failures, [o.error for o in summary.failures]
    return [
        {name: json.loads((directory / f"{name}.json").read_text()) for name in ("scores", "requests", "interactions")}
        for directory in summary.episodes()
    ]
