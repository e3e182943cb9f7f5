"""Benchmark: taboo + wordle at --concurrency 16 against a loopback endpoint injecting faults (429 with
and without Retry-After, 5xx, resets, hangs, garbage JSON, empty choices, trickled replies) versus the
same endpoint without faults, in one invocation. Prints completion (episodes finished by the first
pass, and passes until all finished), wall times, the overhead ratio and whether the transcripts match.

    python bench/faults.py [--rate 0.2] [--latency 0.05] [--limit 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import parlour
from parlour.models.spec import ModelSpec
from parlour.runner.episodes import FAILED
from parlour.testing.fault_server import FaultServer, spread

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.records import strip_volatile  # noqa: E402 - the tests' comparison of two runs

PAIR = "remote-t0.0--remote-t0.0"
GAMES = ("taboo", "wordle")


async def one_pass(base_url: str, results: Path, limit: int, concurrency: int) -> tuple[int, int]:
    """(episodes planned, episodes failed) of one `parlour run`-like pass that resumes `results`."""
    spec = ModelSpec(
        name="remote",
        backend="openai_compatible",
        base_url=base_url,
        timeout_s=1.0,
        max_retries=5,
        options={"retry_base_delay_s": 0.05},
    )
    summary = await parlour.arun(list(GAMES), spec, results=results, limit=limit, concurrency=concurrency)
    return summary.total, summary.count(FAILED)


def until_complete(server: FaultServer, results: Path, limit: int, concurrency: int) -> dict:
    started = time.perf_counter()
    passes, first_failed, planned = 0, 0, 0
    while True:
        planned, failed = asyncio.run(one_pass(server.base_url, results, limit, concurrency))
        passes += 1
        first_failed = first_failed if passes > 1 else failed
        if not failed or passes == 5:
            break
    return {
        "wall_s": time.perf_counter() - started,
        "passes": passes,
        "planned": planned,
        "first_pass_done": planned - first_failed,
        "requests": server.requests,
        "injected": sum(server.injected.values()),
        "left_failed": failed,
    }


def transcripts(results: Path) -> list:
    paths = sorted((results / PAIR).glob("*/*/episode_*/interactions.json"))
    return [strip_volatile(json.loads(p.read_text())) for p in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=0.2, help="share of requests that get a fault")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the server adds per request")
    parser.add_argument("--limit", type=int, default=5, help="instances per experiment")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        warm_up = FaultServer({}).start()  # imports and word lists load here, not in the first timed run
        try:
            asyncio.run(one_pass(warm_up.base_url, Path(tmp) / "warm-up", 1, args.concurrency))
        finally:
            warm_up.stop()
        for label, faults in (("fault-free", {}), (f"{args.rate:.0%} faults", spread(args.rate))):
            server = FaultServer(faults, args.latency, hang_s=3.0, trickle_s=0.05).start()
            try:
                rows[label] = until_complete(server, Path(tmp) / label, args.limit, args.concurrency)
            finally:
                server.stop()
            rows[label]["transcripts"] = transcripts(Path(tmp) / label)
    print(f"taboo + wordle, --limit {args.limit}, concurrency {args.concurrency}, {args.latency:.2f} s per request")
    print(f"{'endpoint':>12} {'episodes':>8} {'1st pass':>8} {'passes':>6} {'requests':>8} {'faults':>6} {'wall s':>7}")
    for label, row in rows.items():
        print(
            f"{label:>12} {row['planned']:>8} {row['first_pass_done']:>8} {row['passes']:>6} "
            f"{row['requests']:>8} {row['injected']:>6} {row['wall_s']:>7.2f}"
        )
    clean, faulty = rows.values()
    print(
        f"completion: {faulty['planned'] - faulty['left_failed']}/{faulty['planned']} episodes "
        f"({faulty['first_pass_done']} in the first pass)"
    )
    print(f"transcripts identical to the fault-free run: {clean['transcripts'] == faulty['transcripts']}")
    print(f"overhead (wall time with faults / without): {faulty['wall_s'] / clean['wall_s']:.2f}x")


if __name__ == "__main__":
    main()
