"""End to end through the real `parlour` command: known outcomes, failures, resume, bad input."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import REFERENCE
from support.cli import parlour, start_parlour, write_registry
from support.records import strip_volatile

from parlour.testing.latency_server import LatencyServer

OFFICIAL = str(REFERENCE)
PAIR_REMOTE = "remote-t0.0--remote-t0.0"


def episodes(results: Path, pair: str) -> list[Path]:
    return sorted((results / pair).glob("*/*/episode_*"))


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def remote_registry(tmp_path: Path, url: str, **extra) -> dict[str, str]:
    entry = {"name": "remote", "backend": "openai_compatible", "base_url": url, "max_retries": 0, **extra}
    entry.setdefault("options", {"retry_base_delay_s": 0.01})
    return write_registry(tmp_path / "models.yaml", entry)


@pytest.mark.parametrize(
    "instances", [(), pytest.param(("-i", OFFICIAL), marks=pytest.mark.reference)], ids=["shipped", "official"]
)
def test_oracle_wins_every_episode_and_eval_reports_100(tmp_path: Path, instances: tuple[str, ...]) -> None:
    results = tmp_path / "results"
    run = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(results), *instances)
    assert run.returncode == 0, run.stderr
    pair = "programmatic-oracle-t0.0--programmatic-oracle-t0.0"
    eps = episodes(results, pair)
    assert len(eps) == 60
    assert all(read(e / "scores.json")["episode scores"]["Main Score"] == 100 for e in eps)
    evaluation = parlour("eval", "-r", str(results), "--n-boot", "100")
    assert evaluation.returncode == 0, evaluation.stderr
    table = pd.read_csv(results / "results.csv", index_col=0)
    assert table.loc[pair, "-, clemscore"] == 100.0
    assert table.loc[pair, "taboo, % Played"] == 100.0
    assert (results / "raw.csv").is_file() and (results / "results_ci.csv").is_file()
    assert "100.00" in evaluation.stdout


def test_breaker_is_aborted(tmp_path: Path) -> None:
    results = tmp_path / "results"
    run = parlour("run", "-g", "taboo", "-m", "programmatic:breaker", "-r", str(results), "--limit", "2")
    assert run.returncode == 0, run.stderr
    eps = episodes(results, "programmatic-breaker-t0.0--programmatic-breaker-t0.0")
    assert len(eps) == 6
    for episode in eps:
        scores = read(episode / "scores.json")["episode scores"]
        assert scores["Aborted"] == 1 and scores["Success"] == 0
    assert parlour("eval", "-r", str(results), "--n-boot", "50").returncode == 0
    table = pd.read_csv(results / "results.csv", index_col=0)
    assert table.iloc[0]["taboo, % Played"] == 0.0


def test_failed_episodes_are_recorded_reported_and_redone(tmp_path: Path) -> None:
    server = LatencyServer(latency_s=0.0).start()
    server.fail_status = 500
    env = remote_registry(tmp_path, server.base_url)
    results = tmp_path / "results"
    args = ("run", "-g", "taboo", "-m", "remote", "-r", str(results), "--limit", "1", "-e", "high_en")
    try:
        failed = parlour(*args, env=env)
        assert failed.returncode == 1
        assert "1 episode(s) failed" in failed.stderr
        [episode] = episodes(results, PAIR_REMOTE)
        error = read(episode / "error.json")
        assert "HTTP 500" in error["message"] and not (episode / "interactions.json").exists()
        server.fail_status = 0
        retried = parlour(*args, env=env)
        assert retried.returncode == 0, retried.stderr
    finally:
        server.stop()
    assert (episode / "scores.json").is_file() and not (episode / "error.json").exists()


def test_concurrency_gives_identical_transcripts(tmp_path: Path) -> None:
    server = LatencyServer(latency_s=0.05).start()
    env = remote_registry(tmp_path, server.base_url)
    try:
        for n in (1, 8):
            results = tmp_path / f"c{n}"
            run = parlour(
                "run",
                "-g",
                "taboo",
                "-m",
                "remote",
                "-r",
                str(results),
                "--limit",
                "4",
                "--concurrency",
                str(n),
                env=env,
            )
            assert run.returncode == 0, run.stderr
            assert read(results / PAIR_REMOTE / "run.json")["runs"][-1]["concurrency"] == n
    finally:
        server.stop()
    for a, b in zip(episodes(tmp_path / "c1", PAIR_REMOTE), episodes(tmp_path / "c8", PAIR_REMOTE), strict=True):
        assert strip_volatile(read(a / "interactions.json")) == strip_volatile(read(b / "interactions.json"))
        assert strip_volatile(read(a / "requests.json")) == strip_volatile(read(b / "requests.json"))
    # episodes really overlapped, and never more than asked
    assert 2 <= server.max_in_flight <= 8


def _digest(episode: Path) -> str:
    return hashlib.sha256(
        b"".join((episode / n).read_bytes() for n in ("interactions.json", "scores.json"))
    ).hexdigest()


def test_resume_after_kill_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    server = LatencyServer(latency_s=0.05).start()
    env = remote_registry(tmp_path, server.base_url)
    results = tmp_path / "results"
    args = ["run", "-g", "taboo", "-m", "remote", "-r", str(results), "--concurrency", "2", "--no-progress"]
    try:
        process = start_parlour(*args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(list((results / PAIR_REMOTE).glob("*/*/episode_*/scores.json"))) < 6:
            assert time.monotonic() < deadline and process.poll() is None, "run ended before it could be killed"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        done_before = {e: _digest(e) for e in episodes(results, PAIR_REMOTE) if (e / "scores.json").is_file()}
        assert 6 <= len(done_before) < 60
        resumed = parlour(*args, env=env)
        assert resumed.returncode == 0, resumed.stderr
    finally:
        server.stop()
    assert f"({len(done_before)} already complete)" in resumed.stdout
    all_episodes = episodes(results, PAIR_REMOTE)
    assert len(all_episodes) == 60
    assert all((e / "scores.json").is_file() for e in all_episodes)
    assert all(_digest(e) == digest for e, digest in done_before.items())  # finished work untouched
    assert not list(results.rglob("*.partial")) and not list(results.rglob("error.json"))
    runs = read(results / PAIR_REMOTE / "run.json")["runs"]
    assert runs[-1]["skipped_complete"] == len(done_before)


def test_changed_spec_is_refused_for_the_same_results(tmp_path: Path) -> None:
    server = LatencyServer(latency_s=0.0).start()
    results = tmp_path / "results"
    base = ("run", "-g", "taboo", "-m", "remote", "-r", str(results), "--limit", "1", "-e", "low_en")
    try:
        assert parlour(*base, env=remote_registry(tmp_path, server.base_url)).returncode == 0
        changed = parlour(*base, env=remote_registry(tmp_path, server.base_url, sampling={"top_p": 0.5}))
    finally:
        server.stop()
    assert changed.returncode == 2
    assert "was run with spec" in changed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "-g", "chess", "-m", "smollm2-135m"), "unknown game 'chess'"),
        (("run", "-g", "taboo", "-m", "gpt-17"), "unknown model 'gpt-17'"),
        (("run", "-g", "taboo", "-m", "nogguf"), "weights file /no/such/model.gguf does not exist"),
        (("run", "-g", "taboo", "-m", "smollm2-135m", "-i", "BROKEN"), "not valid JSON"),
        (("score", "-r", "/no/such/results"), "results folder does not exist"),
        (("eval", "-r", "/no/such/results"), "results folder does not exist"),
    ],
)
def test_bad_input_gives_one_line_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    env = write_registry(
        tmp_path / "models.yaml", {"name": "nogguf", "backend": "llamacpp", "weights": "/no/such/model.gguf"}
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"experiments": [')
    args = tuple(str(broken) if a == "BROKEN" else a for a in args)
    result = parlour(*args, "-r", str(tmp_path / "r"), env=env) if args[0] == "run" else parlour(*args, env=env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
