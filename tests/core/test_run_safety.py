"""Runs that cannot write outside their folder, mix specs or instances, trust corrupt files, or collide;
and the Python API under the CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from support.cli import parlour, start_parlour, write_registry
from support.processes import describe_stuck, signal_state

import parlour as api
from parlour import store
from parlour.errors import ResultsError
from parlour.games.registry import get_game
from parlour.testing.latency_server import LatencyServer

ORACLE = "programmatic-oracle-t0.0--programmatic-oracle-t0.0"
REMOTE = "remote-t0.0--remote-t0.0"


def _remote(tmp_path: Path, url: str) -> dict[str, str]:
    entry = {"name": "remote", "backend": "openai_compatible", "base_url": url, "max_retries": 0}
    return write_registry(tmp_path / "models.yaml", entry)


def _taboo_instances(tmp_path: Path, experiment: str = "low_en") -> Path:
    """A one-experiment copy of parlour's own taboo instances (2 instances)."""
    data = json.loads(Path(get_game("taboo").default_instances).read_text(encoding="utf-8"))
    first = data["experiments"][0]
    data["experiments"] = [{**first, "name": experiment, "game_instances": first["game_instances"][:2]}]
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return start_parlour(*args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until(condition: Callable[[], bool], process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert time.monotonic() < deadline and process.poll() is None, "run ended too early"
        time.sleep(0.05)


def _wait_for_scores(results: Path, pair: str, count: int, process: subprocess.Popen) -> None:
    _wait_until(lambda: len(list((results / pair).glob("*/*/episode_*/scores.json"))) >= count, process)


# --- results stay inside their folder -------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../../x", "org/model", "a--b", ".hidden"])
def test_model_names_that_are_no_folder_names_are_refused(tmp_path: Path, name: str) -> None:
    env = write_registry(tmp_path / "models.yaml", {"name": name, "backend": "programmatic"})
    result = parlour("run", "-g", "taboo", "-m", name, "-r", str(tmp_path / "r" / "results"), env=env)
    assert result.returncode == 2
    assert "folder name" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists() and not (tmp_path / "x").exists()


def test_no_results_path_leaves_the_results_folder(tmp_path: Path) -> None:
    results = tmp_path / "results"
    assert store.inside(results, "a", "b") == results / "a" / "b"
    for bad in ("..", "../x", "x/../../y", "", "/etc"):
        with pytest.raises(ResultsError):
            store.inside(results, "pair", bad)
    results.mkdir()
    (results / "link").symlink_to(tmp_path.parent)
    with pytest.raises(ResultsError, match="outside"):
        store.inside(results, "link", "x")


def test_results_that_is_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    target = tmp_path / "results"
    target.write_text("not a folder")
    result = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(target), "--limit", "1")
    assert result.returncode == 2
    assert "is a file, not a results folder" in result.stderr and "Traceback" not in result.stderr
    assert target.read_text() == "not a folder"


# --- resume cannot mix specs, instances or corrupt files ----------------------------------------------


def test_an_interrupted_run_pins_its_spec(tmp_path: Path) -> None:
    """run.json is written before the first episode, so a killed run still refuses another spec."""
    server = LatencyServer(latency_s=0.1).start()
    env = _remote(tmp_path, server.base_url)
    results = tmp_path / "results"
    args = ["run", "-g", "taboo", "-m", "remote", "-r", str(results), "--concurrency", "2", "--no-progress"]
    try:
        process = _start(args, env)
        _wait_for_scores(results, REMOTE, 2, process)
        process.send_signal(signal.SIGKILL)
        process.wait()
        recorded = json.loads((results / REMOTE / "run.json").read_text())
        assert recorded["runs"][-1]["status"] == "unfinished"
        assert recorded["models"][0]["name"] == "remote"
        changed = parlour(*args, "-l", "50", env=env)
    finally:
        server.stop()
    assert changed.returncode == 2
    assert "was run with spec" in changed.stderr


def test_complete_episodes_of_other_instances_are_refused(tmp_path: Path) -> None:
    instances = _taboo_instances(tmp_path)
    results = tmp_path / "results"
    args = ("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(results), "-i", str(instances))
    assert parlour(*args).returncode == 0
    data = json.loads(instances.read_text())
    data["experiments"][0]["game_instances"][0]["target_word"] = "zebra"
    instances.write_text(json.dumps(data))
    again = parlour(*args)
    assert again.returncode == 2
    assert "different instance" in again.stderr


def test_corrupt_records_are_replayed_not_trusted(tmp_path: Path) -> None:
    results = tmp_path / "results"
    args = ("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(results), "--limit", "1")
    assert parlour(*args).returncode == 0
    first, second = sorted((results / ORACLE).glob("*/*/episode_*"))[:2]
    (first / "interactions.json").write_text('{"turns": [')  # scores.json is still there
    (second / "interactions.json").write_bytes(b"\xff\xfe garbage")
    (second / "scores.json").unlink()
    again = parlour(*args)
    assert again.returncode == 0, again.stderr
    assert "2 played" in again.stdout
    for episode in (first, second):
        assert json.loads((episode / "interactions.json").read_text())["turns"]
        assert (episode / "scores.json").is_file()


def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    results = tmp_path / "results"
    with store.pair_lock(results / ORACLE, results):
        blocked = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(results), "--limit", "1")
    assert blocked.returncode == 2
    assert "another parlour run" in blocked.stderr
    assert not list((results / ORACLE).glob("*/*/episode_*"))
    after = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(results), "--limit", "1")
    assert after.returncode == 0, after.stderr  # the lock went with its holder


def test_ctrl_c_keeps_finished_episodes_and_says_so(tmp_path: Path) -> None:
    # one episode at a time: taboo against this server takes 6 requests (3 turns, no win), so after 6 the
    # first episode is written; the 7th request is held, so the signal lands while the run is mid-episode
    server = LatencyServer(latency_s=0.0, hold_after=6).start()
    env = _remote(tmp_path, server.base_url)
    results = tmp_path / "results"
    args = ["run", "-g", "taboo", "-m", "remote", "-r", str(results), "--no-progress", "--concurrency", "1"]
    try:
        process = _start(args, env)
        _wait_for_scores(results, REMOTE, 1, process)
        _wait_until(lambda: server.requests > 6, process)
        print(f"before SIGINT: child {signal_state(process.pid)}; test process {signal_state()}")  # if it fails
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the run did not end within 60 s of SIGINT\n{describe_stuck(process.pid)}")
    finally:
        server.stop()
    assert process.returncode == 130, stderr
    assert "finished episodes are kept" in stderr and "Traceback" not in stderr
    assert len(list((results / REMOTE).glob("*/*/episode_*/scores.json"))) == 1


# --- the layout other clembench versions read, and the Python API ---------------------------------


def test_every_experiment_folder_has_both_experiment_files(tmp_path: Path) -> None:
    """v1.6 reads experiment_<name>.json, clemcore 2.x/3.x (`clem score/eval/transcribe`) experiment.json."""
    summary = api.run("taboo", "programmatic:oracle", results=tmp_path, limit=1)
    exp_dirs = {directory.parent for directory in summary.episodes()}
    assert len(exp_dirs) == 3
    for exp_dir in exp_dirs:
        name = exp_dir.name.split("_", 1)[1]
        v16 = json.loads((exp_dir / f"experiment_{name}.json").read_text())
        clemcore = json.loads((exp_dir / "experiment.json").read_text())
        assert v16 == clemcore and clemcore["name"] == name and "game_instances" not in clemcore
        for episode in exp_dir.glob("episode_*"):
            assert {"instance.json", "interactions.json", "requests.json", "scores.json"} <= {
                p.name for p in episode.iterdir()
            }


def test_python_api_runs_resumes_and_evaluates(tmp_path: Path) -> None:
    done = []
    summary = api.run(["taboo", "wordle"], ["programmatic:oracle"], results=tmp_path, limit=1, on_episode=done.append)
    assert summary.total == len(done) == 5 and not summary.failures  # taboo 3 experiments, wordle 2
    assert summary.count("played") == 5 and summary.folder == tmp_path / ORACLE
    run_json = json.loads((tmp_path / ORACLE / "run.json").read_text())
    assert run_json["runs"][-1]["status"] == "finished" and run_json["runs"][-1]["played"] == 5
    again = api.run(["taboo", "wordle"], "programmatic:oracle", results=tmp_path, limit=1)
    assert again.count("skipped") == 5
    table = api.evaluate(tmp_path, n_boot=20)
    assert isinstance(table, pd.DataFrame)
    assert table.loc[ORACLE, "-, clemscore"] == 100.0


def test_an_endpoint_limit_below_the_requested_concurrency_is_said_and_recorded(tmp_path: Path) -> None:
    server = LatencyServer(latency_s=0.0).start()
    entry = {"name": "remote", "backend": "openai_compatible", "base_url": server.base_url, "concurrency": 2,
             "concurrency_max": 2}  # fmt: skip
    env = write_registry(tmp_path / "models.yaml", entry)
    results = tmp_path / "results"
    try:
        run = parlour("run", "-g", "taboo", "-m", "remote", "-r", str(results), "--limit", "1", "--concurrency", "8",
                      env=env)  # fmt: skip
    finally:
        server.stop()
    assert run.returncode == 0, run.stderr
    assert "never exceeds 2" in run.stderr
    recorded = json.loads((results / REMOTE / "run.json").read_text())["models"][0]["endpoint"]
    assert recorded["limit_highest"] == 2 and recorded["requests"] > 0


def test_score_and_eval_take_several_results_folders(tmp_path: Path) -> None:
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        api.run("taboo", "programmatic:oracle", results=folder, limit=1)
    scored = parlour("score", "-r", str(folders[0]), "-r", str(folders[1]))
    assert scored.returncode == 0, scored.stderr
    assert scored.stdout.count("scored 3 episode(s)") == 2
    evaluated = parlour("eval", "-r", str(folders[0]), "-r", str(folders[1]), "--n-boot", "10")
    assert evaluated.returncode == 0, evaluated.stderr
    assert all((folder / "results.csv").is_file() for folder in folders)
