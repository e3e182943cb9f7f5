"""Benchmark: taboo (60 episodes) at --concurrency 32 against a loopback endpoint with a fixed latency,
with the endpoint's in-flight limit fixed at 8 (the old default), adaptive from 8, and fixed at 32.
Prints wall times, the limits used and the ratios to the fixed-8 baseline.

    python bench/adaptive_limit.py [--latency 0.25] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import parlour
from parlour.models.loader import load_model
from parlour.models.spec import ModelSpec
from parlour.testing.latency_server import LatencyServer

PAIR = "remote-t0.0--remote-t0.0"


async def timed_run(
    base_url: str, results: Path, episodes_in_flight: int, **limits: Any
) -> tuple[float, dict[str, Any]]:
    model = load_model(ModelSpec(name="remote", backend="openai_compatible", base_url=base_url, **limits))
    started = time.perf_counter()
    try:
        summary = await parlour.arun("taboo", model, results=results, concurrency=episodes_in_flight)
    finally:
        await model.aclose()
    elapsed = time.perf_counter() - started
    assert not summary.failures, summary.failures[0].error
    return elapsed, model.endpoint_report()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.25, help="seconds the server adds per request")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    n = args.concurrency
    setups = {
        "fixed 8": {"concurrency": 8, "concurrency_max": 8},
        "adaptive from 8": {"concurrency": 8, "concurrency_max": max(8, n)},
        f"fixed {n}": {"concurrency": n, "concurrency_max": n},
    }
    server = LatencyServer(args.latency).start()
    rows = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(timed_run(server.base_url, Path(tmp) / "warm-up", n, concurrency=n))  # imports, word lists
            for label, limits in setups.items():
                rows[label] = asyncio.run(timed_run(server.base_url, Path(tmp) / label, n, **limits))
    finally:
        server.stop()
    print(f"taboo, 60 episodes, --concurrency {n}, loopback endpoint with {args.latency:.2f} s per request")
    print(f"{'in-flight limit':>16} {'wall s':>7} {'highest':>7} {'final':>5} {'vs fixed 8':>10}")
    baseline = rows["fixed 8"][0]
    for label, (seconds, report) in rows.items():
        print(
            f"{label:>16} {seconds:>7.2f} {report['limit_highest']:>7} {report['limit_final']:>5} "
            f"{baseline / seconds:>9.2f}x"
        )


if __name__ == "__main__":
    main()
