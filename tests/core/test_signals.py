"""Signals: SIGTERM cleans up like Ctrl-C (no temp file left, and a later eval removes those a kill left),
a Ctrl-C in a command's first second or a second Ctrl-C while a run ends prints one line, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli import parlour, write_registry

from parlour.testing.latency_server import LatencyServer

# The real `parlour eval`, with SIGTERM sent to itself while raw.csv's temp file is being written.
TERM_DURING_WRITE = """
import os, signal, sys
from contextlib import contextmanager
from parlour import store
real = store.atomic_writer

@contextmanager
def killed_while_writing(path, root):
    with real(path, root) as handle:
        handle.write(b"half a table")
        if path.name == "raw.csv":
            os.kill(os.getpid(), signal.SIGTERM)
        yield handle

store.atomic_writer = killed_while_writing
from parlour.cli import main
sys.argv = ["parlour", "eval", "-r", sys.argv[1], "--n-boot", "10"]
main()
"""


def _played(tmp_path: Path) -> Path:
    results = tmp_path / "r"
    res = parlour("run", "-g", "taboo", "-m", "programmatic:breaker", "--limit", "1", "-r", str(results))
    assert res.returncode == 0, res.stderr
    return results


def _parlour_traceback(stderr: str) -> bool:
    """A traceback through any code but the interpreter's own start (frozen modules: out of parlour's reach)."""
    frames = [line for line in stderr.splitlines() if line.strip().startswith('File "')]
    return "Traceback" in stderr and any("<frozen" not in line for line in frames)


def test_sigterm_during_eval_leaves_no_temp_file(tmp_path: Path) -> None:
    results = _played(tmp_path)
    res = subprocess.run([sys.executable, "-c", TERM_DURING_WRITE, str(results)], capture_output=True, text=True)
    assert res.returncode == 143, res.stderr
    assert "Traceback" not in res.stderr and "interrupted" in res.stderr
    assert not list(results.glob(".*.partial")) and not (results / "raw.csv").exists()


def test_a_later_eval_removes_the_temp_files_of_a_killed_one(tmp_path: Path) -> None:
    results = _played(tmp_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = results / f".raw.csv.{gone.stdout.strip()}-0123456789ab.partial"  # its writer is no more
    live = results / f".results.csv.{os.getpid()}-0123456789ab.partial"  # this test's: a live writer
    stale.write_text("half")
    live.write_text("half")
    assert parlour("eval", "-r", str(results), "--n-boot", "10").returncode == 0
    assert not stale.exists() and live.exists()


@pytest.mark.parametrize("command", ["eval", "report"])
def test_ctrl_c_in_the_first_second_is_one_line(command: str, tmp_path: Path) -> None:
    results = _played(tmp_path)
    argv = [sys.executable, "-m", "parlour", command, "-r", str(results)]
    argv += ["-o", str(tmp_path / "rep")] if command == "report" else []
    whole = subprocess.run(argv, capture_output=True, text=True)  # what the command prints when left alone
    assert whole.returncode == 0, whole.stderr
    for delay in (0.15, 0.3, 0.5, 0.8):
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        if process.returncode == 0:
            continue  # done before the signal
        if process.returncode == -signal.SIGINT and (stdout, stderr) == (whole.stdout, whole.stderr):
            # done, then the signal came while the interpreter ended (its handlers already back at the
            # default): the process ends silently by the signal, with its whole output and files written
            continue
        assert not _parlour_traceback(stderr), f"after {delay} s:\n{stderr}"
        # 130, or ended by the signal itself (as Python does when an import was cut short): a shell reads 130
        assert process.returncode in (130, -signal.SIGINT), stderr
        assert stderr.strip().endswith("rerun the same command to resume") or "frozen" in stderr, stderr


def test_a_second_ctrl_c_while_a_run_ends_is_no_traceback(tmp_path: Path) -> None:
    server = LatencyServer(latency_s=0.0, hold_after=6).start()
    entry = {"name": "remote", "backend": "openai_compatible", "base_url": server.base_url, "max_retries": 0}
    env = {**os.environ, **write_registry(tmp_path / "models.yaml", entry)}
    results = tmp_path / "results"
    args = ["run", "-g", "taboo", "-m", "remote", "-r", str(results), "--no-progress", "--concurrency", "1"]
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "parlour", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 120
        while server.requests <= 6:
            assert time.monotonic() < deadline and process.poll() is None, "run ended too early"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        server.stop()
    assert process.returncode in (130, -signal.SIGINT), stderr  # a shell reads both as 130
    assert "Traceback" not in stderr and "rerun the same command to resume" in stderr
    assert len(list(results.glob("*/*/*/episode_*/scores.json"))) == 1


def test_an_import_that_a_ctrl_c_cut_short_counts_as_the_interrupt() -> None:
    """numpy reports an import cut short by Ctrl-C as an ImportError (the KeyboardInterrupt as its cause):
    the command takes it for the interrupt it is, not for a missing package."""
    from parlour.cli.signals import cut_short

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise ImportError("numpy._core.multiarray failed to import") from interrupt
    except ImportError as exc:
        assert cut_short(exc)
    assert not cut_short(ImportError("No module named 'uvicorn'"))
