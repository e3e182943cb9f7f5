"""What the clembench 2.0 tests share: the game folders, skips, policy models, clemcore's own runner and
the comparison of two results folders (timestamps aside)."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import REFERENCE, REQUIRE_REFERENCE

from parlour.chat import Generation, Model
from parlour.models.spec import ModelSpec

os.environ.setdefault("TQDM_DISABLE", "1")  # clemcore's per-episode progress bars, as parlour's bridge does
GAMES = REFERENCE.parent / "clembench-2.0" / "games"
GAME_NAMES = [
    "adventuregame", "codenames", "guesswhat", "imagegame", "matchit_ascii", "privateshared", "referencegame",
    "taboo", "textmapworld", "textmapworld_graphreasoning", "textmapworld_specificroom", "wordle",
    "wordle_withclue", "wordle_withcritic",
]  # fmt: skip


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test in its own folder: clemcore logs to ./clembench.log (opened when it is first imported) and
    matchit_ascii appends to ./first_words.txt. Autouse in every module that imports it."""
    monkeypatch.chdir(tmp_path)


def require_clem() -> None:
    """Skip (with the reason) without the clem extra or the 2.0 game folders; CI fails instead."""
    from parlour.clembench.games import require_clemcore
    from parlour.errors import ClembenchError

    try:
        require_clemcore()  # imports clemcore as parlour does, keeping the logging set-up of this process
    except ClembenchError:
        if REQUIRE_REFERENCE:
            pytest.fail("clemcore is not installed: CI installs the `clem` extra (pylock.test.toml)")
        pytest.skip("clembench 2.0 not checked: the `clem` extra (clemcore) is not installed")
    if not GAMES.is_dir():
        if REQUIRE_REFERENCE:
            pytest.fail(f"PARLOUR_REQUIRE_REFERENCE is set but the clembench 2.0 game folders are not at {GAMES}")
        pytest.skip(f"clembench 2.0 not checked: its game folders are not at {GAMES}")


Policy = Callable[[list[dict[str, Any]]], str]


class PolicyModel(Model):
    """A parlour model whose reply is a pure function of the messages: the same in any order of calls."""

    def __init__(self, name: str, policy: Policy) -> None:
        super().__init__(ModelSpec(name=name, backend="scripted", options={"replies_file": "-"}))
        self.policy = policy

    async def generate(self, messages: list[dict[str, Any]]) -> Generation:
        text = self.policy(messages)
        return Generation(prompt={"messages": [dict(m) for m in messages]}, response={"text": text}, text=text)


@contextmanager
def loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running on its own thread (the parlour model's, while clemcore's runner calls it)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def clemcore_run(
    games: list[str],
    model: Model,
    results: Path,
    limit: int,
    experiments: list[str] | None = None,
    games_dir: Path = GAMES,
) -> Path:
    """`clem run` then `clem score`, as clemcore's CLI does them (its callbacks, its instance iterator with a
    sub-selection, its dispatch to the sequential runner, one request at a time), with the parlour model as
    the players' backend, in parlour's pair folder."""
    from clemcore.backends import Model as ClemcoreModel
    from clemcore.clemgame import (
        ExperimentFileSaver,
        GameBenchmark,
        GameBenchmarkCallbackList,
        GameInstanceIterator,
        InstanceFileSaver,
        InteractionsFileSaver,
        RunFileSaver,
    )  # fmt: skip
    from clemcore.clemgame.runners import dispatch

    from parlour import store
    from parlour.clembench.episode import results_folder
    from parlour.clembench.games import game_specs
    from parlour.clembench.model import ParlourBackend

    pair = store.pair_name([model.spec.player_folder_name()])
    specs = game_specs(games_dir)
    with loop_thread() as loop:
        asyncio.run_coroutine_threadsafe(model.start(), loop).result()
        players = [ParlourBackend(model, loop)]
        infos = ClemcoreModel.to_infos(players)
        folder = results_folder(results, pair)
        callbacks = GameBenchmarkCallbackList([
            InstanceFileSaver(folder), ExperimentFileSaver(folder, player_model_infos=infos),
            InteractionsFileSaver(folder, player_model_infos=infos), RunFileSaver(folder, player_model_infos=infos),
        ])  # fmt: skip
        for name in games:
            first = {
                experiment["name"]: [row["game_id"] for row in experiment["game_instances"][:limit]]
                for experiment in instances(name, games_dir)["experiments"]
                if not experiments or experiment["name"] in experiments
            }

            def sub_selector(game: str, experiment: str, first: dict[str, list[int]] = first) -> list[int]:
                return first.get(experiment, [])

            with GameBenchmark.load_from_spec(specs[name]) as benchmark:
                iterator = GameInstanceIterator.from_game_spec(specs[name], sub_selector=sub_selector).reset()
                dispatch.run(benchmark, iterator, players, callbacks=callbacks, batch_size=1)
                benchmark.compute_scores(str(results / pair / name))
        asyncio.run_coroutine_threadsafe(model.aclose(), loop).result()
    return results / pair


def _without_timestamps(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_timestamps(v) for k, v in data.items() if k not in ("timestamp", "created")}
    if isinstance(data, list):
        return [_without_timestamps(v) for v in data]
    return data


def episode_files(pair_dir: Path) -> dict[str, Any]:
    """Every episode record under a pair folder, by relative path, timestamps aside (run.json aside: each
    runner has its own)."""
    files = {}
    for path in sorted(pair_dir.rglob("*.json")):
        relative = str(path.relative_to(pair_dir))
        if relative == "run.json":
            continue
        files[relative] = _without_timestamps(json.loads(path.read_text(encoding="utf-8")))
    return files


def outcomes(pair_dir: Path) -> dict[str, int]:
    """How the episodes ended (the scorer's Success / Lose / Aborted, or an error), counted."""
    counts: dict[str, int] = {}
    for episode in pair_dir.rglob("instance_*"):
        scores = episode / "scores.json"
        if scores.is_file():
            flags = json.loads(scores.read_text())["episode scores"]
            # == 1: games score the flags they do not set as NaN (referencegame's aborts), and NaN is truthy
            key = next((k for k in ("Success", "Lose", "Aborted") if flags.get(k) == 1), "no outcome")
        else:
            key = "error"
        counts[key] = counts.get(key, 0) + 1
    return counts


def instances(game: str, games_dir: Path = GAMES) -> dict[str, Any]:
    """The game's instance file (the one clemcore plays), read as it is on disk."""
    from parlour.clembench.games import game_specs, instances_file

    return json.loads(instances_file(game_specs(games_dir)[game]).read_text(encoding="utf-8"))


def first_experiments(games: list[str]) -> list[str]:
    """The first experiment of each game (for short runs of a real model)."""
    return [instances(game)["experiments"][0]["name"] for game in games]
