"""Benchmark: continuous batching with prefix reuse in the in-process llama.cpp backend.

Runs the default benchmark (all games, the embedded SmolLM2-135M GGUF, parlour's default instances)
twice through the real `parlour run` command: once one request at a time (batch_size 1, today's path)
and once batched (the registry's default model settings). Prints episodes/min, prompt tokens evaluated
vs reused, how many episodes and requests got different replies in the two modes, and `speedup: X.XX`.

    python bench/llamacpp_batching.py              # the full run (about 20 min serial on 2 cores)
    python bench/llamacpp_batching.py --limit 2    # the first 2 instances of each experiment
    python bench/llamacpp_batching.py -g taboo -g wordle --limit 1
    python bench/llamacpp_batching.py --baseline-src ../old/src   # also batched with another checkout's code
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from parlour.models.registry import lookup

BASE_MODEL = "smollm2-135m"


def registry_entry(name: str, batch_size: int | None) -> dict[str, Any]:
    spec = lookup(BASE_MODEL).model_copy(update={"name": name, "batch_size": batch_size})
    return spec.model_dump(mode="json", exclude_none=True)


def play(name: str, results: Path, env: dict[str, str], games: list[str], limit: int | None) -> dict[str, Any]:
    """One `parlour run` of the games; returns its run.json record."""
    command = [sys.executable, "-m", "parlour", "run", "-m", name, "-r", str(results), "--no-progress"]
    for game in games:
        command += ["-g", game]
    if limit:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"parlour run -m {name} failed:\n{done.stderr[-3000:]}")
    return json.loads((pair_dir(results, name) / "run.json").read_text())


def pair_dir(results: Path, name: str) -> Path:
    return results / f"{name}-t0.0--{name}-t0.0"


def replies(results: Path, name: str) -> dict[str, list[str]]:
    """Each episode's replies in request order, keyed by game/experiment/episode."""
    root = pair_dir(results, name)
    out = {}
    for path in sorted(root.glob("*/*/episode_*/requests.json")):
        calls = json.loads(path.read_text())
        out[str(path.parent.relative_to(root))] = [c["raw_response_obj"]["clem_player"]["response"] for c in calls]
    return out


def token_counts(results: Path, name: str) -> tuple[int, int]:
    """(prompt tokens, generated tokens) over every request of a run."""
    prompt = generated = 0
    for path in pair_dir(results, name).glob("*/*/episode_*/requests.json"):
        for call in json.loads(path.read_text()):
            usage = call["raw_response_obj"]["usage"]
            prompt += usage.get("prompt_tokens", 0)
            generated += usage.get("completion_tokens", 0)
    return prompt, generated


def minutes(run: dict[str, Any]) -> float:
    record = run["runs"][-1]
    elapsed = datetime.fromisoformat(record["finished"]) - datetime.fromisoformat(record["started"])
    return elapsed.total_seconds() / 60


def compare(a: dict[str, list[str]], b: dict[str, list[str]]) -> tuple[int, int, int, int]:
    """(episodes differing, episodes, requests differing, requests) between two runs' replies."""
    episodes_diff = requests_diff = requests = 0
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key, []), b.get(key, [])
        n = max(len(left), len(right))
        differing = sum(1 for i in range(n) if i >= len(left) or i >= len(right) or left[i] != right[i])
        requests += n
        requests_diff += differing
        episodes_diff += differing > 0
    return episodes_diff, len(set(a) | set(b)), requests_diff, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N instances of each experiment")
    parser.add_argument("-g", "--game", action="append", help="only these games (default: all)")
    parser.add_argument("--baseline-src", type=Path, help="also play batched with this src/ (e.g. older code)")
    args = parser.parse_args()
    batched_size = lookup(BASE_MODEL).batch_size
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "models.yaml"
        entries = [registry_entry("serial", 1), registry_entry("batched", batched_size)]
        registry.write_text(yaml.safe_dump({"models": entries}), encoding="utf-8")
        env = {"PARLOUR_MODELS": str(registry)}
        results = Path(tmp) / "results"
        names = ["serial", "batched"]
        if args.baseline_src:
            names.append("before")
            entries.append(registry_entry("before", batched_size))
            registry.write_text(yaml.safe_dump({"models": entries}), encoding="utf-8")
        runs = {}
        for name in names:
            code = {"PYTHONPATH": str(args.baseline_src.resolve())} if name == "before" else {}
            runs[name] = play(name, results, {**env, **code}, args.game or ["all"], args.limit)
        got = {name: replies(results, name) for name in runs}
        stats = runs["batched"]["models"][0].get("batching_stats", {})
        serial_prompt, serial_generated = token_counts(results, "serial")
        settings = runs["batched"]["models"][0]["batching_in_effect"]
        print(f"games: {args.game or 'all'}  limit: {args.limit or 'none'}  batched settings: {settings}")
        for name, run in runs.items():
            episodes, took = len(got[name]), minutes(run)
            print(f"{name:8s} {episodes} episodes in {took * 60:7.1f} s: {episodes / took:6.1f} episodes/min")
        print(f"serial   prompt tokens evaluated {serial_prompt}, reused 0; generated tokens {serial_generated}")
        print(
            f"batched  prompt tokens evaluated {stats.get('prompt_tokens_evaluated')}, "
            f"reused {stats.get('prompt_tokens_reused')} of {stats.get('prompt_tokens')}; "
            f"generated tokens {stats.get('generated_tokens')}; "
            f"decode calls {stats.get('decode_calls')}, stream copies {stats.get('stream_copies')}, "
            f"max sequences in a batch {stats.get('max_sequences_in_batch')}, "
            f"evictions {stats.get('evictions')}"
        )
        ep_diff, episodes, req_diff, requests = compare(got["serial"], got["batched"])
        print(f"replies differing between modes: {ep_diff} of {episodes} episodes, {req_diff} of {requests} requests")
        print(f"speedup: {minutes(runs['serial']) / minutes(runs['batched']):.2f}")
        if "before" in runs:
            ep_diff, episodes, req_diff, requests = compare(got["before"], got["batched"])
            print(
                f"batched with {args.baseline_src}: {minutes(runs['before']) * 60:.1f} s; replies differing from "
                f"this code's batched run: {ep_diff} of {episodes} episodes, {req_diff} of {requests} requests"
            )
            print(f"speedup over that code's batched run: {minutes(runs['before']) / minutes(runs['batched']):.2f}")


if __name__ == "__main__":
    main()
