"""vLLM in-process: parlour starts and owns an `AsyncLLM` engine built from the registry entry.

Every episode in flight is one request in vLLM's continuous batch; parlour does no batching of its own.
The prompt is rendered by parlour (`ChatTemplate`, as for the transformers backend) and sent as token
ids, so the template is part of the spec and requests.json holds exactly what the engine saw.
Temperature 0 is greedy; the template's end-of-turn tokens and EOS are stop tokens.

Registry entry: `weights` (a local checkpoint folder, or a .gguf file), `quantization` (awq | gptq | fp8 |
bitsandbytes | ... as vLLM names its methods; bnb-4bit is read as bitsandbytes), `context_size` (vLLM's
max_model_len), `batch_size` (vLLM's max_num_seqs). Options: `dtype` (default bfloat16),
`tensor_parallel_size` (1), `gpu_memory_utilization` (0.9), `load_format` (auto; `dummy` = random weights
from config.json, for benchmarks), `enforce_eager` (false), `tokenizer` (a folder; default: the weights'),
`engine_args` (any further AsyncEngineArgs field, passed as given), `shadow` (see parlour.models.engines.shadow),
`kv_cache_gib` (vLLM's CPU build only: the KV cache's size, default 2).
Prefix caching is on.

With vLLM's CPU build (`vllm-cpu`), parlour's defaults are eager mode (no torch.compile: a start in
seconds, not minutes) and a 2 GiB KV cache (vLLM's own default takes most of the machine's memory);
neither changes what is generated. `weights: checkpoint:...` (a folder parlour made from a GGUF, see
parlour.models.weights.checkpoint) keeps the GGUF's quantization label as a description: vLLM gets plain weights.

vLLM's own output (its logging, its engine processes' prints, their shutdown) goes to `vllm.log` in the
results folder of the pair; the engine starts before the first episode, so nothing lands on the
progress display.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.metadata
import importlib.util
import itertools
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any, Protocol

from parlour.chat import Generation, Model
from parlour.errors import BackendError, ParlourError, context_overflow
from parlour.models.engines.chat_template import ChatTemplate, TemplatedPrompts, load_tokenizer
from parlour.models.engines.huggingface import package_version, weights_location
from parlour.models.engines.shadow import ShadowPlan
from parlour.models.preflight import install_command
from parlour.models.sampling import VLLM_NAMES as SAMPLING_KEYS
from parlour.models.spec import ModelSpec

# spec.quantization (lower-cased) -> vLLM's method name. Anything else is refused with the list.
VLLM_QUANTIZATION = {
    "awq": "awq",
    "awq_marlin": "awq_marlin",
    "gptq": "gptq",
    "gptq_marlin": "gptq_marlin",
    "fp8": "fp8",
    "bitsandbytes": "bitsandbytes",
    "bnb-4bit": "bitsandbytes",
    "compressed-tensors": "compressed-tensors",
    "gguf": "gguf",
}
# Keys that only shape sampling and therefore do nothing when decoding greedily (not sent then).
SAMPLING_ONLY = {"top_p", "top_k", "min_p", "seed"}
# Set for the engines parlour owns (unless the user set them): weights are local, nothing is reported.
ENGINE_ENV = {"HF_HUB_OFFLINE": "1", "VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1"}
CPU_KV_CACHE_GIB = 2.0
LOG_FILE = "vllm.log"


def vllm_quantization(spec: ModelSpec) -> str | None:
    """vLLM's name for the spec's quantization method (None: unquantized weights)."""
    from parlour.models.weights.checkpoint import CHECKPOINT_PREFIX

    if spec.quantization is None or (spec.weights or "").startswith(CHECKPOINT_PREFIX):
        return None  # a checkpoint parlour made: the label names the GGUF it was dequantized from
    method = VLLM_QUANTIZATION.get(spec.quantization.lower())
    if method is None:
        raise ParlourError(
            f"model {spec.name}: quantization '{spec.quantization}' is not a vLLM method "
            f"(known: {', '.join(sorted(VLLM_QUANTIZATION))})"
        )
    return method


def vllm_cpu_build() -> bool:
    """Whether the installed vLLM is its CPU build (package `vllm-cpu`), read from metadata, not imported."""
    try:
        importlib.metadata.distribution("vllm-cpu")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def engine_args(spec: ModelSpec, cpu: bool | None = None) -> dict[str, Any]:
    """The AsyncEngineArgs fields for this spec, as plain data (recorded in run.json). `cpu`: vLLM's CPU
    build (default: whichever is installed)."""
    cpu = vllm_cpu_build() if cpu is None else cpu
    if not spec.weights:
        raise ParlourError(f"model {spec.name}: the vllm backend needs `weights` (a local checkpoint folder)")
    folder, gguf_file = weights_location(spec)
    model = str(Path(folder) / gguf_file) if gguf_file else folder
    options = spec.options
    args: dict[str, Any] = {
        "model": model,
        "tokenizer": str(options.get("tokenizer") or folder),
        "dtype": str(options.get("dtype", "bfloat16")),
        "quantization": vllm_quantization(spec),
        "tensor_parallel_size": int(options.get("tensor_parallel_size", 1)),
        "gpu_memory_utilization": float(options.get("gpu_memory_utilization", 0.9)),
        "max_model_len": spec.context_size,
        "enable_prefix_caching": True,
        # vLLM's defaults, not the weights' generation_config.json: no sampling defaults or extra EOS ids
        # beyond what parlour sends and records
        "generation_config": "vllm",
        "load_format": str(options.get("load_format", "auto")),
        "enforce_eager": bool(options.get("enforce_eager", cpu)),
        "seed": int(spec.sampling.get("seed", 0)),
    }
    if cpu:
        args["kv_cache_memory_bytes"] = int(float(options.get("kv_cache_gib", CPU_KV_CACHE_GIB)) * 2**30)
    if spec.batch_size:
        args["max_num_seqs"] = spec.batch_size
    extra = options.get("engine_args", {})
    if not isinstance(extra, dict):
        raise ParlourError(f"model {spec.name}: options.engine_args must be a mapping of AsyncEngineArgs fields")
    return {**args, **extra}


def sampling_params(spec: ModelSpec, stop_token_ids: list[int], shadow_tokens: int | None = None) -> dict[str, Any]:
    """The SamplingParams fields of one request. A shadowed request generates exactly `shadow_tokens`
    tokens (end-of-sequence and stops ignored) and is not detokenized by vLLM (parlour decodes the ids)."""
    params: dict[str, Any] = {
        "n": 1,
        "temperature": spec.temperature,
        "max_tokens": spec.max_tokens,
        "stop_token_ids": list(stop_token_ids),
        "stop": list(spec.stop),
        "skip_special_tokens": False,
    }
    for key, value in spec.sampling.items():
        target = SAMPLING_KEYS.get(key)
        if target and (spec.temperature > 0 or key not in SAMPLING_ONLY):
            params[target] = value
    if shadow_tokens:
        params.update(
            max_tokens=shadow_tokens,
            min_tokens=shadow_tokens,
            ignore_eos=True,
            stop_token_ids=[],
            stop=[],
            detokenize=False,
        )
    return params


@dataclass
class EngineOutput:
    """What parlour needs back from one finished request."""

    token_ids: list[int]
    finish_reason: str | None


class Engine(Protocol):
    """The part of vLLM's engine that parlour uses (the real one is `AsyncLLMEngine`; tests use a fake)."""

    max_model_len: int

    async def complete(self, prompt_ids: list[int], params: dict[str, Any], request_id: str) -> EngineOutput: ...

    def shutdown(self) -> None: ...


@contextlib.contextmanager
def output_to(log_fd: int) -> Iterator[None]:
    """This process's stdout and stderr, as file descriptors, go to `log_fd` meanwhile: the engine
    processes started inside inherit them, so all they ever print goes to the log."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


def open_log(log_folder: Path | None) -> tuple[Path, int]:
    """The engine's log file (appended to, never through a link) and its descriptor."""
    if log_folder is None:
        fd, name = tempfile.mkstemp(prefix="parlour-vllm-", suffix=".log")
        return Path(name), fd
    path = log_folder / LOG_FILE
    try:
        return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise ParlourError(f"{path}: cannot be opened for vLLM's log ({exc.strerror}; a link is refused)") from None


class AsyncLLMEngine:
    """vLLM's AsyncLLM behind the `Engine` protocol; imports vLLM only when built. Everything vLLM prints,
    in this process and in its engine processes, goes to the log file `log_fd`."""

    def __init__(self, args: dict[str, Any], log_fd: int) -> None:
        self._log_handler = logging.StreamHandler(os.fdopen(os.dup(log_fd), "a", buffering=1, encoding="utf-8"))
        for key, value in ENGINE_ENV.items():
            os.environ.setdefault(key, value)
        with output_to(log_fd):
            from vllm import SamplingParams
            from vllm.engine.arg_utils import AsyncEngineArgs
            from vllm.sampling_params import RequestOutputKind
            from vllm.v1.engine.async_llm import AsyncLLM

            self._sampling_params = SamplingParams
            self._final_only = RequestOutputKind.FINAL_ONLY  # one message per request, not one per token
            self._engine = AsyncLLM.from_engine_args(AsyncEngineArgs(**args))
            # vLLM configures its logger while it starts: from now on it writes to the log, not stdout
            self._vllm_logger = logging.getLogger("vllm")
            self._vllm_handlers = list(self._vllm_logger.handlers)
            self._log_handler.setFormatter(self._vllm_handlers[0].formatter if self._vllm_handlers else None)
            self._vllm_logger.handlers = [self._log_handler]
        self.max_model_len = int(self._engine.model_config.max_model_len)  # the config's when the spec has none

    async def complete(self, prompt_ids: list[int], params: dict[str, Any], request_id: str) -> EngineOutput:
        sampling = self._sampling_params(**params, output_kind=self._final_only)
        final = None
        async for output in self._engine.generate({"prompt_token_ids": prompt_ids}, sampling, request_id):
            final = output
        if final is None or not final.outputs:
            raise BackendError(f"vLLM returned no output for request {request_id}")
        completion = final.outputs[0]
        return EngineOutput(list(completion.token_ids), completion.finish_reason)

    def shutdown(self) -> None:
        """Stop the engine processes, then collect the engine now: vLLM's finaliser run at interpreter exit
        prints a traceback."""
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.shutdown()
            del engine
            gc.collect()
            # multiprocessing's resource tracker (started for vLLM's shared memory) would outlive this
            # process by a moment; stopping it now waits for it (it restarts when next needed)
            stop_tracker = getattr(resource_tracker._resource_tracker, "_stop", None)
            if stop_tracker is not None:
                stop_tracker()
        self._vllm_logger.handlers = self._vllm_handlers
        self._log_handler.close()


def engine_env() -> dict[str, str]:
    """The environment an owned engine runs with, as far as it shapes it: parlour's settings and any
    VLLM_CPU_* / OMP_* variable the user set (thread binding, KV cache space)."""
    chosen = {key: os.environ.get(key, value) for key, value in ENGINE_ENV.items()}
    return chosen | {k: v for k, v in sorted(os.environ.items()) if k.startswith(("VLLM_CPU_", "OMP_"))}


def vllm_installed() -> bool:
    return importlib.util.find_spec("vllm") is not None


class VLLMModel(TemplatedPrompts, Model):
    """A parlour-owned vLLM engine; one request per episode in flight."""

    def __init__(self, spec: ModelSpec, engine_factory: Any = None, tokenizer: Any = None) -> None:
        super().__init__(spec)
        if spec.base_url and not spec.weights:
            raise ParlourError(
                f"model {spec.name}: backend 'vllm' is parlour's own vLLM engine and needs `weights`; "
                "for an OpenAI-compatible vLLM server at base_url use `backend: vllm_server`"
            )
        self.engine_args = engine_args(spec)
        if engine_factory is None and not vllm_installed():
            raise ParlourError(f"model {spec.name}: the vllm backend needs vLLM ({install_command('vllm')})")
        self._engine_factory = engine_factory or AsyncLLMEngine
        self.shadow = ShadowPlan.from_spec(spec)
        if tokenizer is None:  # where engine_args found it: resolving the weights again would re-hash them
            args = self.engine_args
            own_folder = spec.options.get("tokenizer") or args["model"] == args["tokenizer"]
            tokenizer = load_tokenizer(args["tokenizer"], None if own_folder else Path(args["model"]).name, spec.name)
        self.tokenizer = tokenizer
        self.template = ChatTemplate(self.tokenizer, spec.chat_template, spec.name, spec.stop)
        self._engine: Engine | None = None
        self._start_error: ParlourError | None = None  # a failed start is not retried by every episode
        self.log_path: Path | None = None
        self._log_fd: int | None = None
        self._log_is_temporary = False  # no log folder was given: the log is a temporary file
        self._closed = False
        self._request_ids = itertools.count()

    @property
    def default_concurrency(self) -> int:
        """vLLM batches whatever is in flight, so keep many episodes going."""
        return self.spec.concurrency or self.spec.batch_size or 256

    # -- prompt and stops (doctor and requests.json read these) --------------------------------
    @property
    def stop_token_ids(self) -> list[int]:
        return self.template.stop_token_ids()

    def ignored_parameters(self) -> list[str]:
        return sorted(
            key
            for key in self.spec.sampling
            if key not in SAMPLING_KEYS or (self.spec.temperature == 0 and key in SAMPLING_ONLY and key != "seed")
        )

    # -- engine -----------------------------------------------------------------------------------
    async def start(self, log_folder: Path | None = None) -> list[str]:
        """Start the engine now, inside the event loop (vLLM binds its output handler to it), before the
        progress display: its log goes to `log_folder`/vllm.log."""
        if self._log_fd is None:
            self.log_path, self._log_fd = open_log(log_folder)
            self._log_is_temporary = log_folder is None
        _ = self.engine
        return [f"vLLM's own output goes to {self.log_path}"]

    @property
    def engine(self) -> Engine:
        """The engine; started on first use when `start` was not called (its log then in a temporary file)."""
        if self._closed:
            raise BackendError(f"model {self.spec.name}: the vLLM engine has been shut down")
        if self._start_error is not None:
            raise self._start_error
        if self._engine is None:
            if self._log_fd is None:
                self.log_path, self._log_fd = open_log(None)
                self._log_is_temporary = True
            try:
                self._engine = self._engine_factory(self.engine_args, self._log_fd)
            except Exception as exc:  # CUDA, memory, config: one line naming the model, folder and log
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                self._start_error = ParlourError(
                    f"model {self.spec.name}: vLLM could not start on {self.engine_args['model']}: {first} "
                    f"(vLLM's log: {self.log_path})"
                )
                raise self._start_error from exc
        return self._engine

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        prompt = self.render(messages)
        prompt_ids = self.template.encode(prompt)
        shadow_tokens = self.shadow.tokens_for(prompt) if self.shadow else None
        params = sampling_params(self.spec, self.stop_token_ids, shadow_tokens)
        engine = self.engine
        error = context_overflow(self.spec.name, len(prompt_ids), params["max_tokens"], engine.max_model_len)
        if error is not None:
            raise error
        request_id = f"parlour-{next(self._request_ids)}"
        try:
            output = await engine.complete(prompt_ids, params, request_id)
        except (ParlourError, asyncio.CancelledError):
            raise
        except Exception as exc:
            raise BackendError(f"model {self.spec.name}: vLLM request failed: {exc}") from exc
        stops = [] if shadow_tokens else self.stop_token_ids
        reply = self.template.split_reply(output.token_ids, stops)
        finish = output.finish_reason or reply.finish_reason
        usage = {"prompt_tokens": len(prompt_ids), "completion_tokens": reply.tokens}
        record: dict[str, Any] = {"inputs": prompt, "request_id": request_id, "sampling_params": params}
        if shadow_tokens and self.shadow:
            record["shadow"] = self.shadow.record(shadow_tokens)
        return Generation(
            prompt=record,
            response={
                "response": prompt + reply.raw,
                "completion": reply.raw,
                "finish_reason": finish,
                "usage": dict(usage),
            },
            text=reply.text,
            usage=usage,
            shadow_policy=self.shadow.policy if self.shadow else None,
        )

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            engine="vllm AsyncLLM (in-process)",
            engine_args=self.engine_args,
            chat_template=self.template.source,
            stop_in_effect=self.stop_tokens,
            sampling_params=sampling_params(self.spec, self.stop_token_ids),
            shadow=self.shadow.describe() if self.shadow else None,
            vllm_version=package_version("vllm") or package_version("vllm-cpu"),
            vllm_build="cpu" if vllm_cpu_build() else "cuda",
            engine_env=engine_env(),
            weights_origin=self._weights_origin(),
        )
        return info

    def _weights_origin(self) -> dict[str, Any] | None:
        """For a checkpoint parlour made from a GGUF: which file, which quantization, which dtype."""
        from parlour.models.weights.checkpoint import describe_checkpoint

        return describe_checkpoint(Path(self.engine_args["model"]))

    async def aclose(self) -> None:
        """Shut the engine down (its worker processes and GPU memory); safe to call twice."""
        self._closed = True
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.shutdown()
        if self._log_fd is not None:
            os.close(self._log_fd)
            self._log_fd = None
        # a temporary log is kept only when it explains a failed start (the error names it)
        if self.log_path is not None and self._log_is_temporary and self._start_error is None:
            self.log_path.unlink(missing_ok=True)
