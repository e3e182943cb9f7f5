"""Benchmark: a latency-bound sweep (several OpenAI-compatible models, each on its own loopback server
that adds a fixed delay per request) played by the in-process executor and by Ray with 1, 2 and 4 workers.

Each pair's Ray actor asks for one CPU and the local Ray instance is started with N CPUs, so at most N
pairs play at once (the in-process executor plays them one after another). Prints wall times, the
speed-up over in-process and Ray's overhead per episode (Ray with 1 worker minus in-process).

    python bench/sweep_ray.py [--models 4] [--latency 0.2] [--limit 5] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from parlour.runner.players import LocalPlayers
from parlour.sweep.file import SweepFile
from parlour.sweep.run import play_sweep
from parlour.testing.latency_server import LatencyServer


def sweep_for(servers: list[LatencyServer], limit: int, concurrency: int) -> SweepFile:
    models = [
        {"name": f"endpoint{i}", "backend": "openai_compatible", "base_url": s.base_url, "concurrency": 16,
         "resources": {"num_cpus": 1}}
        for i, s in enumerate(servers)
    ]  # fmt: skip
    return SweepFile.model_validate(
        {"models": models, "games": ["taboo"], "limit": limit, "concurrency": concurrency, "report": False}
    )


def local_run(sweep: SweepFile, results: Path) -> tuple[float, int]:
    start = time.perf_counter()
    summary = asyncio.run(play_sweep(sweep, results, LocalPlayers))
    episodes = sum(run.total for _, run, _ in summary.pairs if run is not None)
    assert not summary.failed_pairs and not summary.failed_episodes, summary.failed_pairs
    return time.perf_counter() - start, episodes


def ray_run(workers: int, sweep: SweepFile, results: Path) -> float:
    """In a fresh process, so that each run gets its own Ray instance with `workers` CPUs."""
    code = (
        "import asyncio, sys, time, json\n"
        "from pathlib import Path\n"
        "from parlour.sweep.file import SweepFile\n"
        "from parlour.sweep.run import play_sweep\n"
        "from parlour.sweep.ray_executor import RayPlayers, connect\n"
        f"connect(None, num_cpus={workers})\n"
        "sweep = SweepFile.model_validate_json(sys.stdin.read())\n"
        "start = time.perf_counter()\n"
        f"summary = asyncio.run(play_sweep(sweep, Path({str(results)!r}), RayPlayers, parallel_pairs=True))\n"
        "assert not summary.failed_pairs and not summary.failed_episodes, summary.failed_pairs\n"
        "print(time.perf_counter() - start)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=sweep.model_dump_json(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"ray run with {workers} workers failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds each server adds per request")
    parser.add_argument("--limit", type=int, default=5, help="taboo instances per experiment")
    parser.add_argument("--concurrency", type=int, default=4, help="episodes in flight per pair (a rate limit)")
    args = parser.parse_args()
    servers = [LatencyServer(args.latency).start() for _ in range(args.models)]
    try:
        sweep = sweep_for(servers, args.limit, args.concurrency)
        with tempfile.TemporaryDirectory() as tmp:
            local_s, episodes = local_run(sweep, Path(tmp) / "local")
            ray_s = {n: ray_run(n, sweep, Path(tmp) / f"ray{n}") for n in (1, 2, 4)}
    finally:
        for server in servers:
            server.stop()
    print(f"sweep: {args.models} endpoint models x taboo (--limit {args.limit}), {episodes} episodes, "
          f"{args.concurrency} in flight per pair, {args.latency:.2f} s latency per request")  # fmt: skip
    print(f"{'executor':>12} {'wall s':>8} {'episodes/min':>12} {'vs in-process':>14}")
    print(f"{'in-process':>12} {local_s:>8.2f} {episodes / local_s * 60:>12.1f} {1.0:>13.2f}x")
    for n, seconds in ray_s.items():
        print(f"{f'ray x{n}':>12} {seconds:>8.2f} {episodes / seconds * 60:>12.1f} {local_s / seconds:>13.2f}x")
    print(f"ray overhead per episode (1 worker minus in-process): {(ray_s[1] - local_s) / episodes * 1000:.1f} ms")
    print(f"speedup: {local_s / ray_s[4]:.2f}")


if __name__ == "__main__":
    main()
