"""Running many episodes concurrently in one event loop, resuming what a previous run left.

Episodes start in clembench's order; with concurrency 1 they run strictly one after another. A failed
episode (backend error after retries, crash in a game master) gets an error.json with its cause and is
counted; it is redone by the next run, as is any episode without interactions.json.
"""

from __future__ import annotations

import asyncio
import platform
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from parlour import __version__
from parlour.errors import ResultsError
from parlour.games.episode import experiment_config, play_episode, score_episode
from parlour.models.base import Model
from parlour.runner import store
from parlour.runner.plan import EpisodeTask

SKIPPED, PLAYED, ABORTED, FAILED = "skipped", "played", "aborted", "failed"


@dataclass
class EpisodeOutcome:
    task: EpisodeTask
    status: str  # one of SKIPPED, PLAYED, ABORTED, FAILED
    error: str | None = None


@dataclass
class RunSummary:
    outcomes: list[EpisodeOutcome] = field(default_factory=list)
    duration_s: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failures(self) -> list[EpisodeOutcome]:
        return [o for o in self.outcomes if o.status == FAILED]


def _aborted(scores: dict[str, Any]) -> bool:
    return bool(scores.get("episode scores", {}).get("Aborted"))


def _prepare_episode(task: EpisodeTask, pair: str) -> None:
    """Write instance.json (and the experiment file) before playing, as clembench does; refuse to
    mix a different instance into an existing results folder."""
    instance_path = task.directory / store.INSTANCE
    if instance_path.is_file() and store.read_json(instance_path) != task.instance:
        raise ResultsError(
            f"{instance_path}: holds a different instance than the one to play; use another results folder"
        )
    exp_file = task.directory.parent / f"experiment_{task.experiment['name']}.json"
    if not exp_file.is_file():
        store.write_json(
            exp_file,
            {
                **experiment_config(task.experiment),
                "timestamp": datetime.now().isoformat(),
                "dialogue_partners": pair,
            },
        )
    store.clear_episode(task.directory)
    store.write_json(instance_path, task.instance)


async def run_episode(task: EpisodeTask, models: list[Model], pair: str) -> EpisodeOutcome:
    if store.is_complete(task.directory):
        scores_path = task.directory / store.SCORES
        if not scores_path.is_file():  # played but not yet scored (interrupted in between)
            interactions = store.read_json(task.directory / store.INTERACTIONS)
            store.write_json(scores_path, score_episode(task.game, task.experiment, task.instance, interactions))
        return EpisodeOutcome(task, SKIPPED)
    _prepare_episode(task, pair)
    try:
        record = await play_episode(task.game, task.experiment, task.instance, models)
        scores = score_episode(task.game, task.experiment, task.instance, record.interactions)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, counted and reported
        message = f"{type(exc).__name__}: {exc}"
        store.write_json(
            task.directory / store.ERROR,
            {"error": type(exc).__name__, "message": str(exc), "traceback": traceback.format_exc()},
        )
        return EpisodeOutcome(task, FAILED, message)
    store.write_json(task.directory / store.REQUESTS, record.requests)
    store.write_json(task.directory / store.INTERACTIONS, record.interactions)
    store.write_json(task.directory / store.SCORES, scores)
    return EpisodeOutcome(task, ABORTED if _aborted(scores) else PLAYED)


async def run_episodes(
    tasks: list[EpisodeTask],
    models: list[Model],
    pair: str,
    concurrency: int,
    on_done: Callable[[EpisodeOutcome], None] | None = None,
) -> RunSummary:
    """Run all tasks with at most `concurrency` episodes in flight; outcomes are in task order."""
    semaphore = asyncio.Semaphore(max(1, concurrency))
    started = time.monotonic()

    async def guarded(task: EpisodeTask) -> EpisodeOutcome:
        async with semaphore:
            outcome = await run_episode(task, models, pair)
        if on_done is not None:
            on_done(outcome)
        return outcome

    outcomes = await asyncio.gather(*(guarded(task) for task in tasks))
    return RunSummary(list(outcomes), time.monotonic() - started)


def record_run(results: Path, pair: str, models: list[Model], run_info: dict[str, Any]) -> None:
    """Add this run to <pair>/run.json (model specs, versions, timings)."""
    path = results / pair / store.RUN
    existing = store.read_json(path) if path.is_file() else {"runs": []}
    existing.update(
        {
            "parlour_version": __version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "models": [m.describe() for m in distinct_models(models)],
        }
    )
    existing["runs"].append(run_info)
    store.write_json(path, existing)


def check_spec_consistency(results: Path, pair: str, models: list[Model]) -> None:
    """Refuse to resume into a folder that another spec of the same model name produced."""
    path = results / pair / store.RUN
    if not path.is_file():
        return
    recorded = {m.get("name"): m.get("spec_hash") for m in store.read_json(path).get("models", [])}
    for model in distinct_models(models):
        old = recorded.get(model.name)
        new = model.spec.spec_hash()
        if old is not None and old != new:
            raise ResultsError(
                f"{path}: model {model.name} was run with spec {old}, now {new}; "
                "use another results folder (-r) or another model name"
            )


def distinct_models(models: list[Model]) -> list[Model]:
    """Each model object once (self-play passes the same model for both roles)."""
    seen: dict[int, Model] = {}
    for model in models:
        seen.setdefault(id(model), model)
    return list(seen.values())
