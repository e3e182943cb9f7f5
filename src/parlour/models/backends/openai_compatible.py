"""Any OpenAI-compatible chat endpoint (vLLM, llama.cpp server, Groq, Together, ...), over httpx.

Requests take the shared remote path (backends/remote.py): an adaptive per-endpoint limit starting at
`concurrency` (default 8), a per-attempt deadline of `timeout_s`, retries with backoff on transient
failures, and a circuit breaker. The API key is read from the environment variable named by
`api_key_env` and is never recorded.
"""

from __future__ import annotations

from typing import Any

from parlour.models.backends.remote import Parsed, RemoteModel
from parlour.models.messages import ensure_alternating_roles


class OpenAICompatibleModel(RemoteModel):
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.spec.model_id or self.spec.name,
            "messages": ensure_alternating_roles(messages),
            "temperature": self.spec.temperature,
            "max_tokens": self.spec.max_tokens,
        }
        if self.spec.stop:
            body["stop"] = list(self.spec.stop)
        body.update(self.sampling_sent())
        return body

    def sampling_sent(self) -> dict[str, Any]:
        """The sampling parameters put in the request (a provider preset may drop or rename some)."""
        return dict(self.spec.sampling)

    def parse(self, data: dict[str, Any]) -> Parsed:
        choice = data["choices"][0]
        return choice["message"]["content"], choice.get("finish_reason"), data.get("usage") or {}
