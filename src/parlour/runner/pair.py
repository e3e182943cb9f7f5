"""The run of one pair: its plan, the checks that make a resume safe, run.json, the episodes and the summary.

This process holds the pair's lock, checks and records the spec, and writes every file, wherever the
players play (in this process, or on a sweep's Ray actors: see `runner.players`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from parlour import store
from parlour.errors import ResultsError
from parlour.games.episode import experiment_config
from parlour.games.instances import instances_sha256
from parlour.games.registry import select_games
from parlour.models.spec import ModelSpec
from parlour.runner.episodes import (
    ABORTED,
    FAILED,
    PLAYED,
    SKIPPED,
    EpisodeOutcome,
    Play,
    RunSummary,
    run_episode,
    run_episodes,
)
from parlour.runner.options import RunOptions
from parlour.runner.plan import EpisodeTask, plan_episodes
from parlour.runner.players import Players
from parlour.version import __version__

log = logging.getLogger("parlour")

OnEpisode = Callable[[EpisodeOutcome], None]
OnStart = Callable[[str, int], None]  # (pair folder name, episodes planned)
OnWritten = Callable[[EpisodeTask], None]
RunOne = Callable[[Any, Play, str], Awaitable[EpisodeOutcome]]  # resumes, plays and writes one task
EpisodeRunner = Callable[[Players, int], AbstractAsyncContextManager[RunOne]]  # (players, in flight) -> RunOne


def plan(games: str | Sequence[str], pair: str, options: RunOptions) -> list[EpisodeTask]:
    """The episodes a run of `games` for `pair` consists of, in clembench's order."""
    store.check_results_folder(options.results)
    store.inside(options.results, pair)
    selected = select_games([games] if isinstance(games, str) else list(games))
    return plan_episodes(selected, options.results, pair, options.instances, options.experiment_list(), options.limit)


async def run_pair(
    games: str | Sequence[str],
    players: Players,
    options: RunOptions,
    on_episode: OnEpisode | None = None,
    on_start: OnStart | None = None,
    on_written: OnWritten | None = None,
) -> RunSummary:
    """Play every planned episode of `players` that is not complete yet and record the run in run.json
    (before the first episode, which pins the spec and the plan, and again when it ends)."""
    results = options.results
    players.prepare()
    pair = store.pair_name([spec.player_folder_name() for spec in players.specs])
    tasks = plan(games, pair, options)

    def checks() -> None:
        check_recorded_instances(tasks)
        check_recorded_experiments(tasks, store.recorded_plan(store.inside(results, pair)))

    return await run_recorded(
        pair,
        players,
        tasks,
        options,
        lambda in_flight: _run_info(tasks, options, in_flight),
        checks=checks,
        plan=planned_experiments(tasks),
        on_episode=on_episode,
        on_start=on_start,
        on_written=on_written,
    )


async def run_recorded(
    pair: str,
    players: Players,
    tasks: Sequence[Any],
    options: RunOptions,
    run_info: Callable[[int], dict[str, Any]],
    *,
    checks: Callable[[], None] | None = None,
    plan: dict[str, dict[str, dict[str, Any]]] | None = None,
    episode_runner: EpisodeRunner | None = None,
    on_episode: OnEpisode | None = None,
    on_start: OnStart | None = None,
    on_written: OnWritten | None = None,
) -> RunSummary:
    """The frame every benchmark's run of a pair shares: under the pair's lock, refuse a resume of another
    spec (and what `checks` refuses), start the players, record run.json (`run_info(in_flight)`) before the
    first episode and again when the run ends, and play the tasks not complete yet. `episode_runner` gives
    the coroutine that resumes, plays and writes one task (default: parlour's own records)."""
    results = options.results
    folder = store.inside(results, pair)
    with store.pair_lock(folder, results):
        check_spec_consistency(results, pair, players.specs)
        if checks is not None:
            checks()
        try:
            for line in await players.start(folder):
                log.warning(line)
            in_flight = options.concurrency or players.default_concurrency()
            for note in players.notes(in_flight):
                log.warning(note)
            info = run_info(in_flight)
            info["generation"] = {spec.name: spec.generation_sources() for spec in players.specs}
            record_run(results, pair, players.describe(), info, plan, whole_games=options.whole_games)
            if on_start is not None:
                on_start(pair, len(tasks))
            async with (episode_runner or _parlour_records)(players, in_flight) as run_one:
                summary = await run_episodes(
                    list(tasks), players.play, pair, in_flight, on_episode, on_written, run_one=run_one
                )
            summary.folder = folder
            info.update(_finished_info(summary))
            record_run(results, pair, players.describe(), info)
            return summary
        finally:
            await players.aclose()


@asynccontextmanager
async def _parlour_records(_players: Players, _in_flight: int) -> AsyncIterator[RunOne]:
    yield run_episode


def _run_info(tasks: list[EpisodeTask], options: RunOptions, concurrency: int) -> dict[str, Any]:
    return {
        "started": datetime.now().isoformat(),
        "status": "unfinished",
        "games": sorted({t.game.name for t in tasks}),
        "instances": str(options.instances) if options.instances else "parlour default",
        "experiments": list(options.experiments) if options.experiments else "all",
        "limit": options.limit,
        "concurrency": concurrency,
        "episodes": len(tasks),
        "instance_files": _instance_files(tasks),
    }


def _instance_files(tasks: list[EpisodeTask]) -> dict[str, dict[str, str]]:
    """The identity of the instance set each game was played on: its file and that file's sha256."""
    files = {t.game.name: t.instances_file for t in tasks if t.instances_file is not None}
    return {game: {"path": str(path), "sha256": instances_sha256(path)} for game, path in sorted(files.items())}


def _finished_info(summary: RunSummary) -> dict[str, Any]:
    return {
        "status": "finished" if not summary.count(FAILED) else "finished with failures",
        "finished": datetime.now().isoformat(),
        "skipped_complete": summary.count(SKIPPED),
        "played": summary.count(PLAYED),
        "aborted": summary.count(ABORTED),
        "failed": summary.count(FAILED),
        "duration_s": round(summary.duration_s, 3),
    }


def check_recorded_instances(tasks: list[EpisodeTask]) -> None:
    """Refuse to resume into a folder whose episodes were played on other instances than the planned ones
    (a changed instances file): complete episodes would otherwise be kept and mixed with new ones. An
    instance.json that cannot be read (cut by a crash) is no evidence either way: its episode is replayed."""
    for task in tasks:
        instance_path = task.directory / store.INSTANCE
        try:
            recorded = store.read_json(instance_path) if instance_path.is_file() else task.instance
        except ResultsError:
            continue
        if recorded != task.instance:
            raise ResultsError(
                f"{instance_path}: holds a different instance than the one planned (changed instances file?); "
                "use another results folder (-r)"
            )


#: what experiment.json holds beside the experiment's own settings
_EXPERIMENT_RECORD_KEYS = {"timestamp", "dialogue_partners"}


def experiment_settings(task: EpisodeTask) -> dict[str, Any]:
    """The experiment's settings other than its instances (prompts, max_turns...), as JSON holds them. The
    resources folder is where the game's files lie on this machine, not a setting, so it is left out."""
    config = experiment_config(task.experiment)
    config.pop(task.game.resources_key or "", None)
    return json.loads(store.encode_json(config))  # tuples as lists, as the file holds them


def settings_fingerprint(settings: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


def check_recorded_experiments(tasks: list[EpisodeTask], recorded_plan: dict[str, Any] | None = None) -> None:
    """Refuse to resume into an experiment folder whose episodes were played with other settings than the
    planned experiment's (a changed prompt or max_turns): its episodes would be mixed with new ones. The
    settings are those of the experiment files beside the episodes, and those that `recorded_plan` (the
    plan in the pair's run.json) records, so that removing the experiment files hides no change."""
    checked: set[Path] = set()
    for task in tasks:
        exp_dir = task.directory.parent
        if exp_dir in checked:
            continue
        checked.add(exp_dir)
        planned = experiment_settings(task)
        for name in (f"experiment_{task.experiment['name']}.json", "experiment.json"):
            path = exp_dir / name
            if not path.is_file():
                continue
            recorded = store.read_json(path)
            if not isinstance(recorded, dict):
                raise ResultsError(f"{path}: not an experiment file (needs an object)")
            recorded = {k: v for k, v in recorded.items() if k not in _EXPERIMENT_RECORD_KEYS}
            recorded.pop(task.game.resources_key or "", None)
            _refuse_changed_settings(path, task, recorded, planned)
        _check_planned_settings(task, planned, recorded_plan)


def _check_planned_settings(task: EpisodeTask, planned: dict[str, Any], recorded_plan: dict[str, Any] | None) -> None:
    """The settings run.json's plan records for the task's experiment folder, against the planned ones; an
    experiment folder without episodes holds nothing to mix."""
    games = recorded_plan.get(task.game.name) if isinstance(recorded_plan, dict) else None
    entry = games.get(task.directory.parent.name) if isinstance(games, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("settings"), str):
        return  # no plan recorded for it (a clembench folder, an older parlour, another game)
    if entry["settings"] == settings_fingerprint(planned) or not any(task.directory.parent.glob("episode_*")):
        return
    path = task.directory.parents[2] / store.RUN
    recorded = entry.get("config")
    if isinstance(recorded, dict):
        _refuse_changed_settings(path, task, recorded, planned)
    raise ResultsError(  # a plan recorded before parlour kept the settings themselves: only their hash differs
        f"{path}: experiment {task.experiment['name']} was played with other settings (fingerprint "
        f"{entry['settings']}, now {settings_fingerprint(planned)}); use another results folder (-r)"
    )


def _refuse_changed_settings(path: Path, task: EpisodeTask, recorded: dict[str, Any], planned: dict[str, Any]) -> None:
    """ResultsError naming the first setting `recorded` (in the file at `path`) has another value of than
    `planned`, with both values, and how many more changed."""
    changed = sorted(k for k in recorded.keys() | planned.keys() if recorded.get(k) != planned.get(k))
    if not changed:
        return
    first = changed[0]
    more = f" and {len(changed) - 1} more ({', '.join(changed[1:])})" if len(changed) > 1 else ""
    raise ResultsError(
        f"{path}: experiment {task.experiment['name']} was played with other settings: "
        f"{first} {_short(recorded.get(first))} -> {_short(planned.get(first))}{more}; "
        "use another results folder (-r)"
    )


def _short(value: Any) -> str:
    """A setting's value for a one-line message (a prompt is cut; `-` stands for a setting not there)."""
    text = "-" if value is None else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def planned_experiments(tasks: list[EpisodeTask]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per game, per experiment folder: its settings (and their fingerprint) and how many instances it has,
    as run.json records them; `parlour eval` counts only episodes of this plan, and a resume compares the
    settings (`check_recorded_experiments`)."""
    plan: dict[str, dict[str, dict[str, Any]]] = {}
    for task in tasks:
        settings = experiment_settings(task)
        plan.setdefault(task.game.name, {})[task.directory.parent.name] = {
            "settings": settings_fingerprint(settings),
            "config": settings,
            "instances": len(task.experiment["game_instances"]),
        }
    return plan


def record_run(
    results: Path,
    pair: str,
    models: list[dict[str, Any]],
    run_info: dict[str, Any],
    plan: dict[str, dict[str, dict[str, Any]]] | None = None,
    whole_games: bool = True,
) -> None:
    """Add this run to <pair>/run.json (model specs, versions, timings), or update it when its
    `started` time is already there: a run is recorded before its first episode (status "unfinished")
    and updated when it ends, so an interrupted run still pins the spec of its folder. `plan`
    (`planned_experiments`) replaces the recorded experiments of its games, or with `whole_games` False
    (a run of some experiments only) is added to them."""
    path = store.inside(results, pair, store.RUN)
    existing = store.read_json(path) if path.is_file() else {"runs": []}
    if plan is not None:
        recorded = existing.get("plan") if isinstance(existing.get("plan"), dict) else {}
        for game, experiments in plan.items():
            kept = recorded.get(game) if not whole_games and isinstance(recorded.get(game), dict) else {}
            recorded[game] = {**kept, **experiments}
        existing["plan"] = recorded
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
    store.write_json(path, existing, results)


def check_spec_consistency(results: Path, pair: str, specs: list[ModelSpec]) -> None:
    """Refuse to resume into a folder that another spec of the same model name produced (other weights
    included: the refusal names the file that changed)."""
    path = store.inside(results, pair, store.RUN)
    if not path.is_file():
        return
    models = store.read_json(path).get("models", [])
    recorded = {m.get("name"): m for m in models if isinstance(m, dict)}
    for spec in specs:
        entry = recorded.get(spec.name)
        old = entry.get("spec_hash") if entry else None
        new = spec.spec_hash()
        if old is None or old == new:
            continue
        old_weights = entry.get("weights_sha256")
        if spec.weights_sha256 and isinstance(old_weights, dict) and old_weights != spec.weights_sha256:
            file = next(
                f
                for f in sorted({*old_weights, *spec.weights_sha256})
                if old_weights.get(f) != spec.weights_sha256.get(f)
            )
            before, now = old_weights.get(file, "no file"), spec.weights_sha256.get(file, "no file")
            raise ResultsError(
                f"{path}: the weights of model {spec.name} changed since this folder was run: {file} "
                f"({spec.weights}) had {before}, now {now}; "
                "restore the file, or use another results folder (-r) or another model name"
            )
        added = spec.fields_added_since(entry)
        if added and old == spec.spec_hash_without(added):
            # a folder from before these fields were recorded (the weights' sha256, a requantized file's
            # source): what they say cannot be checked for its episodes; from now on it is
            log.warning(
                f"{path}: model {spec.name} was run before specs recorded {', '.join(added)}; resumed, and "
                "recorded from this run on (the episodes before cannot be checked against them)"
            )
            continue
        current = spec.model_dump(mode="json")
        changed = _changed(entry, {k: current.get(k) for k in spec.hashed_fields()})
        what = f"changed: {', '.join(changed)}" if changed else "the content of a file it names changed"
        raise ResultsError(
            f"{path}: model {spec.name} was run with spec {old}, now {new} ({what}); "
            "use another results folder (-r) or another model name"
        )


def _changed(recorded: dict[str, Any], current: dict[str, Any], prefix: str = "") -> list[str]:
    """The settings whose recorded value differs, as `field (old -> new)`; nested dicts by dotted key."""
    out = []
    for key, value in current.items():
        old = recorded.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            # inside a setting, a key that is gone counts too (sampling: {top_p: 0.9} -> {})
            out += _changed(old, {**dict.fromkeys(old), **value}, f"{prefix}{key}.")
        elif old != value:
            out.append(f"{prefix}{key} ({old!r} -> {value!r})")
    return out
