"""Cohere's Chat API v2 (`backend: cohere`), over httpx."""

from __future__ import annotations

from typing import Any

from parlour.models.remote.native import NativeAPIModel, usage_counts


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
        return self.chat_body(messages, stop_key="stop_sequences")

    def parse(self, data: dict[str, Any]) -> tuple[str, str | None, dict[str, int]]:
        content = data["message"]["content"]
        text = "".join(block.get("text", "") for block in content if block.get("type") == "text")
        tokens = (data.get("usage") or {}).get("tokens") or {}
        finish = {"COMPLETE": "stop", "STOP_SEQUENCE": "stop", "MAX_TOKENS": "length"}.get(
            data.get("finish_reason"), data.get("finish_reason")
        )
        return text, finish, usage_counts(tokens.get("input_tokens"), tokens.get("output_tokens"))
