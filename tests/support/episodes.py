"""Playing a few real game episodes through parlour's runner with a given model (load-shadow tests)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from parlour.games.registry import select_games
from parlour.models.base import Model
from parlour.runner import run as runner
from parlour.runner.plan import plan_episodes


def play(model: Model, results: Path, game: str, experiment: str, episodes: int) -> list[dict[str, Any]]:
    """Play the first `episodes` instances of one experiment in self-play, all in flight at once; returns
    per episode its scores, requests and interactions (failed episodes raise)."""
    tasks = plan_episodes(select_games([game]), results, "pair", None, [experiment], episodes)

    async def main() -> runner.RunSummary:
        try:
            return await runner.run_episodes(tasks, [model, model], "pair", len(tasks))
        finally:
            await model.aclose()

    summary = asyncio.run(main())
    assert not summary.failures, [o.error for o in summary.failures]
    return [
        {
            name: json.loads((task.directory / f"{name}.json").read_text())
            for name in ("scores", "requests", "interactions")
        }
        for task in tasks
    ]
