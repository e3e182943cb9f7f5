"""Bounded memory whatever the input: a run's summary keeps counts and the first failures (each episode's
detail stays on disk), and a reply over `max_reply_bytes` (after decompression) fails its episode with a
clear error instead of filling memory and disk."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from support.cli import parlour, write_registry

import parlour as api_module
from parlour import api
from parlour.games.instances import load_instances
from parlour.games.registry import get_game
from parlour.models.programmatic import ScriptedModel
from parlour.models.spec import DEFAULT_MAX_REPLY_BYTES, ModelSpec
from parlour.runner import episodes as runner
from parlour.testing.fault_server import FaultServer

PAIR = "remote-t0.0--remote-t0.0"


def replicated_instances(path: Path, game: str, episodes: int) -> Path:
    """`game`'s first default instance `episodes` times, in one experiment."""
    data = load_instances(get_game(game).default_instances)
    experiment = dict(data["experiments"][0])
    first = experiment["game_instances"][0]
    experiment["game_instances"] = [{**first, "game_id": i} for i in range(episodes)]
    path.write_text(json.dumps({"experiments": [experiment]}), encoding="utf-8")
    return path


def test_a_summary_counts_episodes_and_its_repr_does_not_grow_with_them(tmp_path: Path) -> None:
    instances = replicated_instances(tmp_path / "instances.json", "wordle", 60)
    results = tmp_path / "results"
    summary = api_module.run("wordle", "programmatic:oracle", instances=instances, results=results)
    assert summary.total == 60 and summary.count(runner.PLAYED) + summary.count(runner.ABORTED) == 60
    # asyncio.run formats the repr of what it returns: it must not hold every episode's instance
    assert len(repr(summary)) < 200 and "60 episodes" in repr(summary)
    episodes = list(summary.episodes())
    assert len(episodes) == 60 and all((e / "scores.json").is_file() for e in episodes)
    resumed = api_module.run("wordle", "programmatic:oracle", instances=instances, results=results)
    assert resumed.count(runner.SKIPPED) == 60 and list(resumed.episodes()) == episodes


def test_a_summary_keeps_only_the_first_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "MAX_FAILURES_KEPT", 3)
    instances = replicated_instances(tmp_path / "instances.json", "wordle", 10)
    tasks = api.plan("wordle", "p", results=tmp_path / "results", instances=instances)

    async def broken(task: object) -> runner.PlayedEpisode:
        return runner.PlayedEpisode(error={"error": "RuntimeError", "message": "engine gone"})

    summary = asyncio.run(runner.run_episodes(tasks, broken, "p", concurrency=4))
    assert summary.count(runner.FAILED) == 10 and len(summary.failures) == 3
    assert len(list((tmp_path / "results").rglob("error.json"))) == 10  # every failure is still on disk


@pytest.mark.parametrize("fault", ["huge", "gzip_bomb"])
def test_an_oversized_reply_fails_its_episode_with_a_clear_error(tmp_path: Path, fault: str) -> None:
    server = FaultServer({fault: 1.0}).start()
    entry = {"name": "remote", "backend": "openai_compatible", "base_url": server.base_url, "max_retries": 0}
    results = tmp_path / "results"
    try:
        done = parlour(
            "run", "-g", "taboo", "-m", "remote", "--limit", "1", "--no-progress", "-r", str(results),
            env=write_registry(tmp_path / "models.yaml", entry),
        )  # fmt: skip
    finally:
        server.stop()
    assert done.returncode == 1, done.stderr
    errors = [json.loads(p.read_text()) for p in results.rglob("error.json")]
    assert len(errors) == 3  # one per taboo experiment
    assert all(f"exceeds max_reply_bytes ({DEFAULT_MAX_REPLY_BYTES} bytes" in e["message"] for e in errors)
    assert "max_reply_bytes" in done.stderr
    assert sum(p.stat().st_size for p in results.rglob("*") if p.is_file()) < 1_000_000
    recorded = json.loads((results / PAIR / "run.json").read_text())["models"][0]
    assert recorded["max_reply_bytes"] == DEFAULT_MAX_REPLY_BYTES


def test_a_long_local_reply_fails_its_episode_and_the_cap_is_not_hashed(tmp_path: Path) -> None:
    spec = ModelSpec(name="scripted", backend="scripted", max_reply_bytes=64)
    assert spec.spec_hash() == ModelSpec(name="scripted", backend="scripted").spec_hash()
    model = ScriptedModel(spec, replies=["CLUE: " + "long " * 20] * 10)
    summary = api_module.run("taboo", model, results=tmp_path / "results", limit=1, experiments=["high_en"])
    assert summary.count(runner.FAILED) == 1
    assert "reply exceeds max_reply_bytes (64 bytes" in summary.failures[0].error
