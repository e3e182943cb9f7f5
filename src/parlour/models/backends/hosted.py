"""Hosted chat APIs: OpenAI-compatible provider presets, and the native wire formats of Anthropic
(Messages API), Google (Gemini generateContent) and Cohere (Chat v2), spoken over httpx.

Every request body is recorded as sent (requests.json's manipulated_prompt_obj); sampling parameters
an API does not expose are not sent and are listed by `ignored_parameters()` (run.json). API keys
travel only in request headers: never in a body, URL, recorded spec or error message. Every request
takes the shared remote path of backends/remote.py (limit, breaker, deadline, retries).
"""

from __future__ import annotations

from typing import Any

from parlour.errors import ParlourError
from parlour.models.backends.openai_compatible import OpenAICompatibleModel
from parlour.models.backends.remote import RemoteModel
from parlour.models.messages import ensure_alternating_roles
from parlour.models.providers import PROVIDERS, Provider
from parlour.models.spec import ModelSpec


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


class NativeAPIModel(RemoteModel):
    """Shared plumbing of the non-OpenAI wire formats."""

    provider_name: str = ""
    #: parlour sampling key -> the API's name for it; keys not here are ignored.
    sampling_names: dict[str, str] = {}

    def sampling_sent(self) -> dict[str, Any]:
        return {self.sampling_names[k]: v for k, v in self.spec.sampling.items() if k in self.sampling_names}

    def ignored_parameters(self) -> list[str]:
        return sorted(k for k in self.spec.sampling if k not in self.sampling_names)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(provider=self.provider_name, base_url_in_effect=self.public_url, api_key_env=self.key_env)
        return info

    def _split_system(self, messages: list[dict[str, str]]) -> tuple[str | None, list[dict[str, str]]]:
        normalised = ensure_alternating_roles(messages)
        system = "\n\n".join(m["content"] for m in normalised if m["role"] == "system") or None
        return system, [m for m in normalised if m["role"] != "system"]


class AnthropicModel(NativeAPIModel):
    """Anthropic Messages API (POST /v1/messages); the system message goes in its own field."""

    provider_name = "anthropic"
    default_base_url = "https://api.anthropic.com"
    default_key_env = "ANTHROPIC_API_KEY"
    sampling_names = {"top_p": "top_p", "top_k": "top_k"}
    api_version = "2023-06-01"

    def url(self) -> str:
        return f"{self.base_url}/v1/messages"

    def auth_headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key, "anthropic-version": self.api_version}

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        system, turns = self._split_system(messages)
        body: dict[str, Any] = {
            "model": self.spec.model_id or self.spec.name,
            "messages": turns,
            "max_tokens": self.spec.max_tokens,
            "temperature": self.spec.temperature,
        }
        if system:
            body["system"] = system
        if self.spec.stop:
            body["stop_sequences"] = list(self.spec.stop)
        body.update(self.sampling_sent())
        return body

    def parse(self, data: dict[str, Any]) -> tuple[str, str | None, dict[str, int]]:
        text = "".join(block["text"] for block in data["content"] if block.get("type") == "text")
        usage = data.get("usage") or {}
        finish = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}.get(
            data.get("stop_reason"), data.get("stop_reason")
        )
        return text, finish, _usage(usage.get("input_tokens"), usage.get("output_tokens"))


class GoogleModel(NativeAPIModel):
    """Google Gemini API (POST /v1beta/models/{model}:generateContent); safety filters off as in clembench."""

    provider_name = "google"
    default_base_url = "https://generativelanguage.googleapis.com"
    default_key_env = "GOOGLE_API_KEY"
    sampling_names = {
        "top_p": "topP",
        "top_k": "topK",
        "seed": "seed",
        "presence_penalty": "presencePenalty",
        "frequency_penalty": "frequencyPenalty",
    }
    safety_categories = (
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
    )

    def url(self) -> str:
        return f"{self.base_url}/v1beta/models/{self.spec.model_id or self.spec.name}:generateContent"

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key}  # a header, so the key never appears in a logged URL

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        system, turns = self._split_system(messages)
        config: dict[str, Any] = {
            "temperature": self.spec.temperature,
            "maxOutputTokens": self.spec.max_tokens,
            "candidateCount": 1,
        }
        if self.spec.stop:
            config["stopSequences"] = list(self.spec.stop)
        config.update(self.sampling_sent())
        body: dict[str, Any] = {
            "contents": [
                {"role": "model" if m["role"] == "assistant" else "user", "parts": [{"text": m["content"]}]}
                for m in turns
            ],
            "generationConfig": config,
            "safetySettings": [{"category": c, "threshold": "BLOCK_NONE"} for c in self.safety_categories],
        }
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        return body

    def parse(self, data: dict[str, Any]) -> tuple[str, str | None, dict[str, int]]:
        usage = data.get("usageMetadata") or {}
        counts = _usage(usage.get("promptTokenCount"), usage.get("candidatesTokenCount"))
        candidates = data.get("candidates") or []
        if not candidates:  # the prompt itself was blocked: an empty reply, the game decides
            return "", (data.get("promptFeedback") or {}).get("blockReason", "blocked"), counts
        candidate = candidates[0]
        parts = (candidate.get("content") or {}).get("parts") or []
        text = "".join(part.get("text", "") for part in parts)
        finish = {"STOP": "stop", "MAX_TOKENS": "length"}.get(
            candidate.get("finishReason"), candidate.get("finishReason")
        )
        return text, finish, counts


class CohereModel(NativeAPIModel):
    """Cohere Chat API v2 (POST /v2/chat)."""

    provider_name = "cohere"
    default_base_url = "https://api.cohere.com"
    default_key_env = "CO_API_KEY"
    sampling_names = {
        "top_p": "p",
        "top_k": "k",
        "seed": "seed",
        "frequency_penalty": "frequency_penalty",
        "presence_penalty": "presence_penalty",
    }

    def url(self) -> str:
        return f"{self.base_url}/v2/chat"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.spec.model_id or self.spec.name,
            "messages": ensure_alternating_roles(messages),
            "temperature": self.spec.temperature,
            "max_tokens": self.spec.max_tokens,
        }
        if self.spec.stop:
            body["stop_sequences"] = list(self.spec.stop)
        body.update(self.sampling_sent())
        return body

    def parse(self, data: dict[str, Any]) -> tuple[str, str | None, dict[str, int]]:
        content = data["message"]["content"]
        text = "".join(block.get("text", "") for block in content if block.get("type") == "text")
        tokens = (data.get("usage") or {}).get("tokens") or {}
        finish = {"COMPLETE": "stop", "STOP_SEQUENCE": "stop", "MAX_TOKENS": "length"}.get(
            data.get("finish_reason"), data.get("finish_reason")
        )
        return text, finish, _usage(tokens.get("input_tokens"), tokens.get("output_tokens"))


def _usage(prompt: Any, completion: Any) -> dict[str, int]:
    usage = {}
    if isinstance(prompt, int | float):
        usage["prompt_tokens"] = int(prompt)
    if isinstance(completion, int | float):
        usage["completion_tokens"] = int(completion)
    return usage
