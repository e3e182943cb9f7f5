"""Turn a `ModelSpec` into a live `Model` by importing only the backend it needs."""

from __future__ import annotations

import importlib

from parlour.chat import Model
from parlour.errors import ParlourError
from parlour.models.spec import ModelSpec

# backend name -> "module:Class"; imported lazily so optional dependencies stay optional.
BACKENDS: dict[str, str] = {
    "programmatic": "parlour.models.programmatic:ProgrammaticModel",
    "scripted": "parlour.models.programmatic:ScriptedModel",
    "llamacpp": "parlour.models.engines.llamacpp:LlamaCppModel",
    "openai_compatible": "parlour.models.remote.openai_compatible:OpenAICompatibleModel",
    "huggingface": "parlour.models.engines.huggingface:HuggingFaceModel",
    "vllm": "parlour.models.engines.vllm_engine:VLLMModel",
    "openai": "parlour.models.remote.openai_compatible:ProviderModel",
    "groq": "parlour.models.remote.openai_compatible:ProviderModel",
    "together": "parlour.models.remote.openai_compatible:ProviderModel",
    "openrouter": "parlour.models.remote.openai_compatible:ProviderModel",
    "mistral": "parlour.models.remote.openai_compatible:ProviderModel",
    "vllm_server": "parlour.models.remote.openai_compatible:ProviderModel",
    "llamacpp_server": "parlour.models.remote.openai_compatible:ProviderModel",
    "anthropic": "parlour.models.remote.anthropic:AnthropicModel",
    "google": "parlour.models.remote.google:GoogleModel",
    "cohere": "parlour.models.remote.cohere:CohereModel",
}

# The backends that talk to a server over HTTP: a model of theirs can be named `PROVIDER/MODEL_ID` on the
# command line without a registry entry.
HOSTED = tuple(sorted(name for name, target in BACKENDS.items() if target.startswith("parlour.models.remote.")))


def load_model(spec: ModelSpec) -> Model:
    """Instantiate the backend for `spec` (raises a one-line error for unknown or uninstalled backends)."""
    target = BACKENDS.get(spec.backend)
    if target is None:
        raise ParlourError(
            f"model {spec.name}: unknown backend '{spec.backend}' (known: {', '.join(sorted(BACKENDS))})"
        )
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ParlourError(
            f"model {spec.name}: backend '{spec.backend}' needs a missing package ({exc.name}); "
            f"install parlour's extra for it"
        ) from exc
    return getattr(module, class_name)(spec)
