"""Benchmark on one GPU: the full default benchmark (all games, 420 episodes) in load-shadow mode with a
model of Llama-3-8B's shape (bf16, random weights), through vLLM, through the transformers backend
(batched), and one request at a time (clembench's way), printing wall times and ratios.

    python bench/gpu.py                    # CUDA machine; on an H200 it finishes in under 8 minutes
    python bench/gpu.py --cpu-smoke        # tiny model, one episode per experiment, CPU: checks the script
    python bench/gpu.py --cpu              # real 135M weights on this CPU: vLLM-CPU, llama.cpp, transformers
                                           # (see bench/cpu_engines.py)

Nothing is downloaded: the model folder holds a config.json with Llama-3-8B's dimensions and the embedded
SmolLM2 tokenizer (ChatML template); vLLM fills it with random weights (load_format dummy) and the
transformers backend is handed a randomly initialised model of the same config. Random weights would
end every episode at turn 1, so the replies the games see come from the oracle (load-shadow mode): the
engine generates a length drawn per prompt from --shadow-tokens, with end-of-sequence ignored. Drawn
lengths depend only on the prompt, so every mode generates the same tokens for the same prompts.

vLLM plays all episodes at once. The transformers and sequential modes each get a time budget and play
the first instances of every experiment until it runs out; their full-run times are then estimated
from their measured tokens per second and the tokens the full run needed (as counted by vLLM's run).
Each mode runs in its own process, so GPU memory is released between them.

`--real-weights DIR` (a local checkpoint folder) adds a smoke test with real weights and no shadow:
a few taboo episodes through vLLM, printing outcomes and the first reply; without it, it says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import parlour
import parlour.api
from parlour.chat import Generation, Model
from parlour.models.spec import ModelSpec
from parlour.runner import episodes as runner

LLAMA3_8B = {
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "max_position_embeddings": 8192,
    "rope_theta": 500000.0,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
}
WIDTHS = (12, 10, 9, 8, 7, 9, 9, 9, 12)  # the report's columns
TINY = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 8192,
    "tie_word_embeddings": False,
}


class Counted(Model):
    """Counts the calls and generated tokens of the model it wraps."""

    def __init__(self, inner: Model) -> None:
        super().__init__(inner.spec)
        self.inner, self.calls, self.tokens = inner, 0, 0

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        generation = await self.inner.generate(messages)
        self.calls += 1
        self.tokens += generation.usage.get("completion_tokens", 0)
        return generation

    async def aclose(self) -> None:
        await self.inner.aclose()


# -- the model folder ------------------------------------------------------------------------------
def make_model_folder(folder: Path, shape: dict[str, Any], dtype: str) -> None:
    """config.json of a Llama model with `shape` and the embedded tokenizer (no weights). The 8B shape keeps
    Llama-3's 128256-row vocabulary: ids past the tokenizer's 49152 decode to nothing, and only shadow text
    (never played) can contain them."""
    from transformers import LlamaConfig

    sys.path.insert(0, str(Path(__file__).parent))
    from hf_batching import load_tokenizer  # the embedded GGUF's tokenizer, or a byte-level one

    tokenizer = load_tokenizer()
    tokenizer.save_pretrained(folder)
    shape = {"vocab_size": len(tokenizer), **shape}
    config = LlamaConfig(
        **shape,
        architectures=["LlamaForCausalLM"],  # vLLM picks its model class from this
        torch_dtype=dtype,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    config.save_pretrained(folder)


def random_model(folder: Path, dtype: str, device: str) -> Any:
    """A randomly initialised transformers model of the folder's config, built on the device."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    torch.manual_seed(0)
    config = AutoConfig.from_pretrained(folder)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, dtype))  # build in the target dtype: no float32 copy of 8B
    try:
        with torch.device(device):
            model = AutoModelForCausalLM.from_config(config)
    finally:
        torch.set_default_dtype(previous)
    return model.eval()


# -- one mode, in its own process -----------------------------------------------------------------
def build_model(mode: str, folder: Path, args: argparse.Namespace) -> Model:
    low, high = args.shadow_tokens
    common: dict[str, Any] = {
        "name": f"bench-{mode}",
        "weights": str(folder),
        "max_tokens": high,
        "context_size": 8192,
        "options": {"shadow": {"policy": "oracle", "tokens": [low, high], "seed": 0}, "dtype": args.dtype},
    }
    if mode == "vllm":
        from parlour.models.engines.vllm_engine import VLLMModel

        common["options"] |= {"load_format": "dummy", "gpu_memory_utilization": 0.85}
        return VLLMModel(ModelSpec(backend="vllm", **common))
    from parlour.models.engines.chat_template import load_tokenizer
    from parlour.models.engines.huggingface import HuggingFaceModel

    batch = args.hf_batch if mode == "hf" else 1
    common["options"] |= {"device": args.device, "batch_window_s": 0.02 if batch > 1 else 0.0}
    spec = ModelSpec(backend="huggingface", batch_size=batch, **common)
    return HuggingFaceModel(
        spec,
        model=random_model(folder, args.dtype, args.device),
        tokenizer=load_tokenizer(str(folder), None, spec.name),
    )


def worker(mode: str, folder: Path, args: argparse.Namespace, out: Path) -> None:
    started = time.perf_counter()
    if args.device == "cpu":
        import torch

        torch.set_num_threads(1)  # on a shared machine one thread is many times faster than oversubscribed cores
    model = Counted(build_model(mode, folder, args))
    limit = args.limit if mode == "vllm" else args.subset
    in_flight = {"vllm": 1000, "hf": 2 * args.hf_batch, "sequential": 1}[mode]
    budget = args.vllm_budget if mode == "vllm" else args.budget
    with tempfile.TemporaryDirectory() as results:

        async def main() -> tuple[list[runner.EpisodeOutcome], float, bool]:
            if mode == "vllm":  # start the engine outside the timed run
                await model.inner.generate([{"role": "user", "content": "warm up"}])
            outcomes: list[runner.EpisodeOutcome] = []
            start = time.perf_counter()
            try:
                run = parlour.arun(
                    "all", model, results=results, limit=limit, concurrency=in_flight, on_episode=outcomes.append
                )
                await asyncio.wait_for(run, budget)
                return outcomes, time.perf_counter() - start, True
            except TimeoutError:
                return outcomes, time.perf_counter() - start, False
            finally:
                await model.aclose()

        calls_before, tokens_before = model.calls, model.tokens
        setup_s = time.perf_counter() - started
        outcomes, seconds, finished = asyncio.run(main())
    failed = [o.error for o in outcomes if o.status == runner.FAILED]
    row = {
        "mode": mode,
        "episodes_planned": len(parlour.api.plan("all", "bench", results=results, limit=limit)),
        "episodes_done": sum(o.status in (runner.PLAYED, runner.ABORTED) for o in outcomes),
        "aborted": sum(o.status == runner.ABORTED for o in outcomes),
        "failed": len(failed),
        "first_error": failed[0] if failed else None,
        "finished": finished,
        "seconds": seconds,
        "setup_s": setup_s,
        "calls": model.calls - calls_before,
        "tokens": model.tokens - tokens_before,
    }
    out.write_text(json.dumps(row))


# -- the orchestrator -------------------------------------------------------------------------------
def run_worker(mode: str, folder: Path, argv: list[str], timeout: float) -> dict[str, Any] | str:
    """Run one mode in a subprocess; its figures, or the reason there are none."""
    out = folder / f"{mode}.json"
    command = [sys.executable, __file__, *argv, "--worker", mode, "--folder", str(folder)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    if done.returncode != 0 or not out.is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return f"exit {done.returncode}: {' | '.join(tail)}"
    return json.loads(out.read_text())


def vllm_unavailable() -> str | None:
    import importlib.util

    if importlib.util.find_spec("vllm") is None:
        return "vllm is not installed (pip install 'parlour[vllm]' on a CUDA machine)"
    import torch

    return None if torch.cuda.is_available() else "no CUDA GPU visible"


def report(rows: dict[str, dict[str, Any] | str], full_tokens: int | None) -> None:
    header = ("mode", "episodes", "aborted", "failed", "calls", "tokens", "tok/s", "wall s", "full run s")
    print("".join(f"{h:<12}" if i == 0 else f"{h:>{WIDTHS[i]}}" for i, h in enumerate(header)))
    estimates: dict[str, float] = {}
    for mode, row in rows.items():
        if isinstance(row, str):
            print(f"{mode:<12} skipped: {row}")
            continue
        rate = row["tokens"] / row["seconds"] if row["seconds"] else 0.0
        full = (
            row["seconds"]
            if mode == "vllm" and row["finished"]
            else (full_tokens / rate if full_tokens and rate else None)
        )
        if full is not None:
            estimates[mode] = full
        shown = "-" if full is None else f"{full:.1f}" + ("" if mode == "vllm" else "*")
        done = f"{row['episodes_done']}/{row['episodes_planned']}"
        print(
            f"{mode:<12}{done:>10}{row['aborted']:>9}{row['failed']:>8}{row['calls']:>7}{row['tokens']:>9}{rate:>9.1f}{row['seconds']:>9.1f}{shown:>12}"
        )
        if row["first_error"]:
            print(f"  first error: {row['first_error']}")
    print("* estimated: the full run's tokens (counted by vLLM) at this mode's measured tokens per second")
    base = estimates.get("sequential")
    for mode in ("vllm", "hf"):
        if base and mode in estimates:
            print(f"ratio {mode} vs sequential (full run): x{base / estimates[mode]:.1f}")
    rated = {m: r for m, r in rows.items() if not isinstance(r, str) and r["seconds"]}
    if "hf" in rated and "sequential" in rated:
        hf, seq = rated["hf"], rated["sequential"]
        ratio = (hf["tokens"] / hf["seconds"]) / (seq["tokens"] / seq["seconds"])
        print(f"ratio hf vs sequential (tokens/s, subset): x{ratio:.1f}")


def real_weights_smoke(path: Path | None) -> None:
    if path is None or not (path / "config.json").is_file():
        print(f"real-weights smoke test skipped: no checkpoint folder given or found ({path})")
        return
    reason = vllm_unavailable()
    if reason:
        print(f"real-weights smoke test skipped: {reason}")
        return
    from parlour.models.engines.vllm_engine import VLLMModel

    model = VLLMModel(
        ModelSpec(name="real", backend="vllm", weights=str(path), options={"gpu_memory_utilization": 0.85})
    )
    with tempfile.TemporaryDirectory() as results:

        async def main() -> runner.RunSummary:
            try:
                return await parlour.arun("taboo", model, results=results, experiments=["high_en"], limit=5)
            finally:
                await model.aclose()

        summary = asyncio.run(main())
        first = next(summary.episodes()) / "requests.json"
        reply = json.loads(first.read_text())[0]["raw_response_obj"]["completion"] if first.is_file() else None
    counts = {s: summary.count(s) for s in (runner.PLAYED, runner.ABORTED, runner.FAILED)}
    print(f"real-weights smoke test ({path}): {counts}; first reply: {reply!r}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu-smoke", action="store_true", help="tiny model on the CPU, transformers only")
    parser.add_argument("--shadow-tokens", type=int, nargs=2, default=[16, 64], metavar=("MIN", "MAX"))
    parser.add_argument("--limit", type=int, default=None, help="instances per experiment for vLLM (default: all)")
    parser.add_argument("--subset", type=int, default=2, help="instances per experiment for hf and sequential")
    parser.add_argument("--budget", type=float, default=75.0, help="seconds of play for hf and for sequential")
    parser.add_argument("--vllm-budget", type=float, default=150.0, help="seconds of play for vLLM")
    parser.add_argument("--hf-batch", type=int, default=64)
    parser.add_argument("--real-weights", type=Path, default=os.environ.get("PARLOUR_REAL_WEIGHTS"))
    parser.add_argument("--worker", choices=("vllm", "hf", "sequential"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.device, args.dtype = ("cpu", "float32") if args.cpu_smoke else ("cuda", "bfloat16")
    if args.cpu_smoke and not args.worker:
        args.subset, args.budget, args.hf_batch = 1, min(args.budget, 40.0), 8
    return args


def main() -> None:
    if "--cpu" in sys.argv[1:]:
        sys.path.insert(0, str(Path(__file__).parent))
        from cpu_engines import main as cpu_main

        cpu_main(sys.argv[1:])
        return
    args = parse_args()
    if args.worker:
        worker(args.worker, args.folder, args, args.folder / f"{args.worker}.json")
        os._exit(0)  # do not wait for engine threads or processes that outlive the run
    started = time.perf_counter()
    argv = sys.argv[1:] + ["--subset", str(args.subset), "--budget", str(args.budget), "--hf-batch", str(args.hf_batch)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "model"
        make_model_folder(folder, TINY if args.cpu_smoke else LLAMA3_8B, args.dtype)
        shape = "tiny Llama" if args.cpu_smoke else "Llama-3-8B shape"
        print(f"model: {shape}, {args.dtype}, random weights, device {args.device}; shadow tokens {args.shadow_tokens}")
        rows: dict[str, dict[str, Any] | str] = {}
        reason = vllm_unavailable()
        rows["vllm"] = reason or run_worker("vllm", folder, argv, args.vllm_budget + 240)
        for mode in ("hf", "sequential"):
            rows[mode] = run_worker(mode, folder, argv, args.budget + 120)
    vllm_row = rows["vllm"]
    full_tokens = vllm_row["tokens"] if isinstance(vllm_row, dict) and vllm_row["finished"] else None
    report(rows, full_tokens)
    real_weights_smoke(args.real_weights)
    print(f"total time (model creation, engine starts, all modes): {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
