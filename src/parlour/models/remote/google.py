"""Google's Gemini API, generateContent (`backend: google`), over httpx."""

from __future__ import annotations

from typing import Any

from parlour.models.remote.native import NativeAPIModel, usage_counts


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
        counts = usage_counts(usage.get("promptTokenCount"), usage.get("candidatesTokenCount"))
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
