"""Hugging Face transformers, local weights: a checkpoint folder or a GGUF file (dequantized on load).

The prompt is the tokenizer's chat template (or the spec's `chat_template`) applied after clembench's
message normalisation. Temperature 0 is greedy. Generation stops at EOS and at the template's
end-of-turn token, which is cut from the reply. Requests pending from concurrent episodes are
generated together in one left-padded batch (`batch_size`, window `options.batch_window_s`); at
temperature 0 in float32 a batched reply equals the one-at-a-time reply.

Spec options: `dtype` (float32 | bfloat16 | float16 | auto; default float32), `device` (cpu | cuda |
auto; default cpu), `batch_window_s` (default 0.02), `attn_implementation` (default: transformers'),
`threads` (torch CPU threads; on a busy machine 1 can be ten times faster than oversubscribed cores).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parlour.errors import BackendError, ContextExceededError, ParlourError
from parlour.models.base import Generation, Model
from parlour.models.batching import BatchQueue
from parlour.models.messages import ensure_alternating_roles
from parlour.models.spec import ModelSpec
from parlour.models.weights import resolve_weights

# End-of-turn markers of common chat templates; any that the template uses is a stop token.
KNOWN_END_OF_TURN = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>")
# spec.sampling keys -> transformers generate() keyword.
SAMPLING_KEYS = {
    "top_p": "top_p",
    "top_k": "top_k",
    "min_p": "min_p",
    "repetition_penalty": "repetition_penalty",
    "repeat_penalty": "repetition_penalty",
    "no_repeat_ngram_size": "no_repeat_ngram_size",
}
# Keys that only shape sampling and therefore do nothing when decoding greedily.
SAMPLING_ONLY = {"top_p", "top_k", "min_p"}
DEFAULT_CONTEXT = 256  # clembench's fallback when the config names no context size


@dataclass
class _Request:
    prompt: str


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


class HuggingFaceModel(Model):
    """transformers generate() with cross-episode batching."""

    def __init__(self, spec: ModelSpec, model: Any = None, tokenizer: Any = None) -> None:
        super().__init__(spec)
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
        except ImportError as exc:
            raise ParlourError(
                f"model {spec.name}: the huggingface backend needs torch and transformers (pip install 'parlour[hf]')"
            ) from exc
        has_weights = bool(spec.weights or spec.model_id)
        self.location, self.gguf_file = weights_location(spec) if has_weights else ("<preloaded>", None)
        self.tokenizer = tokenizer if tokenizer is not None else self._load_tokenizer()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.template_source = spec.chat_template or self.tokenizer.chat_template
        if not self.template_source:
            raise ParlourError(f"model {spec.name}: {self.location} has no chat template; set chat_template")
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
    def _load_tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        kwargs = {"gguf_file": self.gguf_file} if self.gguf_file else {}
        try:
            return AutoTokenizer.from_pretrained(self.location, **kwargs)
        except (OSError, ValueError, KeyError) as exc:
            raise ParlourError(f"model {self.spec.name}: cannot load tokenizer from {self.location}: {exc}") from exc

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

        dtype_name = str(self.spec.options.get("dtype", "float32"))
        dtype = dtype_name if dtype_name == "auto" else getattr(torch, dtype_name, None)
        if dtype is None:
            raise ParlourError(f"model {self.spec.name}: options.dtype '{dtype_name}' is not a torch dtype")
        kwargs: dict[str, Any] = {"dtype": dtype}
        if self.gguf_file:
            kwargs["gguf_file"] = self.gguf_file
        if "attn_implementation" in self.spec.options:
            kwargs["attn_implementation"] = self.spec.options["attn_implementation"]
        if self.spec.options.get("threads"):
            torch.set_num_threads(int(self.spec.options["threads"]))  # process-wide, as torch has it
        device = str(self.spec.options.get("device", "cpu"))
        if device == "auto":
            kwargs["device_map"] = "auto"
        try:
            model = AutoModelForCausalLM.from_pretrained(self.location, **kwargs)
        except (OSError, ValueError, KeyError) as exc:
            raise ParlourError(f"model {self.spec.name}: cannot load weights from {self.location}: {exc}") from exc
        if device != "auto":
            model = model.to(device)
        model.eval()
        return model

    # -- prompt, stop tokens, context ---------------------------------------------------------
    def render(self, messages: list[dict[str, str]]) -> str:
        """The exact prompt string the model sees."""
        try:
            return self.tokenizer.apply_chat_template(
                ensure_alternating_roles(messages),
                chat_template=self.spec.chat_template,
                tokenize=False,
                add_generation_prompt=True,
            )
        except Exception as exc:  # jinja2 errors from the template itself
            raise BackendError(f"model {self.spec.name}: chat template failed: {exc}") from exc

    @property
    def stop_tokens(self) -> list[str]:
        """EOS and the template's end-of-turn token(s): generation stops at any of them."""
        stops: list[str] = []
        for token in KNOWN_END_OF_TURN:
            if token in self.template_source and self._single_token_id(token) is not None:
                stops.append(token)
        eos = self.tokenizer.eos_token
        if eos and eos not in stops:
            stops.append(eos)
        return stops

    def _single_token_id(self, token: str) -> int | None:
        ids = self.tokenizer.convert_tokens_to_ids([token])
        unk = self.tokenizer.unk_token_id
        return ids[0] if ids and ids[0] is not None and ids[0] != unk else None

    @property
    def stop_token_ids(self) -> list[int]:
        ids = [i for i in (self._single_token_id(t) for t in self.stop_tokens) if i is not None]
        config_eos = getattr(getattr(self._model, "generation_config", None), "eos_token_id", None)
        for extra in config_eos if isinstance(config_eos, list) else [config_eos]:
            if isinstance(extra, int) and extra not in ids:
                ids.append(extra)
        return ids

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
    def _generate_batch(self, requests: list[_Request]) -> list[_Result | BaseException]:
        """Runs in the worker thread: one left-padded generate() over every request that fits."""
        import torch

        model = self.model
        context = self.context_size
        results: list[_Result | BaseException | None] = [None] * len(requests)
        encoded: list[tuple[int, list[int]]] = []
        for index, request in enumerate(requests):
            ids = self.tokenizer(request.prompt, add_special_tokens=False)["input_ids"]
            needed = len(ids) + self.spec.max_tokens
            if needed > context:
                results[index] = ContextExceededError(
                    f"model {self.spec.name}: prompt of {len(ids)} tokens + {self.spec.max_tokens} new tokens "
                    f"exceeds the context size {context}",
                    tokens_needed=needed,
                    context_size=context,
                )
            else:
                encoded.append((index, ids))
        if encoded:
            batch = self.tokenizer.pad(
                {"input_ids": [ids for _, ids in encoded]}, padding=True, return_tensors="pt"
            ).to(model.device)
            kwargs = self.generation_kwargs()
            if self.spec.stop:
                kwargs.update(stop_strings=list(self.spec.stop), tokenizer=self.tokenizer)
            if self.spec.temperature > 0:
                torch.manual_seed(int(self.spec.sampling.get("seed", 0)))
            try:
                with torch.inference_mode():
                    output = model.generate(**batch, **kwargs)
            except (RuntimeError, ValueError) as exc:
                error = BackendError(f"model {self.spec.name}: transformers generate failed: {exc}")
                for index, _ in encoded:
                    results[index] = error
                return results  # type: ignore[return-value]
            width = batch["input_ids"].shape[1]
            for row, (index, ids) in enumerate(encoded):
                results[index] = self._decode(output[row, width:].tolist(), len(ids), len(encoded))
        return results  # type: ignore[return-value]

    def _decode(self, new_ids: list[int], prompt_tokens: int, batch_size: int) -> _Result:
        stop_ids = set(self.stop_token_ids)
        pad = self.tokenizer.pad_token_id
        cut = next((i for i, token in enumerate(new_ids) if token in stop_ids), None)
        if cut is None:
            # A finished row is padded after its stop token; without one the row ran to max tokens.
            kept = new_ids
            while kept and kept[-1] == pad and pad not in stop_ids:
                kept = kept[:-1]
            raw_ids, text_ids, finish = kept, kept, "length"
        else:
            raw_ids, text_ids, finish = new_ids[: cut + 1], new_ids[:cut], "stop"
        raw = self.tokenizer.decode(raw_ids, skip_special_tokens=False)
        text = self.tokenizer.decode(text_ids, skip_special_tokens=False)
        for stop in self.spec.stop:  # user stop strings end the reply where they first appear
            if stop in text:
                text, finish = text.split(stop, 1)[0], "stop"
        for token in self.stop_tokens:  # a stop token can survive when the reply is cut at max tokens
            text = text.replace(token, "")
        return _Result(prompt_tokens, raw, text.strip(), finish, len(raw_ids), batch_size)

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        prompt = self.render(messages)
        result = await self.queue.submit(_Request(prompt))
        sent = {k: v for k, v in self.generation_kwargs().items() if k not in ("max_new_tokens",)}
        return Generation(
            prompt={
                "inputs": prompt,
                "max_new_tokens": self.spec.max_tokens,
                "temperature": self.spec.temperature,
                "return_full_text": False,
                "stop_tokens": self.stop_tokens,
                "stop": list(self.spec.stop),
                **sent,
            },
            response={
                "response": prompt + result.completion_raw,
                "completion": result.completion_raw,
                "finish_reason": result.finish_reason,
                "batch_size": result.batch_size,
                "usage": {
                    "prompt_tokens": result.ids_prompt,
                    "completion_tokens": result.completion_tokens,
                },
            },
            text=result.text,
            usage={"prompt_tokens": result.ids_prompt, "completion_tokens": result.completion_tokens},
        )

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            weights_location=self.location,
            gguf_file=self.gguf_file,
            chat_template=self.template_source,
            stop_in_effect=self.stop_tokens,
            generation_kwargs=self.generation_kwargs(),
            batching={"max_batch": self.queue.max_batch, "window_s": self.queue.window_s},
            torch_dtype=str(self.spec.options.get("dtype", "float32")),
            transformers_version=_version("transformers"),
            torch_version=_version("torch"),
        )
        if self.location != "<preloaded>" and Path(self.location).is_dir() and self.gguf_file:
            info["weights_bytes"] = (Path(self.location) / self.gguf_file).stat().st_size
        return info

    async def aclose(self) -> None:
        await self.queue.aclose()


def _version(dist: str) -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None
