"""Bad input to a clembench 2.0 run is one line naming what to set or install (exit 2 from the command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clem_support import (
    GAMES,
    PolicyModel,
    clemcore_run,
    episode_files,
    in_tmp_path,  # noqa: F401 - autouse: each test in its own folder
    require_clem,
)

import parlour
from parlour.errors import ClembenchError, UnknownGameError, context_overflow
from parlour.runner.episodes import FAILED


def test_missing_games_folder_names_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_clem()
    monkeypatch.delenv("PARLOUR_CLEMBENCH_GAMES", raising=False)
    model = PolicyModel("policy-hello", lambda messages: "hello")
    with pytest.raises(ClembenchError, match="PARLOUR_CLEMBENCH_GAMES"):
        parlour.run("taboo", model, results=tmp_path, benchmark="clembench-2.0")
    with pytest.raises(ClembenchError, match="games folder not found"):
        parlour.run("taboo", model, results=tmp_path, benchmark="clembench-2.0", games_dir=tmp_path / "nowhere")


def test_unknown_game_lists_the_games(tmp_path: Path) -> None:
    require_clem()
    model = PolicyModel("policy-hello", lambda messages: "hello")
    with pytest.raises(ClembenchError, match="nosuchgame not in .*codenames"):
        parlour.run("nosuchgame", model, results=tmp_path, benchmark="clembench-2.0", games_dir=GAMES)


def test_programmatic_players_are_refused_before_any_folder_is_made(tmp_path: Path) -> None:
    require_clem()
    with pytest.raises(ClembenchError, match="programmatic players play clembench 1.6's games only"):
        parlour.run("taboo", "programmatic:oracle", results=tmp_path / "r", benchmark="clembench-2.0", games_dir=GAMES)
    assert not (tmp_path / "r").exists()


def test_command_exits_2_with_one_line(tmp_path: Path) -> None:
    require_clem()
    done = subprocess.run(
        [sys.executable, "-m", "parlour", "run", "--benchmark", "clembench-2.0", "--games-dir", str(tmp_path / "x"),
         "-g", "taboo", "-m", "programmatic:oracle", "-r", str(tmp_path / "r")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "games folder not found" in done.stderr + done.stdout


def test_importing_clemcore_keeps_parlours_notes_on_stderr() -> None:
    """clemcore configures logging at import (every logger made before it disabled, the root's records sent to
    ./clembench.log): parlour's `note:` lines must still reach stderr after a 2.0 run loaded it, and no
    empty ./clembench.log is left in the working folder."""
    require_clem()
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.WARNING, format='note: %(message)s', stream=sys.stderr)\n"
        "log = logging.getLogger('parlour')\n"
        "from parlour.clembench.games import require_clemcore\n"
        "require_clemcore()\n"
        "log.warning('still said')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "note: still said" in done.stderr
    assert not Path("clembench.log").exists()


def test_the_plan_of_a_2_0_run_lists_clemcores_episodes(tmp_path: Path) -> None:
    require_clem()
    tasks = parlour.api.plan("taboo", "p", results=tmp_path, limit=1, benchmark="clembench-2.0", games_dir=GAMES)
    assert tasks and all(type(task).__name__ == "ClemTask" for task in tasks)


def test_an_unknown_benchmark_is_refused_by_the_plan_as_by_the_run(tmp_path: Path) -> None:
    with pytest.raises(UnknownGameError, match="unknown benchmark 'clembench-9'"):
        parlour.api.plan("taboo", "p", results=tmp_path, benchmark="clembench-9")


class FullContextModel(PolicyModel):
    """A model whose context the first prompt already fills: every call raises parlour's context error."""

    async def generate(self, messages: list[dict]) -> Any:
        raise context_overflow(self.spec.name, 5000, 100, 4096)


def test_a_full_context_reaches_the_game_as_clemcores_error(tmp_path: Path) -> None:
    """codenames answers clemcore's ContextExceededError with the reply "CONTEXT EXCEEDED" (as with
    clemcore's own vLLM and transformers backends); parlour's engines raise their own, which the bridge
    hands on as clemcore's, so the game sees it as with clemcore's backends."""
    require_clem()
    model = FullContextModel("policy-full", lambda messages: "unused")
    summary = parlour.run(
        "codenames", model, results=tmp_path / "parlour", limit=1, experiments=["risk_low"],
        benchmark="clembench-2.0", games_dir=GAMES,
    )  # fmt: skip
    assert summary.count(FAILED) == 0
    (interactions,) = summary.folder.rglob("interactions.json")
    assert "CONTEXT EXCEEDED" in interactions.read_text(encoding="utf-8")
    reference = clemcore_run(["codenames"], model, tmp_path / "clemcore", 1, ["risk_low"])
    ours, theirs = episode_files(summary.folder), episode_files(reference)
    assert sorted(ours) == sorted(theirs) and [name for name in ours if ours[name] != theirs[name]] == []
