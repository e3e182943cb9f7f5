"""llama.cpp in-process (llama-cpp-python) with a local GGUF.

The prompt is the GGUF's own chat template (or the spec's) rendered after clembench's message
normalisation; generation stops at the template's end-of-turn token and EOS, which are removed from
the reply. Temperature 0 is greedy. Every call evaluates its prompt from scratch (no prefix reuse
across calls), so a reply never depends on which episode the model served before: transcripts are
the same at any concurrency.

llama.cpp is always entered from one long-lived worker thread: entering it from changing threads
(asyncio.to_thread) rebuilds its CPU thread team on every call, which nearly doubles the time per token.

With `batch_size` > 1 at temperature 0, a `BatchScheduler` (llamacpp_batch.py) serves all episodes in
flight with continuous batching and prefix reuse instead. Batched kernels and reused KV cells can change
the last bits of the logits, so its greedy replies may differ from the one-at-a-time path; `batch_size`
and the `options` below are part of the spec hash. Options (all optional): `prefix_cache` (default
true), `cached_prefixes` (idle sequences kept for reuse, default batch_size), `sequence_tokens` (KV
cells of each sequence, the most one request can use, default 4096 or the context size if smaller),
`n_batch` (tokens per decode step, default 512).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from parlour.chat import Generation, Model
from parlour.errors import BackendError, ParlourError, context_overflow
from parlour.models.messages import ensure_alternating_roles
from parlour.models.preflight import install_command
from parlour.models.sampling import LLAMACPP_DEFAULTS as DEFAULT_SAMPLING
from parlour.models.spec import ModelSpec
from parlour.models.weights.resolve import resolve_weights

# The context of the Llama object in batched mode, where it only loads the weights and tokenizes.
_UNUSED_CONTEXT = 256
# End-of-turn markers of common templates, used as stop strings when they appear in the template.
KNOWN_END_OF_TURN = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>")


def _raise_exception(message: str) -> None:
    raise jinja2.TemplateError(message)


def _is_batched(spec: ModelSpec) -> bool:
    """Whether the batch scheduler serves this model: batch_size > 1 at temperature 0 (greedy)."""
    return (spec.batch_size or 1) > 1 and spec.temperature == 0


class LlamaCppModel(Model):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        if not spec.weights:
            raise ParlourError(f"model {spec.name}: the llamacpp backend needs `weights` (a GGUF file)")
        self.weights_path = resolve_weights(spec.weights, spec.name)
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            missing = f"llama-cpp-python is not installed ({install_command('llamacpp')})"
            raise ParlourError(f"model {spec.name}: {missing}") from exc
        batched = _is_batched(spec)
        try:
            self._llm = Llama(
                model_path=str(self.weights_path),
                # batched, only the weights and tokenizer of this object are used (the scheduler has its own
                # context): a small context instead of the model's full one saves its KV cells (190 MB here)
                n_ctx=_UNUSED_CONTEXT if batched else spec.context_size or 0,
                # llama-cpp-python's default is half the cores; generation is the bottleneck here
                n_threads=spec.options.get("n_threads") or os.cpu_count(),
                seed=int(spec.sampling.get("seed", DEFAULT_SAMPLING["seed"])),
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ParlourError(f"model {spec.name}: cannot load GGUF {self.weights_path}: {exc}") from exc
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"llamacpp-{spec.name}")
        self._closing = threading.Event()  # set by aclose: the generation in flight stops at its next token
        from llama_cpp import llama_set_abort_callback

        from parlour.models.engines.llamacpp_batch import abort_callback

        # ... and a prompt being evaluated, at its next graph node
        self._abort_flag, self._abort = abort_callback()
        llama_set_abort_callback(self._llm._ctx.ctx, self._abort, ctypes.addressof(self._abort_flag))
        metadata = self._llm.metadata
        self.template_source = spec.chat_template or metadata.get("tokenizer.chat_template")
        if not self.template_source:
            raise ParlourError(f"model {spec.name}: {self.weights_path} has no chat template; set chat_template")
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = _raise_exception
        self._template = env.from_string(self.template_source)
        self.bos_text = self._token_text(self._llm.token_bos())
        self.eos_text = self._token_text(self._llm.token_eos())
        self.add_bos = metadata.get("tokenizer.ggml.add_bos_token", "true") == "true"
        self.stop = self._stop_strings()
        self.sampling = {**DEFAULT_SAMPLING, **spec.sampling}
        self.batching = self._batching_settings()
        self._scheduler = None
        if self.batching is not None:
            from parlour.models.engines.llamacpp_batch import BatchScheduler

            self._scheduler = BatchScheduler(self._llm, n_threads=self._llm.n_threads, stop=self.stop, **self.batching)

    def _batching_settings(self) -> dict[str, Any] | None:
        """The scheduler's settings, or None for the one-request-at-a-time path (batch_size 1, or sampling)."""
        if not _is_batched(self.spec):
            return None
        batch_size = self.spec.batch_size
        options = self.spec.options
        unknown = set(options) - {"n_threads", "prefix_cache", "cached_prefixes", "sequence_tokens", "n_batch"}
        if unknown:
            raise ParlourError(f"model {self.spec.name}: unknown llamacpp options {sorted(unknown)}")
        cached = int(options.get("cached_prefixes", batch_size)) if options.get("prefix_cache", True) else 0
        return {
            "batch_size": batch_size,
            "cached_prefixes": cached,
            # every sequence's cells are allocated up front: 4096 keeps the default model's cache at 1.5 GB
            "sequence_tokens": min(
                int(options.get("sequence_tokens", 4096)), self.spec.context_size or self._llm.n_ctx_train()
            ),
            "n_batch": int(options.get("n_batch", 512)),
        }

    @property
    def default_concurrency(self) -> int:
        if self.spec.concurrency:
            return self.spec.concurrency
        return self.batching["batch_size"] if self.batching else 1

    @property
    def context_limit(self) -> int:
        """Tokens one request may use: the context size, in batched mode a sequence's KV cells."""
        return self.batching["sequence_tokens"] if self.batching else self._llm.n_ctx()

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llm.detokenize([token], special=True).decode("utf-8", errors="replace")

    def _stop_strings(self) -> list[str]:
        stops = [s for s in KNOWN_END_OF_TURN if s in self.template_source]
        if self.eos_text and self.eos_text not in stops:
            stops.append(self.eos_text)
        return stops + [s for s in self.spec.stop if s not in stops]

    def render(self, messages: list[dict[str, str]]) -> str:
        """The exact prompt string the model sees."""
        return self._template.render(
            messages=ensure_alternating_roles(messages),
            add_generation_prompt=True,
            bos_token=self.bos_text,
            eos_token=self.eos_text,
        )

    def _tokenize(self, prompt: str) -> list[int]:
        """The prompt's tokens, refused when they and the reply would not fit in the context."""
        tokens = self._llm.tokenize(
            prompt.encode("utf-8"),
            add_bos=self.add_bos and not (self.bos_text and prompt.startswith(self.bos_text)),
            special=True,
        )
        error = context_overflow(self.spec.name, len(tokens), self.spec.max_tokens, self.context_limit)
        if error is not None:
            raise error
        return tokens

    def _generate_sync(self, prompt: str) -> dict[str, Any]:
        tokens = self._tokenize(prompt)
        self._llm.reset()
        return self._llm.create_completion(
            tokens,
            max_tokens=self.spec.max_tokens,
            temperature=self.spec.temperature,
            stop=self.stop,
            top_p=self.sampling["top_p"],
            top_k=self.sampling["top_k"],
            min_p=self.sampling["min_p"],
            repeat_penalty=self.sampling["repeat_penalty"],
            seed=self.sampling["seed"],
            stopping_criteria=self._stop_when_closing,
        )

    def _stop_when_closing(self, tokens: Any, logits: Any) -> bool:
        # a list of one criterion in llama-cpp-python's terms: any callable (tokens, logits) -> bool
        return self._closing.is_set()

    async def _run_serial(self, prompt: str) -> dict[str, Any]:
        """One request at a time, always on the same worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, self._generate_sync, prompt)

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        prompt = self.render(messages)
        try:
            if self._scheduler is None:
                completion = await self._run_serial(prompt)
            else:
                future = self._scheduler.submit(self._tokenize(prompt), self.spec.max_tokens)
                completion = await asyncio.wrap_future(future)
        except (RuntimeError, ValueError) as exc:
            raise BackendError(f"model {self.spec.name}: llama.cpp failed: {exc}") from exc
        choice = completion["choices"][0]
        raw_text = choice["text"]
        text = raw_text
        for stop in self.stop:  # a stop token can survive when generation is cut at max tokens
            text = text.replace(stop, "")
        return Generation(
            prompt={
                "inputs": prompt,
                "max_tokens": self.spec.max_tokens,
                "temperature": self.spec.temperature,
                "stop": self.stop,
                **self.sampling,
            },
            response={
                "response": raw_text,
                "finish_reason": choice.get("finish_reason"),
                "usage": completion.get("usage", {}),
            },
            text=text.strip(),
            usage=dict(completion.get("usage", {})),
        )

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            weights_path=str(self.weights_path),
            weights_bytes=self.weights_path.stat().st_size,
            chat_template=self.template_source,
            stop_in_effect=self.stop,
            sampling_sent=self.sampling,
            context_size_in_effect=self.context_limit,
            batching_in_effect=self.batching,
        )
        if self._scheduler is not None:
            info["batching_stats"] = self._scheduler.stats.as_dict()
        return info

    async def aclose(self) -> None:
        # an interrupted run ends at once: queued requests are dropped, the one in flight stops
        self._closing.set()
        self._abort_flag.value = b"x"
        self._worker.shutdown(wait=True, cancel_futures=True)
        if self._scheduler is not None:
            self._scheduler.close()
