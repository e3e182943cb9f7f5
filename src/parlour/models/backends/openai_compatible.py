"""Any OpenAI-compatible chat endpoint (vLLM, llama.cpp server, Groq, Together, ...), over httpx.

Requests to one endpoint share a concurrency limit (`concurrency` in the spec, default 8); transient
failures are retried with exponential backoff (see retry.py). The API key is read from the
environment variable named by `api_key_env` and is never recorded.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx

from parlour.errors import ParlourError
from parlour.models.base import Generation, Model
from parlour.models.messages import ensure_alternating_roles
from parlour.models.retry import TransientError, check_response, with_retries
from parlour.models.spec import ModelSpec

DEFAULT_CONCURRENCY = 8
# One semaphore per (event loop, endpoint): every model on the same server shares the limit.
_SEMAPHORES: dict[tuple[int, str], asyncio.Semaphore] = {}


def endpoint_semaphore(base_url: str, limit: int) -> asyncio.Semaphore:
    key = (id(asyncio.get_running_loop()), base_url)
    if key not in _SEMAPHORES:
        _SEMAPHORES[key] = asyncio.Semaphore(limit)
    return _SEMAPHORES[key]


class OpenAICompatibleModel(Model):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        if not spec.base_url:
            raise ParlourError(f"model {spec.name}: the openai_compatible backend needs `base_url`")
        self.base_url = spec.base_url.rstrip("/")
        self.api_key = os.environ.get(spec.api_key_env, "") if spec.api_key_env else ""
        if spec.api_key_env and not self.api_key:
            raise ParlourError(f"model {spec.name}: environment variable {spec.api_key_env} (API key) is not set")
        self._client: httpx.AsyncClient | None = None
        self.base_delay_s = float(spec.options.get("retry_base_delay_s", 1.0))

    @property
    def default_concurrency(self) -> int:
        return self.spec.concurrency or DEFAULT_CONCURRENCY

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            self._client = httpx.AsyncClient(timeout=self.spec.timeout_s, headers=headers)
        return self._client

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """Everything sent, except the key: this is what requests.json records."""
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

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        body = self.request_body(messages)
        url = f"{self.base_url}/chat/completions"
        what = f"model {self.spec.name} at {self.base_url}"

        async def call() -> dict[str, Any]:
            response = await self._http().post(url, json=body)
            check_response(response, what)
            try:
                data = response.json()
                text = data["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise TransientError(f"malformed reply: {response.text[:120]!r}") from exc
            if not isinstance(text, str):
                raise TransientError(f"reply content is not text: {text!r}"[:160])
            return data

        async with endpoint_semaphore(self.base_url, self.spec.concurrency or DEFAULT_CONCURRENCY):
            data = await with_retries(call, what, self.spec.max_retries, self.base_delay_s)
        text = data["choices"][0]["message"]["content"]
        return Generation(
            prompt=body,
            response={
                "response": text,
                "finish_reason": data["choices"][0].get("finish_reason"),
                "usage": data.get("usage") or {},
                "model": data.get("model"),
            },
            text=text.strip(),
            usage=dict(data.get("usage") or {}),
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
