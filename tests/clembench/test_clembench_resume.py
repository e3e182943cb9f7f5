"""A clembench 2.0 run resumes: complete episodes are kept, cut or missing records are played again, a
kill -9 mid-run loses no finished episode, and an episode whose game raises is recorded and the run goes on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from clem_support import (
    GAMES,
    PolicyModel,
    episode_files,
    in_tmp_path,  # noqa: F401 - autouse: each test in its own folder
    require_clem,
)
from test_clembench_scripted import prompt_lines

import parlour
from parlour.runner.episodes import FAILED, SKIPPED, RunSummary

GAMES_RUN = ["taboo", "referencegame"]


def run(results: Path, policy: Any = prompt_lines, concurrency: int = 4) -> RunSummary:
    return parlour.run(
        GAMES_RUN, PolicyModel("policy-lines", policy), results=results, limit=2, concurrency=concurrency,
        benchmark="clembench-2.0", games_dir=GAMES,
    )  # fmt: skip


def test_rerun_keeps_complete_episodes_and_replays_cut_ones(tmp_path: Path) -> None:
    require_clem()
    first = run(tmp_path / "r")
    before = episode_files(first.folder)
    episodes = sorted(first.folder.rglob("instance_0*"))
    (episodes[0] / "scores.json").unlink()
    (episodes[1] / "interactions.json").write_text('{"turns": [')  # cut by a crash
    again = run(tmp_path / "r")
    assert again.count(SKIPPED) == first.total - 2
    assert episode_files(again.folder) == before


def test_kill_9_mid_run_loses_no_finished_episode(tmp_path: Path) -> None:
    require_clem()
    script = textwrap.dedent(f"""
        import sys, time
        sys.path[:0] = {[str(Path(__file__).parent), *sys.path]!r}
        from clem_support import PolicyModel
        from test_clembench_scripted import prompt_lines
        import parlour
        def slow(messages):
            time.sleep(0.3)
            return prompt_lines(messages)
        parlour.run({GAMES_RUN!r}, PolicyModel("policy-lines", slow), results={str(tmp_path / "r")!r}, limit=2,
                    concurrency=2, benchmark="clembench-2.0", games_dir={str(GAMES)!r})
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=dict(os.environ))
    deadline = time.monotonic() + 300
    finished: list[Path] = []
    while time.monotonic() < deadline and len(finished) < 3:
        time.sleep(0.2)
        finished = [p.parent for p in tmp_path.glob("r/*/*/*/instance_*/scores.json")]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert len(finished) >= 3
    kept = {p: (p / "interactions.json").read_text() for p in finished}

    resumed = run(tmp_path / "r")
    assert resumed.count(SKIPPED) >= len(kept)
    assert {p: (p / "interactions.json").read_text() for p in kept} == kept
    assert episode_files(resumed.folder) == episode_files(run(tmp_path / "fresh").folder)


def test_a_game_that_raises_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    require_clem()

    def breaks_on_taboo(messages):
        if "target word" in str(messages[0]["content"]):  # taboo's prompts, not referencegame's
            raise RuntimeError("engine fault")
        return prompt_lines(messages)

    summary = run(tmp_path / "r", breaks_on_taboo)
    taboo = sorted(summary.folder.glob("taboo/*/instance_*"))
    assert summary.count(FAILED) == len(taboo) > 0
    for episode in taboo:
        error = json.loads((episode / "error.json").read_text())
        assert error["error"] == "RuntimeError" and "engine fault" in error["message"]
    assert all((p / "scores.json").is_file() for p in summary.folder.glob("referencegame/*/instance_*"))
