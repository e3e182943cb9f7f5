"""Running many episodes concurrently in one event loop, resuming what a previous run left.

Episodes start in clembench's order; with concurrency 1 they run strictly one after another. A failed
episode (backend error after retries, crash in a game master) gets an error.json with its cause and is
counted; it is redone by the next run, as is any episode whose records are missing or do not parse.

Playing an episode (`play_and_score`) is separate from writing it (`prepare_episode`, `write_episode`):
the process that owns the results folder writes, wherever the episode was played (see parlour.sweep).
"""

from __future__ import annotations

import asyncio
import platform
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from parlour import __version__
from parlour.errors import ResultsError
from parlour.games.episode import EpisodeRecord, experiment_config, play_episode, score_episode
from parlour.models.base import Model
from parlour.models.spec import ModelSpec
from parlour.redact import redact
from parlour.runner import store
from parlour.runner.plan import EpisodeTask

SKIPPED, PLAYED, ABORTED, FAILED = "skipped", "played", "aborted", "failed"
MAX_FAILURES_KEPT = 100  # failed episodes a summary describes; every one has its error.json on disk


@dataclass
class EpisodeOutcome:
    task: EpisodeTask
    status: str  # one of SKIPPED, PLAYED, ABORTED, FAILED
    error: str | None = None


@dataclass(repr=False)
class RunSummary:
    """What one run did, in bounded memory: counts per status and the first failures. What each episode
    did stays on disk; `episodes()` gives their folders in plan order."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[EpisodeOutcome] = field(default_factory=list)  # the first MAX_FAILURES_KEPT, by end time
    duration_s: float = 0.0
    pair: str = ""
    folder: Path | None = None  # results/<pair>
    episode_dirs: list[Path] = field(default_factory=list)  # the plan's own Path objects, not copies

    def count(self, status: str) -> int:
        return self.counts[status]

    @property
    def total(self) -> int:
        """Episodes planned (complete ones skipped included)."""
        return sum(self.counts.values())

    def add(self, outcome: EpisodeOutcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.status == FAILED and len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append(outcome)

    def episodes(self) -> Iterator[Path]:
        """The run's episode folders (instance.json, interactions.json, scores.json or error.json)."""
        return iter(self.episode_dirs)

    def __repr__(self) -> str:
        # short whatever the run's size: asyncio.run formats its result's repr on the way out (Python 3.11
        # restores SIGINT via signal.signal, whose enum lookup of the old handler builds its repr)
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        return f"RunSummary(pair={self.pair!r}, {self.total} episodes: {counts or 'none'}, {self.duration_s:.1f} s)"


@dataclass
class PlayedEpisode:
    """The result of playing one episode: its records and scores, or the error that stopped it."""

    record: EpisodeRecord | None = None
    scores: dict[str, Any] | None = None
    error: dict[str, str] | None = None  # error.json content


def _aborted(scores: dict[str, Any]) -> bool:
    return bool(scores.get("episode scores", {}).get("Aborted"))


def check_recorded_instances(tasks: list[EpisodeTask]) -> None:
    """Refuse to resume into a folder whose episodes were played on other instances than the planned ones
    (a changed instances file): complete episodes would otherwise be kept and mixed with new ones."""
    for task in tasks:
        instance_path = task.directory / store.INSTANCE
        if instance_path.is_file() and store.read_json(instance_path) != task.instance:
            raise ResultsError(
                f"{instance_path}: holds a different instance than the one planned (changed instances file?); "
                "use another results folder (-r)"
            )


def prepare_episode(task: EpisodeTask, pair: str) -> None:
    """Write instance.json and the experiment files before playing, as clembench does: v1.6's
    `experiment_<name>.json` and clemcore 2.x/3.x's `experiment.json`, so both toolchains open the folder."""
    exp_dir = task.directory.parent
    config = {**experiment_config(task.experiment), "timestamp": datetime.now().isoformat(), "dialogue_partners": pair}
    for name in (f"experiment_{task.experiment['name']}.json", "experiment.json"):
        if not (exp_dir / name).is_file():
            store.write_json(exp_dir / name, config)
    store.clear_episode(task.directory)
    store.write_json(task.directory / store.INSTANCE, task.instance)


async def play_and_score(task: EpisodeTask, models: list[Model]) -> PlayedEpisode:
    """Play one episode and score it; any failure is returned (redacted), not raised."""
    try:
        record = await play_episode(task.game, task.experiment, task.instance, models)
        scores = score_episode(task.game, task.experiment, task.instance, record.interactions)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, counted and reported
        return PlayedEpisode(
            error={
                "error": type(exc).__name__,
                "message": redact(str(exc)),
                "traceback": redact(traceback.format_exc()),
            }
        )
    return PlayedEpisode(record, scores)


def write_episode(task: EpisodeTask, played: PlayedEpisode) -> EpisodeOutcome:
    """Store what playing gave: the records and scores (interactions.json last), or error.json."""
    if played.error is not None or played.record is None or played.scores is None:
        error = played.error or {"error": "RuntimeError", "message": "episode produced no record"}
        store.write_json(task.directory / store.ERROR, error)
        return EpisodeOutcome(task, FAILED, f"{error['error']}: {error['message']}")
    store.write_json(task.directory / store.REQUESTS, played.record.requests)
    store.write_json(task.directory / store.SCORES, played.scores)
    store.write_json(task.directory / store.INTERACTIONS, played.record.interactions)
    return EpisodeOutcome(task, ABORTED if _aborted(played.scores) else PLAYED)


def finish_complete(task: EpisodeTask) -> EpisodeOutcome:
    """A complete episode is kept; it gets its scores.json if an interruption came between the two writes."""
    scores_path = task.directory / store.SCORES
    if not scores_path.is_file():
        interactions = store.read_json(task.directory / store.INTERACTIONS)
        store.write_json(scores_path, score_episode(task.game, task.experiment, task.instance, interactions))
    return EpisodeOutcome(task, SKIPPED)


Play = Callable[[EpisodeTask], Awaitable[PlayedEpisode]]


async def run_episode(task: EpisodeTask, play: Play, pair: str) -> EpisodeOutcome:
    if store.is_complete(task.directory):
        return finish_complete(task)
    prepare_episode(task, pair)
    return write_episode(task, await play(task))


async def run_episodes(
    tasks: list[EpisodeTask],
    play: Play,
    pair: str,
    concurrency: int,
    on_done: Callable[[EpisodeOutcome], None] | None = None,
) -> RunSummary:
    """Run all tasks with at most `concurrency` episodes in flight, started in task order; `play` plays
    one (see runner.players); this process writes. Only `concurrency` coroutines exist at a time and the
    summary keeps counts, so memory does not grow with the number of episodes."""
    started = time.monotonic()
    summary = RunSummary(pair=pair, episode_dirs=[task.directory for task in tasks])
    pending = iter(tasks)

    async def worker() -> None:
        for task in pending:  # the workers share one iterator: each takes the next task in order
            outcome = await run_episode(task, play, pair)
            summary.add(outcome)
            if on_done is not None:
                on_done(outcome)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(tasks))))))
    summary.duration_s = time.monotonic() - started
    return summary


def record_run(results: Path, pair: str, models: list[dict[str, Any]], run_info: dict[str, Any]) -> None:
    """Add this run to <pair>/run.json (model specs, versions, timings), or update it when its
    `started` time is already there: a run is recorded before its first episode (status "unfinished")
    and updated when it ends, so an interrupted run still pins the spec of its folder."""
    path = store.inside(results, pair, store.RUN)
    existing = store.read_json(path) if path.is_file() else {"runs": []}
    existing.update(
        {
            "parlour_version": __version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "models": models,  # each distinct model's describe()
        }
    )
    runs = [r for r in existing.get("runs", []) if r.get("started") != run_info.get("started")]
    existing["runs"] = [*runs, run_info]
    store.write_json(path, existing)


def check_spec_consistency(results: Path, pair: str, specs: list[ModelSpec]) -> None:
    """Refuse to resume into a folder that another spec of the same model name produced."""
    path = store.inside(results, pair, store.RUN)
    if not path.is_file():
        return
    recorded = {m.get("name"): m.get("spec_hash") for m in store.read_json(path).get("models", [])}
    for spec in specs:
        old = recorded.get(spec.name)
        new = spec.spec_hash()
        if old is not None and old != new:
            raise ResultsError(
                f"{path}: model {spec.name} was run with spec {old}, now {new}; "
                "use another results folder (-r) or another model name"
            )


def distinct_models(models: list[Model]) -> list[Model]:
    """Each model object once (self-play passes the same model for both roles)."""
    seen: dict[int, Model] = {}
    for model in models:
        seen.setdefault(id(model), model)
    return list(seen.values())
