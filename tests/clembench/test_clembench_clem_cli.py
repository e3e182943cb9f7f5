"""clemcore's own command reads a parlour run: `clem score` rewrites the scores parlour wrote, `clem eval`
builds its results table and `clem transcribe` its transcripts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from clem_support import (
    GAMES,
    PolicyModel,
    episode_files,
    in_tmp_path,  # noqa: F401 - autouse: each test in its own folder
    require_clem,
)
from test_clembench_scripted import prompt_lines

import parlour
from parlour.clembench import nltk_data

PLAYED = ["taboo", "referencegame", "matchit_ascii"]


def clem(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """clemcore's command, finding the games as its users do (CLEMBENCH_HOME) and taboo's NLTK data in the
    folder the docs tell them to build."""
    command = Path(sys.executable).with_name("clem")
    env = {**os.environ, "CLEMBENCH_HOME": str(GAMES), "NLTK_DATA": str(nltk_data.build(cwd / "nltk_data"))}
    return subprocess.run([str(command), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_clem_score_eval_and_transcribe_read_a_parlour_run(tmp_path: Path) -> None:
    require_clem()
    results = tmp_path / "results"
    summary = parlour.run(
        PLAYED, PolicyModel("policy-lines", prompt_lines), results=results, limit=1,
        benchmark="clembench-2.0", games_dir=GAMES,
    )  # fmt: skip
    scores = {path: path.read_text() for path in summary.folder.rglob("scores.json")}
    assert len(scores) == summary.total > 0
    for path in scores:
        path.unlink()

    for game in PLAYED:
        assert clem("score", "-g", game, "-r", str(results), cwd=tmp_path).returncode == 0
    assert {path: path.read_text() for path in summary.folder.rglob("scores.json")} == scores

    shutil.copytree(results, tmp_path / "before")
    evaluated = clem("eval", "-r", str(results), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    table = (results / "results.csv").read_text()
    assert summary.folder.name.split("--")[0] in table and all(game in table for game in PLAYED)

    assert clem("transcribe", "-g", "all", "-r", str(results), cwd=tmp_path).returncode == 0
    transcripts = list(summary.folder.rglob("transcript.html"))
    assert len(transcripts) == summary.total
    # clemcore's tools add files; they change none of the records
    assert episode_files(tmp_path / "before" / summary.folder.name).items() <= episode_files(summary.folder).items()
    assert json.loads((summary.folder / "run.json").read_text())["runs"][0]["benchmark"] == "clembench-2.0"
