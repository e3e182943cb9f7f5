"""`parlour sweep` on clembench 2.0: the sweep file's `benchmark` and `games_dir` reach every pair's run, so
several specs play clemcore's games in one study (then eval and the report, placed on official:v2.0)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from clem_support import (
    GAMES,
    in_tmp_path,  # noqa: F401 - autouse: each test in its own folder
    require_clem,
)
from support.cli import parlour

from parlour.data.benchmarks import recorded_benchmark
from parlour.sweep.file import SweepFile
from parlour.sweep.run import plan_pairs

GAMES_RUN = ["taboo", "imagegame"]  # 3 and 2 experiments: 5 episodes a spec at --limit 1


def _scripted(tmp_path: Path, name: str, reply: str) -> dict:
    """A spec replaying the same reply on every call: its episodes do not depend on the order of calls."""
    replies = tmp_path / f"{name}.json"
    replies.write_text(json.dumps([reply] * 200), encoding="utf-8")
    return {"name": name, "backend": "scripted", "options": {"replies_file": str(replies)}}


def _sweep(tmp_path: Path, **more: object) -> Path:
    models = [_scripted(tmp_path, "says-hello", "hello"), _scripted(tmp_path, "says-clue", "CLUE: house")]
    data = {"models": models, "games": GAMES_RUN, "benchmark": "clembench-2.0", "games_dir": str(GAMES), **more}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_sweep_of_two_specs_plays_clembench_2_0_games(tmp_path: Path) -> None:
    require_clem()
    results = tmp_path / "results"
    done = parlour(
        "sweep", str(_sweep(tmp_path)), "-r", str(results), "--limit", "1", "--n-boot", "10", "--no-progress"
    )
    assert done.returncode == 0, done.stderr
    for name in ("says-hello", "says-clue"):
        pair = results / f"{name}-t0.0--{name}-t0.0"
        assert recorded_benchmark(json.loads((pair / "run.json").read_text())) == "clembench-2.0"
        # clemcore's layout: <game>/<experiment>/instance_<id>/, each episode scored by the game's own scorer
        episodes = sorted(p.parent.relative_to(pair) for p in pair.glob("*/*/instance_*/scores.json"))
        assert len(episodes) == 5 and {e.parts[0] for e in episodes} == set(GAMES_RUN), episodes
    table = (results / "results.csv").read_text(encoding="utf-8")
    assert "says-hello-t0.0--says-hello-t0.0" in table and "says-clue-t0.0--says-clue-t0.0" in table
    assert "<title>Official v2.0 leaderboard" in (results / "report" / "official.html").read_text(encoding="utf-8")

    again = parlour(
        "sweep", str(_sweep(tmp_path)), "-r", str(results), "--limit", "1", "--n-boot", "10", "--no-progress"
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.count(" 0 played, 0 aborted") == 2, again.stdout  # resumed: nothing played again


def test_cross_pairs_play_the_two_player_2_0_games_and_ray_is_refused(tmp_path: Path) -> None:
    require_clem()
    sweep = SweepFile.model_validate(
        yaml.safe_load(_sweep(tmp_path, cross=True).read_text()) | {"games": ["taboo", "wordle"]}
    )
    plans = plan_pairs(sweep)
    assert [(p.label, p.games) for p in plans] == [
        ("says-hello", ["taboo", "wordle"]), ("says-clue", ["taboo", "wordle"]),
        ("says-hello vs says-clue", ["taboo"]), ("says-clue vs says-hello", ["taboo"]),
    ]  # fmt: skip
    on_ray = parlour("sweep", str(_sweep(tmp_path)), "--executor", "ray", "--no-progress")
    assert on_ray.returncode == 2
    assert "clembench-2.0 sweeps run on the local executor" in on_ray.stderr
