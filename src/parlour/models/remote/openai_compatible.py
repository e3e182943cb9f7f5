"""The OpenAI chat-completions wire format (POST {base_url}/chat/completions), over httpx: any
OpenAI-compatible endpoint (`openai_compatible`: vLLM's or llama.cpp's server, ...) and the provider
presets that speak it (openai, groq, together, openrouter, mistral, vllm_server, llamacpp_server).

Requests take the shared remote path (remote/backend.py): an adaptive per-endpoint limit starting at
`concurrency` (default 8), a per-attempt deadline of `timeout_s`, retries with backoff on transient
failures, and a circuit breaker. The API key is read from the environment variable named by
`api_key_env` and is never recorded.

A preset's registry entry needs only `backend: <preset>` and `model_id`, plus the API key in the
environment variable the preset names. Each preset lists the sampling parameters the provider's
chat-completions endpoint accepts (None: it accepts every parameter of the OpenAI-compatible servers,
including top_k, min_p and repetition_penalty); other keys in a spec's `sampling` are not sent and are
listed as ignored in run.json. `renames` maps parlour's names to the provider's. `notes` are documented
behaviours that change generation without showing in the request (recorded in run.json too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parlour.errors import ParlourError
from parlour.models.remote.backend import Parsed, RemoteModel
from parlour.models.spec import ModelSpec


class OpenAICompatibleModel(RemoteModel):
    """Any OpenAI-compatible chat endpoint at the spec's `base_url`."""

    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        return self.chat_body(messages, stop_key="stop")

    def sampling_sent(self) -> dict[str, Any]:
        """The sampling parameters put in the request (a provider preset may drop or rename some)."""
        return dict(self.spec.sampling)

    def parse(self, data: dict[str, Any]) -> Parsed:
        choice = data["choices"][0]
        return choice["message"]["content"], choice.get("finish_reason"), data.get("usage") or {}


OPENAI_PARAMS = frozenset(
    {"top_p", "seed", "frequency_penalty", "presence_penalty", "logit_bias", "logprobs", "top_logprobs", "n"}
)


@dataclass(frozen=True)
class Provider:
    name: str
    base_url: str
    api_key_env: str | None  # None: no key needed (local servers); a key is still sent if the spec names one
    accepts: frozenset[str] | None = None
    renames: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    defaults: dict = field(default_factory=dict)  # sampling sent unless the spec sets it

    def split_sampling(self, sampling: dict) -> tuple[dict, list[str]]:
        """(parameters to send, under the provider's names; parlour names of those not sent)."""
        sent: dict = {}
        ignored: list[str] = []
        for key, value in {**self.defaults, **sampling}.items():
            wire = self.renames.get(key, key)
            if self.accepts is None or wire in self.accepts:
                sent[wire] = value
            else:
                ignored.append(key)
        return sent, sorted(ignored)


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", OPENAI_PARAMS),
        Provider(
            "groq",
            "https://api.groq.com/openai/v1",
            "GROQ_API_KEY",
            frozenset({"top_p", "seed", "frequency_penalty", "presence_penalty"}),
            notes=("temperature 0 is converted to 1e-8 by the provider", "n must be 1; logprobs unsupported"),
        ),
        Provider(
            "together",
            "https://api.together.xyz/v1",
            "TOGETHER_API_KEY",
            OPENAI_PARAMS | {"top_k", "min_p", "repetition_penalty"},
            renames={"repeat_penalty": "repetition_penalty"},
        ),
        Provider(
            "openrouter",
            "https://openrouter.ai/api/v1",
            "OPENROUTER_API_KEY",
            OPENAI_PARAMS | {"top_k", "min_p", "top_a", "repetition_penalty", "provider"},
            renames={"repeat_penalty": "repetition_penalty"},
            notes=(
                "the same model id may be served by different upstream providers; pin one with "
                "sampling.provider = {order: [...], allow_fallbacks: false}",
                "upstream providers may silently drop parameters they do not support",
            ),
        ),
        Provider(
            "mistral",
            "https://api.mistral.ai/v1",
            "MISTRAL_API_KEY",
            frozenset({"top_p", "random_seed", "frequency_penalty", "presence_penalty", "safe_prompt"}),
            renames={"seed": "random_seed"},
        ),
        Provider(
            "vllm_server",  # `vllm` is parlour's own in-process engine (engines/vllm_engine.py)
            "http://127.0.0.1:8000/v1",
            None,
            None,
            notes=("the server applies the model's chat template and generation_config defaults",),
        ),
        Provider(
            "llamacpp_server",
            "http://127.0.0.1:8000/v1",
            None,
            None,
            renames={"repetition_penalty": "repeat_penalty"},
            notes=(
                "llama-cpp-python's server defaults repeat_penalty to 1.1 (the Python API to 1.0); "
                "the preset sends 1.0 unless the spec sets it",
                "llama.cpp's llama-server (--parallel N) decodes concurrent requests in one batch, so greedy replies "
                "can differ in the last bits from one-at-a-time decoding; python -m llama_cpp.server serialises "
                "requests (one at a time, whatever the concurrency)",
            ),
            defaults={"repeat_penalty": 1.0},
        ),
    )
}


class ProviderModel(OpenAICompatibleModel):
    """An OpenAI-compatible provider preset (openai, groq, together, openrouter, mistral, vllm_server,
    llamacpp_server)."""

    def __init__(self, spec: ModelSpec) -> None:
        provider = PROVIDERS.get(spec.backend)
        if provider is None:
            raise ParlourError(
                f"model {spec.name}: no provider preset '{spec.backend}' (known: {', '.join(PROVIDERS)})"
            )
        self.provider: Provider = provider
        update: dict[str, Any] = {}
        if not spec.base_url:
            update["base_url"] = provider.base_url
        if not spec.api_key_env and provider.api_key_env:
            update["api_key_env"] = provider.api_key_env
        super().__init__(spec.model_copy(update=update) if update else spec)

    def sampling_sent(self) -> dict[str, Any]:
        return self.provider.split_sampling(self.spec.sampling)[0]

    def ignored_parameters(self) -> list[str]:
        return self.provider.split_sampling(self.spec.sampling)[1]

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(provider=self.provider.name, provider_notes=list(self.provider.notes))
        return info
