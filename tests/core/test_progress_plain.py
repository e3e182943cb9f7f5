"""Progress where stderr is not a terminal (a log, CI): plain lines, at most one every few seconds; and a
Ctrl-C that ends a run of the default model at once, saying what it drops."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console
from support.cli import parlour

from parlour.cli.progress import PLAIN_EVERY_S, EpisodeProgress
from parlour.runner.episodes import PLAYED, EpisodeOutcome

PAIR = "m-t0.0--m-t0.0"


class _Task:
    def __init__(self, n: int) -> None:
        self.directory = Path("r") / PAIR / "taboo" / "0_high_en" / f"episode_{n}"
        self.label = f"taboo/0_high_en/episode_{n}"


def _lines(step_s: float, episodes: int) -> list[str]:
    out = io.StringIO()
    now = [0.0]
    bar = EpisodeProgress(Console(file=out, force_terminal=False, width=80), clock=lambda: now[0])
    with bar:
        bar.start(PAIR, episodes)
        for n in range(episodes):
            now[0] += step_s
            bar.episode_done(EpisodeOutcome(_Task(n), PLAYED))  # type: ignore[arg-type]
    return out.getvalue().splitlines()


def test_plain_lines_are_throttled_and_the_last_one_is_shown() -> None:
    fast = _lines(0.01, 100)
    assert fast == [f"progress: {PAIR} 100/100 episodes (aborted 0, errors 0), 1 s"]
    slow = _lines(1.0, 20)  # one episode a second: a line every PLAIN_EVERY_S
    assert len(slow) == 20 // int(PLAIN_EVERY_S)
    assert slow[-1].startswith(f"progress: {PAIR} 20/20 episodes")


def test_a_run_into_a_log_prints_plain_progress(tmp_path: Path) -> None:
    res = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "--limit", "2", "-r", str(tmp_path / "r"))
    assert res.returncode == 0, res.stderr
    assert "progress: programmatic-oracle-t0.0--programmatic-oracle-t0.0 6/6 episodes" in res.stderr
    assert "━" not in res.stderr and "\x1b[" not in res.stderr


@pytest.mark.slow
def test_ctrl_c_ends_a_run_of_the_default_model_at_once(tmp_path: Path) -> None:
    results = tmp_path / "r"
    process = subprocess.Popen(
        [sys.executable, "-m", "parlour", "run", "-g", "all", "-m", "smollm2-135m", "-r", str(results)]
        + ["--concurrency", "8"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(results.glob("*/*/*/episode_*/instance.json")):  # episodes are in flight
        assert time.monotonic() < deadline and process.poll() is None, "the run did not start"
        time.sleep(0.1)
    time.sleep(2.0)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    took = time.monotonic() - sent
    assert process.returncode == 130, stderr
    assert "episode(s) in flight" in stderr and "Traceback" not in stderr
    # the generations in flight are stopped, not awaited (they took 9 to 50 s on a loaded 2-core machine)
    assert took < 8.0, f"{took:.1f} s"
