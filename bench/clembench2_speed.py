"""Benchmark: clembench 2.0 played by parlour (episodes in flight) against `clem run` (clemcore's own
command, one episode after another), on the same model and machine; prints both times and the ratio.

A loopback OpenAI-compatible server adds 1 s to every request: parlour at 32 in flight against `clem run`
with clemcore's OpenAI-compatible backend (model_registry.json and key.json in its working folder, as its
users write them). The default GGUF cannot be compared with `clem run` on this machine: clemcore's
llama.cpp backend loads only through `Llama.from_pretrained`, which asks the Hugging Face hub for the
repository's file list even when the file is in the local cache, and no machine here reaches the hub.

Both play the same episodes (default: taboo's experiment high_en, 20 episodes; `--experiment all`
for all of the game's). Two times each: the whole command (clemcore's imports and the game's
loading, about 20 s here, included) and the episodes alone (clemcore's run.json, parlour's summary). Needs the
`clem` extra and a clembench games folder (PARLOUR_CLEMBENCH_GAMES or --games-dir).

    python bench/clembench2_speed.py [--game taboo --experiment high_en|all]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import parlour
from parlour.clembench import nltk_data
from parlour.clembench.games import games_folder
from parlour.models.spec import ModelSpec
from parlour.testing.latency_server import LatencyServer


def clem_run(folder: Path, games: Path, game: str, experiment: str, model: str, env: dict[str, str]) -> tuple:
    """Wall time of `clem run -g GAME [-e EXPERIMENT] -m MODEL` in `folder` (its registries there), and
    the time its run.json gives the episodes (the command less its imports and loading)."""
    only = ["-e", experiment] if experiment != "all" else []
    command = [str(Path(sys.executable).with_name("clem")), "run", "-g", game, *only, "-m", model,
               "-t", "0.0", "-l", "100", "-r", str(folder / "results")]  # fmt: skip
    env = {**os.environ, **env, "CLEMBENCH_HOME": str(games), "TQDM_DISABLE": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"clem run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    (run_file,) = (folder / "results").glob("*/run.json")
    return elapsed, json.loads(run_file.read_text())["games"][game]["duration_seconds"]


def parlour_run(model: str | ModelSpec, games: Path, game: str, experiment: str, results: Path, n: int) -> tuple:
    started = time.perf_counter()
    experiments = None if experiment == "all" else [experiment]
    summary = parlour.run(game, model, results=results, experiments=experiments, concurrency=n,
                          temperature=0.0, max_tokens=100, benchmark="clembench-2.0", games_dir=games)  # fmt: skip
    return time.perf_counter() - started, summary.duration_s, summary.total


def part_loopback(work: Path, games: Path, game: str, experiment: str) -> tuple:
    server = LatencyServer(1.0).start()
    try:
        entry = {"model_name": "remote", "backend": "openai_compatible", "model_id": "remote"}
        (work / "model_registry.json").write_text(json.dumps([entry]))
        (work / "key.json").write_text(json.dumps({"openai_compatible": {"api_key": "x", "base_url": server.base_url}}))
        clem = clem_run(work, games, game, experiment, "remote", {})
        spec = ModelSpec(name="remote", backend="openai_compatible", base_url=server.base_url, concurrency=32)
        return (*clem, *parlour_run(spec, games, game, experiment, work / "parlour", 32))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="taboo")
    parser.add_argument("--experiment", default="high_en")
    parser.add_argument("--games-dir", type=Path, default=None)
    args = parser.parse_args()
    games = games_folder(args.games_dir)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("NLTK_DATA", str(nltk_data.build(Path(tmp) / "nltk_data")))  # for clem run
        clem_s, clem_play_s, ours_s, ours_play_s, episodes = part_loopback(Path(tmp), games, args.game, args.experiment)
    print(f"{args.game}/{args.experiment}, {episodes} episodes, loopback endpoint with 1 s per request")
    print(f"{'':38} {'command s':>10} {'episodes s':>10}")
    print(f"{'clem run (one episode after another)':38} {clem_s:10.1f} {clem_play_s:10.1f}")
    print(f"{'parlour (episodes in flight)':38} {ours_s:10.1f} {ours_play_s:10.1f}")
    print(f"ratio: {clem_s / ours_s:.1f}x for the command, {clem_play_s / ours_play_s:.1f}x for the episodes")


if __name__ == "__main__":
    main()
