"""A FIFO in place of a file parlour reads is refused or skipped, never waited on: every reader opens
regular files only. Each command runs with a timeout, so that a hang fails the test instead of hanging it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from support.cli import parlour

from parlour.scoring.cache import CACHE_FILE
from parlour.scoring.raw_table import RAW_SOURCES

ORACLE = "programmatic-oracle-t0.0--programmatic-oracle-t0.0"
TIMEOUT_S = 60  # each command ends in seconds; a reader blocked on the FIFO would wait forever


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One evaluated taboo episode (raw.csv, its sidecar and a score cache); each test copies it."""
    results = tmp_path_factory.mktemp("played") / "results"
    run = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(results), "--limit", "1")
    assert run.returncode == 0, run.stderr
    assert parlour("eval", "-r", str(results), "--n-boot", "10").returncode == 0
    return results


@pytest.fixture
def results(played: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "results"
    shutil.copytree(played, copy)
    return copy


def _fifo(path: Path) -> Path:
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    return path


def _episode(results: Path) -> Path:
    return next(results.glob(f"{ORACLE}/taboo/*/episode_0"))


def _assert_ends_in_one_line(run, code: int, *named: str) -> None:
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    if code == 2:
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    for text in named:
        assert text in run.stderr, run.stderr


def _report(results: Path, out: Path, *extra: str):
    args = ("report", "-r", str(results), "-o", str(out), "--n-boot", "10", "--no-transcripts", "--compare", "none")
    return parlour(*args, *extra, timeout=TIMEOUT_S)


def test_eval_skips_a_fifo_as_score_cache(results: Path) -> None:
    """The score cache is a cache: a FIFO there is ignored like a broken cache file."""
    _fifo(_episode(results).parent / CACHE_FILE)
    run = parlour("eval", "-r", str(results), "--n-boot", "10", timeout=TIMEOUT_S)
    _assert_ends_in_one_line(run, 0)
    assert "1 pair(s)" in run.stdout


@pytest.mark.parametrize("command", ["eval", "report", "analyze"])
def test_a_fifo_as_run_json_is_skipped(results: Path, tmp_path: Path, command: str) -> None:
    """run.json is read as a broken one is: eval counts the episodes without a plan, the report and the
    analyses go without the run's record."""
    _fifo(results / ORACLE / "run.json")
    if command == "eval":
        run = parlour("eval", "-r", str(results), "--n-boot", "10", timeout=TIMEOUT_S)
    elif command == "report":
        run = _report(results, tmp_path / "site")
    else:
        run = parlour("analyze", "profile", "-r", str(results), timeout=TIMEOUT_S)
    _assert_ends_in_one_line(run, 0)


@pytest.mark.parametrize("command", ["report", "analyze"])
def test_a_fifo_as_raw_csv_sidecar_rebuilds_the_table(results: Path, tmp_path: Path, command: str) -> None:
    """raw.csv.json says whether raw.csv is current: a FIFO there says nothing, so the table is rebuilt."""
    _fifo(results / RAW_SOURCES)
    if command == "report":
        run = _report(results, tmp_path / "site")
    else:
        run = parlour("analyze", "profile", "-r", str(results), timeout=TIMEOUT_S)
    _assert_ends_in_one_line(run, 0)


def test_a_resumed_run_replays_an_episode_with_a_fifo_as_instance_json(results: Path) -> None:
    """Like a cut instance.json, a FIFO there is no record: the episode is replayed, with the reason."""
    instance = _fifo(_episode(results) / "instance.json")
    run = parlour(
        "run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(results), "--limit", "1", timeout=TIMEOUT_S
    )
    _assert_ends_in_one_line(run, 0, "replayed: taboo/", "JSON file is a FIFO, not a regular file")
    assert instance.is_file()


def test_run_refuses_a_fifo_as_instances_file(tmp_path: Path) -> None:
    instances = _fifo(tmp_path / "instances.json")
    args = ("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(tmp_path / "r"), "-i", str(instances))
    run = parlour(*args, timeout=TIMEOUT_S)
    _assert_ends_in_one_line(run, 2, f"{instances}: instances file is a FIFO, not a regular file")


def test_sweep_refuses_a_fifo_as_sweep_file(tmp_path: Path) -> None:
    sweep = _fifo(tmp_path / "sweep.yaml")
    run = parlour("sweep", str(sweep), "-r", str(tmp_path / "r"), "--no-progress", timeout=TIMEOUT_S)
    _assert_ends_in_one_line(run, 2, f"{sweep}: sweep file is a FIFO, not a regular file")


def test_score_replaces_a_fifo_as_scores_json(results: Path) -> None:
    """`parlour score` compares what it would write with the file there: a FIFO is not read, but replaced."""
    scores = _fifo(_episode(results) / "scores.json")
    run = parlour("score", "-r", str(results), timeout=TIMEOUT_S)
    _assert_ends_in_one_line(run, 0)
    assert scores.is_file() and "Main Score" in scores.read_text(encoding="utf-8")
