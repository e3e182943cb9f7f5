"""Hugging Face transformers, local weights: a checkpoint folder or a GGUF file (dequantized on load).

The prompt is the tokenizer's chat template (or the spec's `chat_template`) applied after clembench's
message normalisation. Temperature 0 is greedy. Generation stops at EOS and at the template's
end-of-turn token, which is cut from the reply. Requests pending from concurrent episodes are
generated together in one left-padded batch (`batch_size`, window `options.batch_window_s`); at
temperature 0 in float32 a batched reply equals the one-at-a-time reply.

Spec options: `dtype` (float32 | bfloat16 | float16 | auto; default float32), `device` (cpu | cuda |
auto; default cpu), `batch_window_s` (default 0.02), `attn_implementation` (default: transformers'),
`threads` (torch CPU threads; on a busy machine 1 can be ten times faster than oversubscribed cores);
`device_map` / `max_memory` and `quantization: bnb-8bit | bnb-4bit` are described in `hf_load`;
`shadow` (load-shadow benchmarks) in `parlour.models.engines.shadow`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parlour.chat import Generation, Model
from parlour.errors import BackendError, ParlourError, context_overflow
from parlour.models.engines.batching import BatchQueue
from parlour.models.engines.chat_template import ChatTemplate, TemplatedPrompts, load_tokenizer
from parlour.models.engines.hf_load import check_quantization, load_kwargs, to_transformers
from parlour.models.engines.shadow import ShadowPlan
from parlour.models.preflight import install_command
from parlour.models.sampling import TRANSFORMERS_NAMES as SAMPLING_KEYS
from parlour.models.spec import ModelSpec
from parlour.models.weights.resolve import resolve_weights

# Keys that only shape sampling and therefore do nothing when decoding greedily.
SAMPLING_ONLY = {"top_p", "top_k", "min_p"}
DEFAULT_CONTEXT = 256  # clembench's fallback when the config names no context size


@dataclass
class _Request:
    prompt: str
    shadow_tokens: int | None = None  # load-shadow mode: generate exactly this many tokens


@dataclass
class _Result:
    ids_prompt: int
    completion_raw: str
    text: str
    finish_reason: str
    completion_tokens: int
    batch_size: int


def weights_location(spec: ModelSpec) -> tuple[str, str | None]:
    """(folder or hub id, GGUF file name or None) for from_pretrained."""
    if spec.weights:
        path = resolve_weights(spec.weights, spec.name)
        if path.is_file():
            if path.suffix != ".gguf":
                raise ParlourError(f"model {spec.name}: weights {path} must be a folder or a .gguf file")
            return str(path.parent), path.name
        return str(path), spec.gguf_file
    if spec.model_id:
        return spec.model_id, spec.gguf_file
    raise ParlourError(f"model {spec.name}: the huggingface backend needs `weights` or `model_id`")


class HuggingFaceModel(TemplatedPrompts, Model):
    """transformers generate() with cross-episode batching."""

    def __init__(self, spec: ModelSpec, model: Any = None, tokenizer: Any = None) -> None:
        super().__init__(spec)
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
        except ImportError as exc:
            missing = f"the huggingface backend needs torch and transformers ({install_command('huggingface')})"
            raise ParlourError(f"model {spec.name}: {missing}") from exc
        self.shadow = ShadowPlan.from_spec(spec)
        has_weights = bool(spec.weights or spec.model_id)
        self.location, self.gguf_file = weights_location(spec) if has_weights else ("<preloaded>", None)
        self.load_kwargs = load_kwargs(spec, self.gguf_file)
        if model is None:
            check_quantization(spec)
        self.tokenizer = (
            tokenizer if tokenizer is not None else load_tokenizer(self.location, self.gguf_file, spec.name)
        )
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.template = ChatTemplate(self.tokenizer, spec.chat_template, spec.name, spec.stop)
        self._model = model
        self._load_lock = threading.Lock()
        self.queue: BatchQueue[_Request, _Result] = BatchQueue(
            self._generate_batch,
            max_batch=spec.batch_size or 1,
            window_s=float(spec.options.get("batch_window_s", 0.02)),
        )

    @property
    def default_concurrency(self) -> int:
        """Enough episodes in flight to fill a batch (each episode waits on one reply at a time)."""
        return self.spec.concurrency or 2 * (self.spec.batch_size or 1)

    # -- loading ---------------------------------------------------------------------------------
    @property
    def model(self) -> Any:
        """The weights, loaded on first use (in the worker thread, so the event loop keeps running)."""
        with self._load_lock:
            if self._model is None:
                self._model = self._load_model()
        return self._model

    def _load_model(self) -> Any:
        import torch
        from transformers import AutoModelForCausalLM

        kwargs = to_transformers(self.spec, self.load_kwargs)
        if self.spec.options.get("threads"):
            torch.set_num_threads(int(self.spec.options["threads"]))  # process-wide, as torch has it
        try:
            model = AutoModelForCausalLM.from_pretrained(self.location, **kwargs)
        except (OSError, ValueError, KeyError) as exc:
            raise ParlourError(f"model {self.spec.name}: cannot load weights from {self.location}: {exc}") from exc
        if "device_map" not in kwargs:  # placed on load otherwise (accelerate dispatch, quantized weights)
            model = model.to(str(self.spec.options.get("device", "cpu")))
        model.eval()
        return model

    # -- prompt, stop tokens, context ---------------------------------------------------------
    @property
    def stop_token_ids(self) -> list[int]:
        config_eos = getattr(getattr(self._model, "generation_config", None), "eos_token_id", None)
        return self.template.stop_token_ids(config_eos)

    @property
    def context_size(self) -> int:
        if self.spec.context_size:
            return self.spec.context_size
        config = self.model.config
        for key in ("max_position_embeddings", "n_positions"):
            value = getattr(config, key, None)
            if isinstance(value, int) and value > 0:
                return value
        return DEFAULT_CONTEXT

    def generation_kwargs(self) -> dict[str, Any]:
        """Every keyword passed to generate() besides the tokens (recorded in requests.json)."""
        kwargs: dict[str, Any] = {
            "max_new_tokens": self.spec.max_tokens,
            "do_sample": self.spec.temperature > 0,
            "eos_token_id": self.stop_token_ids,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if self.spec.temperature > 0:
            kwargs["temperature"] = self.spec.temperature
        for key, value in self.spec.sampling.items():
            target = SAMPLING_KEYS.get(key)
            if target and (self.spec.temperature > 0 or key not in SAMPLING_ONLY):
                kwargs[target] = value
        return kwargs

    def ignored_parameters(self) -> list[str]:
        ignored = []
        for key in self.spec.sampling:
            if key == "seed":
                continue  # used to seed torch when sampling
            if key not in SAMPLING_KEYS or (self.spec.temperature == 0 and key in SAMPLING_ONLY):
                ignored.append(key)
        return sorted(ignored)

    # -- generation -------------------------------------------------------------------------------
    def _fit_context(self, requests: list[_Request]) -> tuple[list[tuple[int, list[int]]], dict[int, BaseException]]:
        """(index, prompt ids) of the requests that fit the context, and the error of each that does not."""
        context = self.context_size
        fitting: list[tuple[int, list[int]]] = []
        errors: dict[int, BaseException] = {}
        for index, request in enumerate(requests):
            ids = self.template.encode(request.prompt)
            new_tokens = request.shadow_tokens or self.spec.max_tokens
            error = context_overflow(self.spec.name, len(ids), new_tokens, context)
            if error is not None:
                errors[index] = error
            else:
                fitting.append((index, ids))
        return fitting, errors

    def _batch_kwargs(self, requests: list[_Request]) -> dict[str, Any]:
        """generate() keywords for one batch. Shadowed requests make the whole batch generate the longest
        of their lengths with EOS suppressed: a static batch runs until its longest row ends, as with real replies."""
        kwargs = self.generation_kwargs()
        shadow = [r.shadow_tokens for r in requests if r.shadow_tokens]
        if shadow:
            kwargs.update(max_new_tokens=max(shadow), min_new_tokens=max(shadow))
        elif self.spec.stop:
            kwargs.update(stop_strings=list(self.spec.stop), tokenizer=self.tokenizer)
        return kwargs

    def _generate_batch(self, requests: list[_Request]) -> list[_Result | BaseException]:
        """Runs in the worker thread: one left-padded generate() over every request that fits."""
        import torch

        model = self.model
        fitting, errors = self._fit_context(requests)
        results: list[_Result | BaseException | None] = [errors.get(i) for i in range(len(requests))]
        if not fitting:
            return results  # type: ignore[return-value]
        batch = self.tokenizer.pad({"input_ids": [ids for _, ids in fitting]}, padding=True, return_tensors="pt").to(
            model.device
        )
        kwargs = self._batch_kwargs([requests[i] for i, _ in fitting])
        if self.spec.temperature > 0:
            torch.manual_seed(int(self.spec.sampling.get("seed", 0)))
        try:
            with torch.inference_mode():
                output = model.generate(**batch, **kwargs)
        except (RuntimeError, ValueError) as exc:
            error = BackendError(f"model {self.spec.name}: transformers generate failed: {exc}")
            failed = {index for index, _ in fitting}
            return [error if i in failed else results[i] for i in range(len(requests))]  # type: ignore[misc]
        width = batch["input_ids"].shape[1]
        for row, (index, ids) in enumerate(fitting):
            new_ids = output[row, width:].tolist()
            shadow_tokens = requests[index].shadow_tokens
            if shadow_tokens:  # every shadow token counts, end-of-turn included: no cut at a stop
                reply = self.template.split_reply(new_ids[:shadow_tokens], [])
            else:
                reply = self.template.split_reply(new_ids, self.stop_token_ids, self.tokenizer.pad_token_id)
            results[index] = _Result(len(ids), reply.raw, reply.text, reply.finish_reason, reply.tokens, len(fitting))
        return results  # type: ignore[return-value]

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        prompt = self.render(messages)
        shadow_tokens = self.shadow.tokens_for(prompt) if self.shadow else None
        result = await self.queue.submit(_Request(prompt, shadow_tokens))
        sent = {k: v for k, v in self.generation_kwargs().items() if k not in ("max_new_tokens",)}
        record = {
            "inputs": prompt,
            "max_new_tokens": self.spec.max_tokens,
            "temperature": self.spec.temperature,
            "return_full_text": False,
            "stop_tokens": self.stop_tokens,
            "stop": list(self.spec.stop),
            **sent,
        }
        if self.shadow and shadow_tokens:
            record.update(
                max_new_tokens=shadow_tokens, min_new_tokens=shadow_tokens, shadow=self.shadow.record(shadow_tokens)
            )
        usage = {"prompt_tokens": result.ids_prompt, "completion_tokens": result.completion_tokens}
        return Generation(
            prompt=record,
            response={
                "response": prompt + result.completion_raw,
                "completion": result.completion_raw,
                "finish_reason": result.finish_reason,
                "batch_size": result.batch_size,
                "usage": dict(usage),
            },
            text=result.text,
            usage=usage,
            shadow_policy=self.shadow.policy if self.shadow else None,
        )

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            weights_location=self.location,
            gguf_file=self.gguf_file,
            chat_template=self.template.source,
            stop_in_effect=self.stop_tokens,
            generation_kwargs=self.generation_kwargs(),
            batching={"max_batch": self.queue.max_batch, "window_s": self.queue.window_s},
            torch_dtype=str(self.spec.options.get("dtype", "float32")),
            load_kwargs=self.load_kwargs,
            hf_device_map=_plain(getattr(self._model, "hf_device_map", None)),
            shadow=self.shadow.describe() if self.shadow else None,
            transformers_version=package_version("transformers"),
            torch_version=package_version("torch"),
        )
        if self.location != "<preloaded>" and Path(self.location).is_dir() and self.gguf_file:
            info["weights_bytes"] = (Path(self.location) / self.gguf_file).stat().st_size
        return info

    async def aclose(self) -> None:
        await self.queue.aclose()


def _plain(device_map: Any) -> dict[str, str] | None:
    """accelerate's module -> device placement, JSON-safe (devices can be ints or torch.device)."""
    return {str(k): str(v) for k, v in device_map.items()} if isinstance(device_map, dict) else None


def package_version(dist: str) -> str | None:
    """The installed version of a distribution, or None."""
    import importlib.metadata

    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None
