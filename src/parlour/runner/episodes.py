"""Running many episodes concurrently in one event loop, resuming what a previous run left.

Episodes start in clembench's order; with concurrency 1 they run strictly one after another. A failed
episode (backend error after retries, crash in a game master) gets an error.json with its cause and is
counted; it is redone by the next run, as is any episode whose records are missing or do not parse.

Playing an episode (`play_and_score`) is separate from writing it (`prepare_episode`, `write_episode`):
the process that owns the results folder writes, wherever the episode was played (see parlour.sweep).
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from parlour import store
from parlour.chat import Model
from parlour.errors import ResultsError
from parlour.games.episode import EpisodeRecord, experiment_config, play_episode, score_episode
from parlour.redact import redact
from parlour.runner.plan import EpisodeTask

log = logging.getLogger("parlour")

SKIPPED, PLAYED, ABORTED, FAILED = "skipped", "played", "aborted", "failed"
MAX_FAILURES_KEPT = 100  # failed episodes a summary describes; every one has its error.json on disk


@dataclass
class EpisodeOutcome:
    task: EpisodeTask
    status: str  # one of SKIPPED, PLAYED, ABORTED, FAILED
    error: str | None = None
    replayed: str | None = None  # why records found on disk were not kept (cut or malformed files)


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
    # the first MAX_FAILURES_KEPT episodes whose records on disk were unusable and were played again
    replayed: list[EpisodeOutcome] = field(default_factory=list)

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
        if outcome.replayed and len(self.replayed) < MAX_FAILURES_KEPT:
            self.replayed.append(outcome)

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


def prepare_episode(task: EpisodeTask, pair: str) -> None:
    """Write instance.json and the experiment files before playing, as clembench does: v1.6's
    `experiment_<name>.json` and clemcore 2.x/3.x's `experiment.json`, so both toolchains open the folder."""
    exp_dir = task.directory.parent
    config = {**experiment_config(task.experiment), "timestamp": datetime.now().isoformat(), "dialogue_partners": pair}
    for name in (f"experiment_{task.experiment['name']}.json", "experiment.json"):
        if not (exp_dir / name).is_file():
            store.write_json(exp_dir / name, config, task.results)
    store.clear_episode(task.directory, task.results)
    store.write_json(task.directory / store.INSTANCE, task.instance, task.results)


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
        store.write_json(task.directory / store.ERROR, error, task.results)
        return EpisodeOutcome(task, FAILED, f"{error['error']}: {error['message']}")
    store.write_json(task.directory / store.REQUESTS, played.record.requests, task.results)
    store.write_json(task.directory / store.SCORES, played.scores, task.results)
    store.write_json(task.directory / store.INTERACTIONS, played.record.interactions, task.results)
    return EpisodeOutcome(task, ABORTED if _aborted(played.scores) else PLAYED)


def finish_complete(task: EpisodeTask) -> EpisodeOutcome:
    """A complete episode is kept; it gets its scores.json if an interruption came between the two writes."""
    scores_path = task.directory / store.SCORES
    if not scores_path.is_file():
        interactions = store.read_json(task.directory / store.INTERACTIONS)
        scores = score_episode(task.game, task.experiment, task.instance, interactions)
        store.write_json(scores_path, scores, task.results)
    return EpisodeOutcome(task, SKIPPED)


Play = Callable[[EpisodeTask], Awaitable[PlayedEpisode]]


def kept_records(task: EpisodeTask) -> tuple[bool, str | None]:
    """Whether the episode on disk is complete and kept; when not, why the records found there are not
    kept (None when it was never played). A cut instance.json cannot vouch for its records: replayed too."""
    problem = store.record_problem(task.directory)
    if problem is None:
        instance_path = task.directory / store.INSTANCE
        try:
            if instance_path.exists():
                store.read_json(instance_path)
        except ResultsError as exc:
            return False, str(exc)
        return True, None
    started = any((task.directory / name).exists() for name in (store.INTERACTIONS, store.REQUESTS))
    return False, problem if started else None


async def run_episode(task: EpisodeTask, play: Play, pair: str) -> EpisodeOutcome:
    complete, why_not = kept_records(task)
    if complete:
        return finish_complete(task)
    prepare_episode(task, pair)
    outcome = write_episode(task, await play(task))
    outcome.replayed = why_not
    return outcome


async def run_episodes(
    tasks: list[EpisodeTask],
    play: Play,
    pair: str,
    concurrency: int,
    on_done: Callable[[EpisodeOutcome], None] | None = None,
    on_written: Callable[[EpisodeTask], None] | None = None,
    run_one: Callable[[Any, Play, str], Awaitable[EpisodeOutcome]] | None = None,
) -> RunSummary:
    """Run all tasks with at most `concurrency` episodes in flight, started in task order; `play` plays
    one (see runner.players); this process writes. Only `concurrency` coroutines exist at a time and the
    summary keeps counts, so memory does not grow with the number of episodes. `on_written` is called for
    each episode whose records were written (played or aborted), `on_done` for every episode as it ends.
    `run_one` resumes, plays and writes one task (default: `run_episode`, parlour's own records; the
    clembench 2.0 bridge gives its own, which writes clemcore's layout)."""
    run_one = run_one or run_episode
    started = time.monotonic()
    summary = RunSummary(pair=pair, episode_dirs=[task.directory for task in tasks])
    pending = iter(tasks)

    in_flight: set[str] = set()

    async def worker() -> None:
        for task in pending:  # the workers share one iterator: each takes the next task in order
            in_flight.add(task.label)
            outcome = await run_one(task, play, pair)
            in_flight.discard(task.label)
            summary.add(outcome)
            if on_written is not None and outcome.status in (PLAYED, ABORTED):
                on_written(task)
            if on_done is not None:
                on_done(outcome)

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(tasks))))))
    except asyncio.CancelledError:  # Ctrl-C: say what is dropped, before the engines stop
        if in_flight:
            log.warning(
                "interrupted: stopping %d episode(s) in flight (%s); they are played again on resume",
                len(in_flight),
                ", ".join(sorted(in_flight)[:3]) + (", ..." if len(in_flight) > 3 else ""),
            )
        raise
    summary.duration_s = time.monotonic() - started
    return summary


def distinct_models(models: list[Model]) -> list[Model]:
    """Each model object once (self-play passes the same model for both roles)."""
    seen: dict[int, Model] = {}
    for model in models:
        seen.setdefault(id(model), model)
    return list(seen.values())
