"""Memory and return time of large programmatic runs: `programmatic:oracle` self-play over N episodes (one
game's first instance replicated N times), then a resume of the same folder (every episode kept).

Each run is a child process; it reports its peak RSS and the seconds from its last episode write (the
last `on_episode` call, which follows the write) to `parlour.run` returning. `--main-src` runs the same
measurement on another checkout's src/ (e.g. main's code) at `--main-sizes`.

    python bench/run_memory.py --sizes 1000 10000 100000 --main-src ../main/src --main-sizes 2000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[1] / "src"


def write_instances(game: str, episodes: int, path: Path) -> None:
    """`game`'s first default instance, `episodes` times with distinct game ids, in one experiment."""
    from parlour.games.instances import load_instances
    from parlour.games.registry import get_game

    data = load_instances(get_game(game).default_instances)
    experiment = {k: v for k, v in data["experiments"][0].items() if k != "game_instances"}
    first = data["experiments"][0]["game_instances"][0]
    experiment["game_instances"] = [{**first, "game_id": i} for i in range(episodes)]
    path.write_text(json.dumps({"experiments": [experiment]}), encoding="utf-8")


def child(game: str, instances: str, results: str) -> None:
    """One run in this process; prints its figures as JSON."""
    import parlour

    last_write = [0.0]

    def episode_done(outcome: Any) -> None:
        last_write[0] = time.monotonic()

    started = time.monotonic()
    summary = parlour.run(game, "programmatic:oracle", instances=instances, results=results, on_episode=episode_done)
    returned = time.monotonic()
    counts = {s: summary.count(s) for s in ("skipped", "played", "aborted", "failed")}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(
        json.dumps(
            {"wall_s": returned - started, "return_lag_s": returned - last_write[0], "peak_mb": peak_mb, **counts}
        )
    )


def measure(src: Path, game: str, instances: Path, results: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, __file__, "--child", game, str(instances), str(results)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--game", default="wordle")
    parser.add_argument("--main-src", type=Path, help="another checkout's src/ to measure as well")
    parser.add_argument("--main-sizes", type=int, nargs="*", default=[2000])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    runs = [("this", SRC, n) for n in args.sizes]
    if args.main_src:
        runs += [("main", args.main_src.resolve(), n) for n in args.main_sizes]
    print("| code | episodes | pass | played | skipped | failed | wall s | last write -> return s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, src, episodes in runs:
        with tempfile.TemporaryDirectory() as tmp:
            instances = Path(tmp) / "instances.json"
            write_instances(args.game, episodes, instances)
            for phase in ("run", "resume"):
                row = measure(src, args.game, instances, Path(tmp) / "results")
                if "error" in row:
                    print(f"| {label} | {episodes} | {phase} | error: {row['error']} |", flush=True)
                    break
                print(
                    f"| {label} | {episodes} | {phase} | {row['played'] + row['aborted']} | {row['skipped']} | "
                    f"{row['failed']} | {row['wall_s']:.1f} | {row['return_lag_s']:.2f} | {row['peak_mb']:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    if "--child" not in sys.argv:  # a child imports parlour from the PYTHONPATH it was given
        sys.path.insert(0, str(SRC))
    main()
