"""Benchmark: what one llama.cpp step costs, in the context clemcore's backend makes (llama-cpp-python's
`Llama`: one sequence, its default threads) and in the one parlour's batch scheduler makes (a KV stream per
sequence, the registry's batching settings), for the default GGUF on this machine's CPUs.

Prints the time per prompt token of a prompt evaluated in one batch (prefill) and the time per generated
token of a decode step with one sequence and with `--sequences` sequences at once. Continuous batching can
only win on the decode steps: a prompt's tokens are already one batch in either engine, so where a game's
work is mostly prompt tokens (short replies to long prompts), the speedup over one episode after another is
bounded by these figures and by how many prompt tokens each side evaluates (prefix reuse), whatever the
scheduling.

    python bench/llamacpp_steps.py [--prompt-tokens 370] [--steps 40] [--sequences 8]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import llama_cpp

from parlour.models.engines.llamacpp_batch import context_params
from parlour.models.loader import load_model
from parlour.models.registry import lookup
from parlour.models.weights.resolve import resolve_weights

MODEL = "smollm2-135m"
ONE_BATCH = 512  # llama-cpp-python's n_batch and the batched engine's default: the most tokens one decode call takes


class Stepper:
    """llama_decode on one context with a batch built from (sequence, position, token, wants logits)."""

    def __init__(self, ctx: Any, n_tokens: int) -> None:
        self.ctx, self.batch = ctx, llama_cpp.llama_batch_init(n_tokens, 0, 1)

    def decode(self, items: list[tuple[int, int, int, bool]]) -> None:
        batch = self.batch
        batch.n_tokens = 0
        for j, (seq, pos, token, logits) in enumerate(items):
            batch.token[j], batch.pos[j], batch.n_seq_id[j], batch.logits[j] = token, pos, 1, logits
            batch.seq_id[j][0] = seq
            batch.n_tokens += 1
        if llama_cpp.llama_decode(self.ctx, batch) != 0:
            raise RuntimeError("llama_decode failed")

    def timed(self, prompt: list[int], sequences: list[int], steps: int) -> tuple[float, float]:
        """(seconds per prompt token, seconds per generated token) for `sequences` decoding together."""
        started = time.perf_counter()
        for seq in sequences:
            self.decode([(seq, i, token, i == len(prompt) - 1) for i, token in enumerate(prompt)])
        prefilled = time.perf_counter()
        for k in range(steps):  # the tokens fed back need not be the greedy ones: the cost is the same
            self.decode([(seq, len(prompt) + k, prompt[k % len(prompt)], True) for seq in sequences])
        done = time.perf_counter()
        return (prefilled - started) / (len(prompt) * len(sequences)), (done - prefilled) / (steps * len(sequences))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompt-tokens", type=int, default=370, help="about a 2.0 game's first prompt")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--sequences", type=int, default=8)
    args = parser.parse_args()
    if not 0 < args.prompt_tokens <= ONE_BATCH:
        parser.error(f"--prompt-tokens: 1 to {ONE_BATCH} (one llama.cpp batch, as the engines evaluate a prompt)")

    spec = lookup(MODEL)
    clem = llama_cpp.Llama(str(resolve_weights(spec.weights, MODEL)), n_ctx=0, verbose=False)  # clemcore's call
    text = " ".join(f"word{i} is a clue" for i in range(args.prompt_tokens))
    prompt = clem.tokenize(text.encode())[: args.prompt_tokens]
    clem_step = Stepper(clem._ctx.ctx, ONE_BATCH)
    clem_prompt, clem_token = clem_step.timed(prompt, [0], args.steps)

    model = load_model(spec)
    settings = model.batching  # the registry's batching settings, as a run uses them
    n_threads = model._llm.n_threads
    n_sequences = settings["batch_size"] + settings["cached_prefixes"]
    params = context_params(settings["sequence_tokens"], n_sequences, settings["n_batch"], n_threads)
    ctx = llama_cpp.llama_init_from_model(model._llm.model, params)
    ours = Stepper(ctx, settings["n_batch"])
    one_prompt, one_token = ours.timed(prompt, [0], args.steps)
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
    many_prompt, many_token = ours.timed(prompt, list(range(args.sequences)), args.steps)
    llama_cpp.llama_free(ctx)
    asyncio.run(model.aclose())

    print(f"{MODEL}, a {len(prompt)}-token prompt, {args.steps} decode steps")
    print(f"{'':58} {'ms/prompt token':>15} {'ms/generated token':>18}")
    rows = [
        (f"clemcore's Llama (n_threads {clem.n_threads}, n_threads_batch {clem.n_threads_batch}), 1 sequence",
         clem_prompt, clem_token),
        (f"parlour's scheduler context (n_threads {n_threads}), 1 sequence", one_prompt, one_token),
        (f"parlour's scheduler context, {args.sequences} sequences at once", many_prompt, many_token),
    ]  # fmt: skip
    for label, per_prompt, per_token in rows:
        print(f"{label:58} {per_prompt * 1000:15.2f} {per_token * 1000:18.2f}")
    print(
        f"batching {args.sequences} sequences: {clem_token / many_token:.1f}x per generated token against "
        f"clemcore's Llama, {clem_prompt / many_prompt:.1f}x per prompt token"
    )


if __name__ == "__main__":
    main()
