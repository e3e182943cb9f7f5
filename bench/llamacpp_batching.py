"""Benchmark: continuous batching with prefix reuse in the in-process llama.cpp backend.

Runs the default benchmark (all games, the embedded SmolLM2-135M GGUF, parlour's default instances)
twice through the real `parlour run` command: once one request at a time (batch_size 1, today's path)
and once batched (the registry's default model settings). Prints episodes/min, prompt tokens evaluated
vs reused, how many episodes and requests got different replies in the two modes, and `speedup: X.XX`.

    python bench/llamacpp_batching.py              # the full run (about 20 min serial on 2 cores)
    python bench/llamacpp_batching.py --limit 2    # the first 2 instances of each experiment
    python bench/llamacpp_batching.py -g taboo -g wordle --limit 1
    python bench/llamacpp_batching.py --baseline-src ../old/src   # also batched with another checkout's code
    python bench/llamacpp_batching.py --benchmark clembench-2.0 --alone --no-serial -g taboo --limit 2

`--alone` also plays the batched spec with one episode at a time (no batch-mates) and counts the requests
whose replies differ from the batched run's; at each episode's first differing request (the same prompt in
both runs) it evaluates the prompt and the replies' common prefix one sequence at a time and prints the
top-2 logit margin there and the two tokens the runs took. `--benchmark clembench-2.0` plays clembench
2.0's games (`--games-dir` or $PARLOUR_CLEMBENCH_GAMES) through clemcore's code.
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

import numpy as np
import yaml

from parlour.models.engines.llamacpp_batch import common_prefix
from parlour.models.registry import lookup

BASE_MODEL = "smollm2-135m"
BENCHMARK_16 = "clembench-1.6"


def registry_entry(name: str, batch_size: int | None) -> dict[str, Any]:
    spec = lookup(BASE_MODEL).model_copy(update={"name": name, "batch_size": batch_size})
    return spec.model_dump(mode="json", exclude_none=True)


def play(name: str, results: Path, env: dict[str, str], args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    """One `parlour run` of the games; returns its run.json record."""
    command = [sys.executable, "-m", "parlour", "run", "-m", name, "-r", str(results), "--no-progress", *extra]
    for game in args.game or ["all"]:
        command += ["-g", game]
    for experiment in args.experiment or []:
        command += ["-e", experiment]
    if args.limit:
        command += ["--limit", str(args.limit)]
    if args.benchmark != BENCHMARK_16:
        command += ["--benchmark", args.benchmark]
        if args.games_dir:
            command += ["--games-dir", str(args.games_dir)]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: some episodes failed (clemcore's games raise in some), the rest is kept
        sys.exit(f"parlour run -m {name} failed:\n{done.stderr[-3000:]}")
    return json.loads((pair_dir(results, name) / "run.json").read_text())


def pair_dir(results: Path, name: str) -> Path:
    return results / f"{name}-t0.0--{name}-t0.0"


def calls(results: Path, name: str) -> dict[str, list[dict[str, Any]]]:
    """Each episode's (each player's, on clemcore 3.7) recorded calls in request order, keyed by their path:
    a list of calls in 1.6's `<game>/<experiment>/episode_<n>/requests.json` and clemcore 3.3's
    `<game>/<experiment>/instance_<id>/requests.json`; clemcore 3.7's
    `<game>/<experiment>/instance_<id>/player_<n>.requests.json` (`calls`, each under `call`)."""
    root = pair_dir(results, name)
    out = {}
    for pattern in ("*/*/episode_*/requests.json", "*/*/instance_*/requests.json"):
        for path in sorted(root.glob(pattern)):
            out[str(path.relative_to(root))] = [c for c in json.loads(path.read_text()) if not programmatic(c)]
    for path in sorted(root.glob("*/*/*/player_*.requests.json")):
        out[str(path.relative_to(root))] = [c["call"] for c in json.loads(path.read_text())["calls"]]
    return out


def programmatic(call: dict[str, Any]) -> bool:
    """A call of a game's programmatic player (clemcore 3.3 records them beside the model's): no model reply."""
    return call["raw_response_obj"].get("clem_player", {}).get("model_name") == "programmatic"


def reply_text(call: dict[str, Any]) -> str:
    response = call["raw_response_obj"]
    return response["clem_player"]["response"] if "clem_player" in response else response["response"]


def replies(results: Path, name: str) -> dict[str, list[str]]:
    """Each episode's replies in request order."""
    return {key: [reply_text(c) for c in episode] for key, episode in calls(results, name).items()}


def token_counts(results: Path, name: str) -> tuple[int, int]:
    """(prompt tokens, generated tokens) over every request of a run."""
    prompt = generated = 0
    for episode in calls(results, name).values():
        for call in episode:
            usage = call["raw_response_obj"]["usage"]
            prompt += usage.get("prompt_tokens", 0)
            generated += usage.get("completion_tokens", 0)
    return prompt, generated


def prompt_of(call: dict[str, Any]) -> str | None:
    return call["manipulated_prompt_obj"].get("inputs")


def episode_scores(results: Path, name: str) -> dict[str, Any]:
    """Each scored episode's `episode scores`, keyed by game/experiment/episode."""
    root = pair_dir(results, name)
    return {
        str(p.parent.relative_to(root)): json.loads(p.read_text())["episode scores"]
        for p in root.glob("*/*/*/scores.json")
    }


def first_divergences(a: dict[str, list[dict[str, Any]]], b: dict[str, list[dict[str, Any]]]) -> list[tuple]:
    """(key, prompt, call in a, call in b) at each episode's first request whose reply differs while its prompt
    is the same; later requests of that episode follow from the divergence."""
    found = []
    for key in sorted(set(a) & set(b)):
        for left, right in zip(a[key], b[key], strict=False):
            if reply_text(left) != reply_text(right):
                prompt = prompt_of(left)
                if prompt is not None and prompt == prompt_of(right):
                    found.append((key, prompt, left, right))
                break
    return found


class SerialLogits:
    """The logits of the default GGUF evaluated one sequence at a time (the serial path), after a prompt as the
    engine tokenized it and a reply's tokens (a reply that ended takes the end-of-generation token)."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        from parlour.models.engines.llamacpp import LlamaCppModel

        os.environ.update(env)
        self.model = LlamaCppModel(lookup(name).model_copy(update={"batch_size": 1, "context_size": 8192}))
        self.llm = self.model._llm

    def reply_tokens(self, call: dict[str, Any]) -> list[int]:
        text = reply_text(call).encode("utf-8")
        ids = self.llm.tokenize(text, add_bos=False, special=True) if text else []
        return ids + [self.llm.token_eos()] if call["raw_response_obj"].get("finish_reason") == "stop" else ids

    def after(self, prompt: str, tokens: list[int]) -> np.ndarray:
        """The next token's logits after the prompt and `tokens`."""
        self.llm.reset()
        self.llm.eval(self.model._tokenize(prompt) + tokens)
        return self.last()

    def last(self) -> np.ndarray:
        # the last evaluated token's logits (llama-cpp-python keeps scores only with logits_all)
        return np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),)).astype(np.float64)

    def reply_margins(self, prompt: str, call: dict[str, Any]) -> list[float]:
        """The top-2 logit margin at each token of the recorded reply (the reply fed back token by token)."""
        out, logits = [], self.after(prompt, [])
        tokens = self.reply_tokens(call)
        for i, token in enumerate(tokens):
            top = np.partition(logits, -2)[-2:]
            out.append(float(top[1] - top[0]))
            if i + 1 < len(tokens):
                self.llm.eval([token])
                logits = self.last()
        return out


def margins(divergences: list[tuple], serial: SerialLogits) -> list[dict[str, Any]]:
    """At each divergence: the logits of the next token after the prompt and the two replies' common token
    prefix, evaluated one sequence at a time: the top-2 margin, and the gap between the logits of the two
    tokens the runs took and their ranks."""
    out = []
    for key, prompt, left, right in divergences:
        a, b = serial.reply_tokens(left), serial.reply_tokens(right)
        shared = common_prefix(a, b)
        if shared >= min(len(a), len(b)):  # one was cut at max tokens: nothing to compare
            continue
        logits = serial.after(prompt, a[:shared])
        order = np.argsort(-logits)
        rank = {int(t): int(np.nonzero(order == t)[0][0]) + 1 for t in (a[shared], b[shared])}
        out.append(
            {
                "request": key,
                "position": shared,
                "top2_margin": float(logits[order[0]] - logits[order[1]]),
                "tokens": [serial.model._token_text(a[shared]), serial.model._token_text(b[shared])],
                "ranks": [rank[a[shared]], rank[b[shared]]],
                "gap": float(abs(logits[a[shared]] - logits[b[shared]])),
            }
        )
    return out


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
    parser.add_argument("-e", "--experiment", action="append", help="only these experiments")
    parser.add_argument("--baseline-src", type=Path, help="also play batched with this src/ (e.g. older code)")
    parser.add_argument("--benchmark", default=BENCHMARK_16, choices=[BENCHMARK_16, "clembench-2.0"])
    parser.add_argument("--games-dir", type=Path, help="clembench-2.0: the clembench checkout")
    parser.add_argument("--alone", action="store_true", help="also batched with one episode at a time")
    parser.add_argument("--no-serial", action="store_true", help="leave out the batch_size 1 run")
    parser.add_argument("--keep", type=Path, help="write the runs here, kept (a second call resumes them)")
    args = parser.parse_args()
    batched_size = lookup(BASE_MODEL).batch_size
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "models.yaml"
        names = ([] if args.no_serial else ["serial"]) + ["batched"] + (["alone"] if args.alone else [])
        names += ["before"] if args.baseline_src else []
        entries = [registry_entry(name, 1 if name == "serial" else batched_size) for name in names]
        registry.write_text(yaml.safe_dump({"models": entries}), encoding="utf-8")
        env = {"PARLOUR_MODELS": str(registry)}
        results = args.keep.resolve() if args.keep else Path(tmp) / "results"
        runs = {}
        for name in names:
            code = {"PYTHONPATH": str(args.baseline_src.resolve())} if name == "before" else {}
            extra = ["--concurrency", "1"] if name == "alone" else []
            runs[name] = play(name, results, {**env, **code}, args, *extra)
        got = {name: replies(results, name) for name in runs}
        stats = runs["batched"]["models"][0].get("batching_stats", {})
        settings = runs["batched"]["models"][0]["batching_in_effect"]
        print(
            f"benchmark: {args.benchmark}  games: {args.game or 'all'}  experiments: {args.experiment or 'all'}  "
            f"limit: {args.limit or 'none'}  batched settings: {settings}"
        )
        for name, run in runs.items():
            episodes, took = len(got[name]), minutes(run)
            print(f"{name:8s} {episodes} episodes in {took * 60:7.1f} s: {episodes / took:6.1f} episodes/min")
        if "serial" in runs:
            serial_prompt, serial_generated = token_counts(results, "serial")
            print(f"serial   prompt tokens evaluated {serial_prompt}, reused 0; generated tokens {serial_generated}")
        print(
            f"batched  prompt tokens evaluated {stats.get('prompt_tokens_evaluated')}, "
            f"reused {stats.get('prompt_tokens_reused')} of {stats.get('prompt_tokens')}; "
            f"generated tokens {stats.get('generated_tokens')}; "
            f"decode calls {stats.get('decode_calls')}, stream copies {stats.get('stream_copies')}, "
            f"max sequences in a batch {stats.get('max_sequences_in_batch')}, "
            f"evictions {stats.get('evictions')}"
        )
        if "serial" in runs:
            ep_diff, episodes, req_diff, requests = compare(got["serial"], got["batched"])
            print(
                f"replies differing between modes: {ep_diff} of {episodes} episodes, {req_diff} of {requests} requests"
            )
            print(f"speedup: {minutes(runs['serial']) / minutes(runs['batched']):.2f}")
        if "alone" in runs:
            ep_diff, episodes, req_diff, requests = compare(got["alone"], got["batched"])
            print(
                f"batched alone (concurrency 1) vs in flight: replies differing in {ep_diff} of {episodes} "
                f"episodes' request files, {req_diff} of {requests} requests"
            )
            alone = calls(results, "alone")
            divergences = first_divergences(alone, calls(results, "batched"))
            serial = SerialLogits("batched", env)
            found = margins(divergences, serial)
            print(f"first differing request of each (same prompt in both runs): {len(divergences)}")
            for item in found:
                print(
                    f"  {item['request']}: token {item['position']} of the reply, alone {item['tokens'][0]!r} "
                    f"(rank {item['ranks'][0]}) vs in flight {item['tokens'][1]!r} (rank {item['ranks'][1]}); "
                    f"logit gap {item['gap']:.3f}, top-2 margin {item['top2_margin']:.3f}"
                )
            if found:
                gaps = sorted(item["gap"] for item in found)
                top2 = sum(1 for item in found if sorted(item["ranks"]) == [1, 2])
                print(f"  the two tokens are the top 2 at {top2} of {len(found)}; logit gap max {gaps[-1]:.3f}")
                every = np.array(
                    [m for episode in alone.values() for c in episode for m in serial.reply_margins(prompt_of(c), c)]
                )
                print(
                    f"  for scale, the top-2 margin at every token of the alone run's replies ({len(every)} tokens): "
                    f"median {np.median(every):.2f}, 10th percentile {np.percentile(every, 10):.2f}; "
                    f"{(every <= gaps[-1]).mean():.1%} of tokens at or below the largest gap above"
                )
            scored = episode_scores(results, "alone"), episode_scores(results, "batched")
            same = sum(
                json.dumps(v, sort_keys=True) == json.dumps(scored[1].get(k), sort_keys=True)
                for k, v in scored[0].items()
            )
            print(f"  episode scores equal in {same} of {len(scored[0])} scored episodes (alone vs in flight)")
        if "before" in runs:
            ep_diff, episodes, req_diff, requests = compare(got["before"], got["batched"])
            print(
                f"batched with {args.baseline_src}: {minutes(runs['before']) * 60:.1f} s; replies differing from "
                f"this code's batched run: {ep_diff} of {episodes} episodes, {req_diff} of {requests} requests"
            )
            print(f"speedup over that code's batched run: {minutes(runs['before']) / minutes(runs['batched']):.2f}")


if __name__ == "__main__":
    main()
