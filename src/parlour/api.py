"""parlour as a library: everything the `parlour run` and `parlour eval` commands do, as functions.

import parlour
summary = parlour.run(["taboo"], ["smollm2-135m"], results="results", limit=2)
table = parlour.evaluate("results")      # clembench's results table as a DataFrame
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from parlour.chat import Model
from parlour.games.instances import instances_sha256
from parlour.games.registry import select_games
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec
from parlour.runner import run as runner
from parlour.runner import store
from parlour.runner.plan import EpisodeTask, plan_episodes
from parlour.runner.players import LocalPlayers, Players

log = logging.getLogger("parlour")

ModelLike = str | ModelSpec | Model
OnEpisode = Callable[[runner.EpisodeOutcome], None]


def resolve_spec(model: str | ModelSpec, temperature: float | None, max_tokens: int | None) -> ModelSpec:
    """A registry name or a spec, with the run's temperature / max_tokens applied where given."""
    spec = lookup(model) if isinstance(model, str) else model
    return spec.with_generation(temperature, max_tokens)


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str | ModelSpec | Model) else list(value)


def plan(
    games: str | Sequence[str],
    pair: str,
    results: str | Path = "results",
    instances: str | Path | None = None,
    experiments: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[EpisodeTask]:
    """The episodes a run of `games` for `pair` consists of, in clembench's order."""
    results = Path(results)
    store.check_results_folder(results)
    store.inside(results, pair)
    selected = select_games(_as_list(games))
    return plan_episodes(selected, results, pair, Path(instances) if instances else None, experiments or None, limit)


async def arun(
    games: str | Sequence[str],
    models: ModelLike | Sequence[ModelLike],
    instances: str | Path | None = None,
    results: str | Path = "results",
    concurrency: int | None = None,
    limit: int | None = None,
    experiments: Sequence[str] | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    on_episode: OnEpisode | None = None,
    on_start: Callable[[str, int], None] | None = None,
) -> runner.RunSummary:
    """Play (and score) every planned episode not already complete; see `run`."""
    items = _as_list(models)
    given = [m if isinstance(m, Model) else resolve_spec(m, temperature, max_tokens) for m in items]
    return await run_pair(
        games, LocalPlayers(given), instances, results, concurrency, limit, experiments, on_episode, on_start
    )


async def run_pair(
    games: str | Sequence[str],
    players: Players,
    instances: str | Path | None = None,
    results: str | Path = "results",
    concurrency: int | None = None,
    limit: int | None = None,
    experiments: Sequence[str] | None = None,
    on_episode: OnEpisode | None = None,
    on_start: Callable[[str, int], None] | None = None,
) -> runner.RunSummary:
    """`arun` with the players given: in this process (LocalPlayers) or elsewhere (a sweep's Ray actors).
    This process holds the pair's lock, checks and records the spec, and writes every file."""
    results = Path(results)
    pair = store.pair_name([spec.player_folder_name() for spec in players.specs])
    tasks = plan(games, pair, results, instances, experiments, limit)
    with store.pair_lock(store.inside(results, pair), results):
        runner.check_spec_consistency(results, pair, players.specs)
        runner.check_recorded_instances(tasks)
        runner.check_recorded_experiments(tasks)
        try:
            for line in await players.start(store.inside(results, pair)):
                log.warning(line)
            in_flight = concurrency or players.default_concurrency()
            for note in players.notes(in_flight):
                log.warning(note)
            info = _run_info(tasks, instances, experiments, limit, in_flight)
            info["generation"] = {spec.name: spec.generation_sources() for spec in players.specs}
            planned = runner.planned_experiments(tasks)
            # before the first episode: pins the spec and the plan
            runner.record_run(results, pair, players.describe(), info, planned, whole_games=not experiments)
            if on_start is not None:
                on_start(pair, len(tasks))
            summary = await runner.run_episodes(tasks, players.play, pair, in_flight, on_episode)
            summary.folder = store.inside(results, pair)
            info.update(_finished_info(summary))
            runner.record_run(results, pair, players.describe(), info)
            return summary
        finally:
            await players.aclose()


def run(
    games: str | Sequence[str],
    models: ModelLike | Sequence[ModelLike],
    instances: str | Path | None = None,
    results: str | Path = "results",
    concurrency: int | None = None,
    limit: int | None = None,
    experiments: Sequence[str] | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    on_episode: OnEpisode | None = None,
    on_start: Callable[[str, int], None] | None = None,
) -> runner.RunSummary:
    """Play `games` ("all", names) with one model (self-play) or a pair, write clembench-layout records
    under `results/<pair>/` and score them. Models are registry names, `ModelSpec`s or loaded `Model`s.

    Rerunning resumes: complete episodes are kept, the rest replayed. Refuses (ParlourError) a folder that
    another spec of the same model name or other instances produced, and one another run is writing to.
    `temperature`/`max_tokens` override the specs' own (which default to clembench's 0.0 / 100; run.json's
    `generation` records which applied); `concurrency` defaults to the models' own limit;
    `limit` keeps the first N instances of each experiment. `on_episode` is called as each episode ends.
    """
    return asyncio.run(
        arun(
            games,
            models,
            instances,
            results,
            concurrency,
            limit,
            experiments,
            temperature,
            max_tokens,
            on_episode,
            on_start,
        )  # fmt: skip
    )


def _run_info(
    tasks: list[EpisodeTask],
    instances: str | Path | None,
    experiments: Sequence[str] | None,
    limit: int | None,
    concurrency: int,
) -> dict[str, Any]:
    return {
        "started": datetime.now().isoformat(),
        "status": "unfinished",
        "games": sorted({t.game.name for t in tasks}),
        "instances": str(instances) if instances else "parlour default",
        "experiments": list(experiments) if experiments else "all",
        "limit": limit,
        "concurrency": concurrency,
        "episodes": len(tasks),
        "instance_files": _instance_files(tasks),
    }


def _instance_files(tasks: list[EpisodeTask]) -> dict[str, dict[str, str]]:
    """The identity of the instance set each game was played on: its file and that file's sha256."""
    files = {t.game.name: t.instances_file for t in tasks if t.instances_file is not None}
    return {game: {"path": str(path), "sha256": instances_sha256(path)} for game, path in sorted(files.items())}


def _finished_info(summary: runner.RunSummary) -> dict[str, Any]:
    return {
        "status": "finished" if not summary.count(runner.FAILED) else "finished with failures",
        "finished": datetime.now().isoformat(),
        "skipped_complete": summary.count(runner.SKIPPED),
        "played": summary.count(runner.PLAYED),
        "aborted": summary.count(runner.ABORTED),
        "failed": summary.count(runner.FAILED),
        "duration_s": round(summary.duration_s, 3),
    }


def evaluate(results: str | Path, n_boot: int = 1000) -> pd.DataFrame:
    """Aggregate every scored episode under `results` into clembench's results table (index: pair folder;
    columns `-, clemscore`, `all, Average % Played`, ... `<game>, Quality Score (std)`), writing raw.csv,
    results.csv and results_ci.csv beside them as `parlour eval` does."""
    from parlour.scoring.evaluate import evaluate as evaluate_folder

    return evaluate_folder(Path(results), n_boot=n_boot).results
