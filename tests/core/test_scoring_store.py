"""Results files and scoring at scale: file modes, unchanged scores.json left alone, both cores used with
the same scores as one, and one raw-table builder for `eval` and the analyses."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest

import parlour
from parlour import store
from parlour.analysis.loading import load_scores
from parlour.scoring import episodes as episodes_module
from parlour.scoring.evaluate import evaluate
from parlour.scoring.raw_table import build_raw_table
from parlour.scoring.rescore import score_results


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_results_files_keep_the_users_umask(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "ep" / "scores.json"
    store.write_json(path, {"a": 1}, tmp_path)
    assert path.stat().st_mode & 0o777 == 0o644  # mkstemp would give 0600
    os.umask(0o077)
    store.write_json(path, {"a": 2}, tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_nan_is_written_as_clembench_does(tmp_path: Path) -> None:
    path = tmp_path / "scores.json"
    store.write_json(path, {"Main Score": math.nan, "word": "ü"}, tmp_path)
    assert path.read_text(encoding="utf-8") == '{"Main Score": NaN, "word": "ü"}'
    assert math.isnan(store.read_json(path)["Main Score"])


async def _played_tree(results: Path, games: list[str], limit: int) -> None:
    for policy in ("oracle", "breaker"):
        await parlour.arun(games, f"programmatic:{policy}", results=results, limit=limit, concurrency=8)


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real parlour episodes of three games, wins and aborts (programmatic oracle and breaker players)."""
    import asyncio

    results = tmp_path_factory.mktemp("played")
    asyncio.run(_played_tree(results, ["taboo", "wordle", "referencegame"], limit=2))
    return results


def _scores_files(results: Path) -> dict[Path, tuple[int, bytes]]:
    return {p: (p.stat().st_ino, p.read_bytes()) for p in sorted(results.glob("*/*/*/episode_*/scores.json"))}


def test_rescoring_leaves_unchanged_scores_files_alone(played: Path) -> None:
    before = _scores_files(played)
    assert len(before) >= 20
    report = score_results(played, workers=1)
    assert not report.failed and len(report.scored) == len(before)
    assert report.written == 0
    assert _scores_files(played) == before  # same inodes: nothing was replaced


def test_a_changed_score_is_rewritten(played: Path) -> None:
    path = next(iter(_scores_files(played)))
    original = path.read_bytes()
    path.write_text(json.dumps({"episode scores": {"Aborted": 0, "Main Score": 1.0}}))
    report = score_results(played, workers=1)
    assert report.written == 1
    assert path.read_bytes() == original


def test_two_processes_score_like_one(played: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(episodes_module, "PARALLEL_MIN_ITEMS", 1)
    monkeypatch.setattr(episodes_module, "CHUNK_SIZE", 3)
    expected = _scores_files(played)
    for path in expected:
        path.unlink()
    report = score_results(played, workers=2)
    assert report.written == len(expected) and not report.failed
    assert {p: data for p, (_, data) in _scores_files(played).items()} == {p: d for p, (_, d) in expected.items()}
    one = build_raw_table(played, workers=1).table
    two = build_raw_table(played, workers=2).table
    pd.testing.assert_frame_equal(one, two)


def _scores(folder: Path, episode_scores: dict) -> None:
    folder.mkdir(parents=True)
    (folder / "scores.json").write_text(json.dumps({"turn scores": {}, "episode scores": episode_scores}))


def test_eval_and_the_analyses_read_one_raw_table(tmp_path: Path) -> None:
    """An Aborted of NaN (a scorer that could not decide) gives a Played row of NaN, as clembench appends
    `Played = 1 - Aborted` for every Aborted row; the episode then counts for neither."""
    exp = tmp_path / "m-t0.0--m-t0.0" / "taboo" / "0_high_en"
    _scores(exp / "episode_0", {"Aborted": 0, "Main Score": 100})
    _scores(exp / "episode_1", {"Aborted": 1, "Main Score": None})
    _scores(exp / "episode_2", {"Aborted": None, "Main Score": None})
    evaluation = evaluate(tmp_path, n_boot=10)
    analysis = load_scores([tmp_path]).raw
    pd.testing.assert_frame_equal(evaluation.raw, analysis)
    played = evaluation.raw[evaluation.raw.metric == "Played"].set_index("episode")["value"]
    assert played["episode_0"] == 1 and played["episode_1"] == 0 and math.isnan(played["episode_2"])
    assert evaluation.results.loc["m-t0.0--m-t0.0", "taboo, % Played"] == 50.0
