"""`python bench/gpu.py --cpu`: the default benchmark (all games, 420 episodes) with the real embedded
SmolLM2-135M weights on this machine's CPU, through each local engine parlour has, in one invocation:

- vLLM's CPU build (smollm2-135m-vllm: the float32 checkpoint made from the GGUF), all episodes in flight;
- llama.cpp batched (smollm2-135m, today's default: batch 8 with prefix reuse);
- transformers batched (smollm2-135m-hf: the GGUF dequantized to float32, batch 8);
- and each of them one request at a time (batch 1, one episode in flight: clembench's way).

Every mode is a real `parlour run -g all` in its own process, timed from the command's start (engine
start and weights included) and by the run's own clock (run.json). The one-at-a-time modes play the
first `--serial-limit` instances of each experiment (their full-run time is estimated from their tokens
per second); their replies are compared, prompt by prompt, with the same engine's batched replies.

    python bench/gpu.py --cpu                       # the full run (about 40 minutes on 2 cores)
    python bench/gpu.py --cpu --limit 2             # the first 2 instances of each experiment
    python bench/gpu.py --cpu --modes vllm llamacpp # some engines only
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
from typing import Any

import yaml

from parlour.models.registry import lookup

ENGINES = {"vllm": "smollm2-135m-vllm", "llamacpp": "smollm2-135m", "hf": "smollm2-135m-hf"}


def entry(engine: str, serial: bool) -> dict[str, Any]:
    """The registry entry a mode runs: the engine's own, or the same with batch 1 (name -serial1)."""
    spec = lookup(ENGINES[engine])
    if serial:
        spec = spec.model_copy(update={"name": f"{spec.name}-serial1", "batch_size": 1, "concurrency": 1})
    return spec.model_dump(mode="json", exclude_none=True)


def play(name: str, results: Path, env: dict[str, str], limit: int | None, in_flight: int | None) -> dict[str, Any]:
    """One `parlour run -g all`; its figures."""
    command = [sys.executable, "-m", "parlour", "run", "-g", "all", "-m", name, "-r", str(results), "--no-progress"]
    if limit:
        command += ["--limit", str(limit)]
    if in_flight:
        command += ["--concurrency", str(in_flight)]
    started = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    [folder] = results.glob(f"{name}-t0.0--*")
    run = json.loads((folder / "run.json").read_text())["runs"][-1]
    records = [r for p in sorted(folder.rglob("requests.json")) for r in json.loads(p.read_text())]
    usage = [r["raw_response_obj"].get("usage", {}) for r in records]
    return {
        "episodes": run["played"] + run["aborted"],
        "failed": run["failed"],
        "wall_s": wall,
        "run_s": run["duration_s"],
        "requests": len(records),
        "generated": sum(u.get("completion_tokens", 0) for u in usage),
        "prompt": sum(u.get("prompt_tokens", 0) for u in usage),
        "replies": {r["manipulated_prompt_obj"]["inputs"]: reply(r) for r in records},
    }


def reply(record: dict[str, Any]) -> str:
    return str(record["raw_response_obj"].get("completion", ""))


def report(rows: dict[str, dict[str, Any]]) -> None:
    header = f"{'episodes':>9}{'failed':>7}{'wall s':>9}{'run s':>8}{'gen tok':>9}{'tok/s':>8}{'full run s':>11}"
    print(f"{'mode':<18}{header}")
    for mode, row in rows.items():
        if "error" in row:
            print(f"{mode:<18} failed: {' '.join(row['error'])}")
            continue
        rate = row["generated"] / row["run_s"] if row["run_s"] else 0.0
        full = row["run_s"]
        estimated = ""
        engine = mode.removesuffix("-serial")
        if mode.endswith("-serial") and engine in rows and "error" not in rows[engine] and row["requests"]:
            # the batched run's generated tokens at this mode's tokens per second
            full, estimated = rows[engine]["generated"] / rate if rate else float("nan"), "*"
        row["full_s"] = full
        print(
            f"{mode:<18}{row['episodes']:>9}{row['failed']:>7}{row['wall_s']:>9.1f}{row['run_s']:>8.1f}"
            f"{row['generated']:>9}{rate:>8.1f}{full:>10.1f}{estimated:1}"
        )
    print("* estimated from the one-at-a-time subset's tokens per second and the batched run's tokens")
    done = {m: r for m, r in rows.items() if "error" not in r}
    serial = done.get("llamacpp-serial", {}).get("full_s")
    for mode in ("vllm", "llamacpp", "hf"):
        if mode in done:
            versus = [f"{serial / done[mode]['full_s']:.2f}x llama.cpp one at a time"] if serial else []
            if "llamacpp" in done and mode != "llamacpp":
                versus.append(f"{done['llamacpp']['full_s'] / done[mode]['full_s']:.2f}x llama.cpp batched")
            print(f"ratio {mode}: {', '.join(versus) or '-'} (run clock)")
    for engine in ("vllm", "llamacpp", "hf"):
        batched, one = done.get(engine), done.get(f"{engine}-serial")
        if batched and one:
            shared = set(batched["replies"]) & set(one["replies"])
            same = sum(batched["replies"][p] == one["replies"][p] for p in shared)
            print(f"identical replies {engine}: {same} of {len(shared)} prompts batched = one at a time")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="instances per experiment (default: all)")
    parser.add_argument("--serial-limit", type=int, default=1, help="instances per experiment, one at a time")
    parser.add_argument("--modes", nargs="+", choices=sorted(ENGINES), default=list(ENGINES))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="parlour-bench-cpu-") as tmp:
        root = Path(tmp)
        registry = root / "models.yaml"
        entries = [entry(engine, serial) for engine in args.modes for serial in (False, True)]
        registry.write_text(yaml.safe_dump({"models": entries}, sort_keys=False))
        env = {"PARLOUR_MODELS": str(registry), "HF_HUB_OFFLINE": "1"}
        for engine in args.modes:
            for serial in (False, True):
                mode = f"{engine}-serial" if serial else engine
                limit = args.serial_limit if serial else args.limit
                in_flight = 1 if serial else (1000 if engine == "vllm" else None)  # vLLM: every episode at once
                print(f"running {mode} ({'first ' + str(limit) if limit else 'all'} instances per experiment)...")
                rows[mode] = play(str(entry(engine, serial)["name"]), root / mode, env, limit, in_flight)
    report(rows)
    print(f"total time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
