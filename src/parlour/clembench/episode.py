"""One clembench 2.0 episode: resumed, played by clemcore's sequential runner, scored by the game's scorer.

The records are clemcore's own (its callbacks write instance.json, interactions.json and requests.json),
in its results layout `<pair>/<game>/<experiment>/instance_<id>/`, so `clem score`, `clem eval` and
`clem transcribe` read them; an episode that raises gets parlour's error.json.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from clemcore.clemgame import (
    ExperimentFileSaver,
    GameBenchmarkCallbackList,
    GameInstanceIterator,
    InstanceFileSaver,
    InteractionsFileSaver,
    ResultsFolder,
)
from clemcore.clemgame.runners import sequential

from parlour import store
from parlour.errors import ResultsError
from parlour.redact import redact
from parlour.runner.episodes import ABORTED, FAILED, PLAYED, SKIPPED, EpisodeOutcome

ERROR, INTERACTIONS, SCORES = "error.json", "interactions.json", "scores.json"


@dataclass
class ClemTask:
    """One episode to play: the game's loaded benchmark and clemcore's row (experiment, game instance)."""

    benchmark: Any = field(repr=False)
    row: dict[str, Any] = field(repr=False)
    directory: Path
    results: Path

    @property
    def label(self) -> str:
        return f"{self.benchmark.game_name}/{self.directory.parent.name}/{self.directory.name}"


class _PairFolder(ResultsFolder):
    """clemcore's results layout under parlour's pair folder (clemcore names it after its own models)."""

    def __init__(self, results: Path, pair: str) -> None:
        super().__init__(results, [])
        self.models_dir = pair


def results_folder(results: Path, pair: str) -> Any:
    return _PairFolder(results, pair)


def rows(spec: Any) -> list[dict[str, Any]]:
    """clemcore's episodes of a game's instance file, in its order, each as {"experiment", "game_instance"}."""
    pairs = GameInstanceIterator.from_game_spec(spec).reset()
    return [{"experiment": experiment, "game_instance": instance} for experiment, instance in pairs]


def instance_dir(folder: Any, benchmark: Any, row: dict[str, Any]) -> Path:
    """clemcore's own path of the episode (its ResultsFolder, given what a game master would tell it)."""
    master = SimpleNamespace(game_spec=benchmark.game_spec, experiment=row["experiment"])
    return folder.to_instance_dir_path(master, row["game_instance"])


class _ExperimentFileSaver(ExperimentFileSaver):
    """clemcore's saver of experiment.json (written at an experiment's first episode), one thread at a time:
    with many episodes in flight two would otherwise both find it missing and write it at once."""

    _lock = threading.Lock()

    def on_game_start(self, game_master: Any, game_instance: dict[str, Any]) -> None:
        with self._lock:
            super().on_game_start(game_master, game_instance)


def callbacks(folder: Any, model_infos: Any) -> Any:
    """The callbacks `clem run` records an episode with (all but its run.json: parlour writes that)."""
    return GameBenchmarkCallbackList(
        [
            InstanceFileSaver(folder),
            _ExperimentFileSaver(folder, player_model_infos=model_infos),
            InteractionsFileSaver(folder, player_model_infos=model_infos),
        ]
    )


def complete(directory: Path) -> bool:
    """Whether the episode on disk is finished and scored, with records that parse (a kill -9 can cut a file:
    then it is played again)."""
    if not all((directory / name).is_file() for name in (INTERACTIONS, SCORES)):
        return False
    try:
        store.read_json(directory / INTERACTIONS)
        store.read_json(directory / SCORES)
    except ResultsError:
        return False
    return True


class _Failures(logging.Handler):
    """The exception clemcore's sequential runner logs (and swallows) for an episode, by worker thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.by_thread: dict[int, dict[str, str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        cause = record.exc_info[1] if record.exc_info else None
        error = {"error": type(cause).__name__, "message": redact(str(cause))} if cause else None
        self.by_thread[threading.get_ident()] = error or {"error": "EpisodeError", "message": record.getMessage()}


FAILURES = _Failures()
logging.getLogger(sequential.__name__).addHandler(FAILURES)  # an episode that raised
logging.getLogger("clemcore.clemgame.benchmark").addHandler(FAILURES)  # the game's scorer raised


def outcome_of(task: ClemTask) -> EpisodeOutcome:
    directory = task.directory
    if not (directory / INTERACTIONS).is_file() or not (directory / SCORES).is_file():
        logged = FAILURES.by_thread.pop(threading.get_ident(), None)
        if (directory / INTERACTIONS).is_file():  # the game's scorer raised: no scores.json, replayed next run
            logged = {"error": "ScorerError", "message": logged["message"] if logged else "no scores.json"}
        elif directory.exists():  # the game or the backend raised: clemcore wrote instance.json only
            logged = logged or {"error": "EpisodeError", "message": "clemcore did not play this episode"}
            store.write_json(directory / ERROR, logged, task.results)
        logged = logged or {"error": "EpisodeError", "message": "clemcore did not play this episode"}
        return EpisodeOutcome(task, FAILED, f"{logged.get('error')}: {logged.get('message')}")  # type: ignore[arg-type]
    scores = store.read_json(directory / SCORES)
    aborted = bool(scores.get("episode scores", {}).get("Aborted"))
    return EpisodeOutcome(task, ABORTED if aborted else PLAYED)  # type: ignore[arg-type]


def play(task: ClemTask, players: list[Any], episode_callbacks: Any) -> EpisodeOutcome:
    """Play one episode with clemcore's sequential runner and score it with the game's scorer; run on a
    worker thread. A game that raises leaves error.json and a FAILED outcome; nothing is raised."""
    if complete(task.directory):
        return EpisodeOutcome(task, SKIPPED)  # type: ignore[arg-type]
    FAILURES.by_thread.pop(threading.get_ident(), None)
    replayed = "records incomplete" if task.directory.exists() else None
    if task.directory.exists():
        shutil.rmtree(task.directory)
    experiment = {**task.row["experiment"], "game_instances": [task.row["game_instance"]]}
    instances = GameInstanceIterator(task.benchmark.game_name, {"experiments": [experiment]}).reset()
    sequential.run(task.benchmark, instances, players, callbacks=episode_callbacks)
    if (task.directory / INTERACTIONS).is_file():  # written when the game ended
        task.benchmark.compute_scores(str(task.directory))  # the game's scorer writes scores.json
    outcome = outcome_of(task)
    outcome.replayed = replayed
    return outcome
