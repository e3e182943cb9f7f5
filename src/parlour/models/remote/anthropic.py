"""Anthropic's Messages API (`backend: anthropic`), over httpx."""

from __future__ import annotations

from typing import Any

from parlour.models.remote.native import NativeAPIModel, usage_counts


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
        return text, finish, usage_counts(usage.get("input_tokens"), usage.get("output_tokens"))
