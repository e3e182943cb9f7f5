"""The run of one pair on clembench 2.0: parlour's runner (lock, resume, run.json, progress, many episodes
in flight) around clemcore's game code, which plays each episode on a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from parlour import store
from parlour.clembench import games as clem_games
from parlour.clembench import nltk_data
from parlour.data.benchmarks import CLEMBENCH_1_6 as BENCHMARK_1_6
from parlour.errors import ClembenchError, UnknownGameError
from parlour.games.instances import instances_sha256
from parlour.runner.episodes import RunSummary
from parlour.runner.options import RunOptions
from parlour.runner.pair import OnEpisode, OnStart, OnWritten, RunOne, run_recorded
from parlour.runner.pair import plan as plan_parlour_pair
from parlour.runner.pair import run_pair as run_parlour_pair
from parlour.runner.players import LocalPlayers, Players


def selected(games: str | Sequence[str], options: RunOptions) -> tuple[Path, list[Any]]:
    """The games folder and clemcore's specs of the named games ("all": every 2.0 game), after the checks
    a 2.0 run makes before anything else (clemcore, no -i, the folder, the games, NLTK's data)."""
    clem_games.require_clemcore()
    if options.instances is not None:
        raise ClembenchError(f"{clem_games.BENCHMARK} plays each game's own instance file: leave out -i/--instances")
    folder = clem_games.games_folder(options.games_dir)
    specs = clem_games.select(folder, [games] if isinstance(games, str) else list(games))
    nltk_data.ensure()  # taboo and codenames read NLTK corpora at import, offline
    return folder, specs


def _is_2_0(options: RunOptions) -> bool:
    """Whether the run plays clembench 2.0 (clemcore's games) rather than 1.6; another name is an error."""
    if options.benchmark not in (BENCHMARK_1_6, clem_games.BENCHMARK):
        raise UnknownGameError(
            f"unknown benchmark {options.benchmark!r} (known: {BENCHMARK_1_6}, {clem_games.BENCHMARK})"
        )
    return options.benchmark == clem_games.BENCHMARK


def plan_benchmark(games: str | Sequence[str], pair: str, options: RunOptions) -> list[Any]:
    """The episodes a run of `games` for `pair` consists of, in clembench's order: parlour's EpisodeTasks
    for clembench 1.6, clemcore's episodes for 2.0 (each game loaded by clemcore to list them)."""
    if not _is_2_0(options):
        return plan_parlour_pair(games, pair, options)
    folder, specs = selected(games, options)
    return plan(specs, folder, options, pair)[1]


async def run_benchmark(
    games: str | Sequence[str],
    players: Players,
    options: RunOptions,
    on_episode: OnEpisode | None = None,
    on_start: OnStart | None = None,
    on_written: OnWritten | None = None,
) -> RunSummary:
    """The run of a pair on `options.benchmark`: clembench 1.6 by parlour's games (`on_written` is called
    as each episode is written), 2.0 by clemcore's (its models must be loaded in this process)."""
    if not _is_2_0(options):
        return await run_parlour_pair(games, players, options, on_episode, on_start, on_written=on_written)
    if not isinstance(players, LocalPlayers):
        raise ClembenchError(
            f"{clem_games.BENCHMARK} plays in this process (clemcore's game code calls the models here): "
            "use the local executor"
        )
    return await run_pair(games, players, options, on_episode, on_start)


def plan(specs: list[Any], folder: Path, options: RunOptions, pair: str) -> tuple[list[Any], list[Any]]:
    """The loaded games and the episodes to run, in clemcore's order (game, experiment, instance);
    `limit` keeps the first N instances of each experiment."""
    from parlour.clembench.episode import ClemTask, instance_dir, results_folder, rows

    layout = results_folder(options.results, pair)
    benchmarks, tasks, matched = [], [], set()
    for spec in specs:
        benchmark = clem_games.load(spec, folder)
        benchmarks.append(benchmark)
        taken: dict[str, int] = {}
        for row in rows(spec):
            name = row["experiment"]["name"]
            if options.experiments and name not in options.experiments:
                continue
            matched.add(name)
            taken[name] = taken.get(name, 0) + 1
            if options.limit is None or taken[name] <= options.limit:
                tasks.append(ClemTask(benchmark, row, instance_dir(layout, benchmark, row), options.results))
    missing = [name for name in options.experiments or () if name not in matched]
    if missing:
        raise ClembenchError(f"experiment(s) {', '.join(missing)} not found in the selected games' instances")
    return benchmarks, tasks


def _run_info(specs: list[Any], tasks: list[Any], options: RunOptions, in_flight: int, folder: Path) -> dict[str, Any]:
    return {
        "started": datetime.now().isoformat(),
        "status": "unfinished",
        "benchmark": clem_games.BENCHMARK,
        "clemcore": clem_games.require_clemcore(),
        "games_folder": str(folder),
        "games": sorted(spec.game_name for spec in specs),
        "game_files_sha256": {spec.game_name: clem_games.files_sha256(spec) for spec in specs},
        "instance_files": {
            spec.game_name: {
                "path": str(clem_games.instances_file(spec)),
                "sha256": instances_sha256(clem_games.instances_file(spec)),
            }
            for spec in specs
        },
        "experiments": list(options.experiments) if options.experiments else "all",
        "limit": options.limit,
        "concurrency": in_flight,
        "episodes": len(tasks),
    }


async def run_pair(
    games: str | Sequence[str],
    players: LocalPlayers,
    options: RunOptions,
    on_episode: OnEpisode | None = None,
    on_start: OnStart | None = None,
) -> RunSummary:
    """Play every episode of the selected 2.0 games not complete yet, `options.concurrency` (or the model's
    default) at once, and record the run in run.json (before the first episode and when it ends)."""
    folder, specs = selected(games, options)
    from parlour.clembench.episode import callbacks, play, results_folder
    from parlour.clembench.model import ParlourBackend

    results = options.results
    store.check_results_folder(results)
    programmatic = [spec.name for spec in players.specs if spec.backend == "programmatic"]
    if programmatic:  # 1.6's role logic: a 2.0 game has no such player, every episode would fail
        raise ClembenchError(
            f"{', '.join(programmatic)}: programmatic players play clembench 1.6's games only; "
            f"{clem_games.BENCHMARK} needs a model (e.g. -m smollm2-135m)"
        )
    players.prepare()
    pair = store.pair_name([spec.player_folder_name() for spec in players.specs])
    store.inside(results, pair)
    _, tasks = plan(specs, folder, options, pair)

    @asynccontextmanager
    async def clemcore_records(started: Players, in_flight: int) -> AsyncIterator[RunOne]:
        """clemcore's runner plays each episode on a worker thread; each model call waits on this loop,
        so the engine sees every episode's requests at once."""
        from clemcore.backends import Model as ClemcoreModel

        loop = asyncio.get_running_loop()
        backends = [ParlourBackend(model, loop) for model in started.models]
        # one model for self-play, as `clem run -m MODEL` passes it
        distinct = backends[:1] if len(backends) == 2 and backends[0].model is backends[1].model else backends
        episode_callbacks = callbacks(results_folder(results, pair), ClemcoreModel.to_infos(distinct))
        with ThreadPoolExecutor(max_workers=max(1, in_flight), thread_name_prefix="clembench") as pool:

            async def run_one(task: Any, _play: Any, _pair: str) -> Any:
                return await loop.run_in_executor(pool, play, task, distinct, episode_callbacks)

            yield run_one

    return await run_recorded(
        pair,
        players,
        tasks,
        options,
        lambda in_flight: _run_info(specs, tasks, options, in_flight, folder),
        episode_runner=clemcore_records,
        on_episode=on_episode,
        on_start=on_start,
    )
