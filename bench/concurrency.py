"""Benchmark: wall time of one taboo experiment at --concurrency 1 (clembench's sequential order)
versus --concurrency N, against an OpenAI-compatible loopback server that adds a fixed latency to
every request (a stand-in for a remote API). Prints both times and their ratio.

    python bench/concurrency.py [--latency 0.25] [--concurrency 16] [--experiment high_en]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import parlour
from parlour.models.spec import ModelSpec
from parlour.testing.latency_server import LatencyServer


async def timed_run(base_url: str, concurrency: int, experiment: str, results: Path) -> tuple[float, int]:
    spec = ModelSpec(name="remote", backend="openai_compatible", base_url=base_url, concurrency=64)
    started = time.perf_counter()
    summary = await parlour.arun("taboo", spec, results=results, experiments=[experiment], concurrency=concurrency)
    elapsed = time.perf_counter() - started
    assert not summary.failures, summary.failures[0].error
    return elapsed, summary.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.25, help="seconds the server adds per request")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--experiment", default="high_en")
    args = parser.parse_args()
    server = LatencyServer(args.latency).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = []
            for n in (1, args.concurrency):
                before = server.requests
                seconds, episodes = asyncio.run(timed_run(server.base_url, n, args.experiment, Path(tmp) / f"c{n}"))
                rows.append((n, episodes, server.requests - before, seconds))
    finally:
        server.stop()
    print(f"taboo/{args.experiment}, loopback OpenAI-compatible server with {args.latency:.2f} s per request")
    print(f"{'concurrency':>11} {'episodes':>8} {'requests':>8} {'wall s':>8} {'episodes/min':>12}")
    for n, episodes, requests, seconds in rows:
        print(f"{n:>11} {episodes:>8} {requests:>8} {seconds:>8.2f} {episodes / seconds * 60:>12.1f}")
    print(f"speed-up (wall time at concurrency 1 / at {args.concurrency}): {rows[0][3] / rows[1][3]:.1f}x")


if __name__ == "__main__":
    main()
