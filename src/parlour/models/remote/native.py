"""What the native (non-OpenAI) wire formats share: sampling parameters renamed to the API's names or
left out, the system message split from the turns, and the token counts of a reply.

Every request body is recorded as sent (requests.json's manipulated_prompt_obj); sampling parameters
an API does not expose are not sent and are listed by `ignored_parameters()` (run.json). API keys
travel only in request headers: never in a body, URL, recorded spec or error message. Every request
takes the shared remote path of remote/backend.py (limit, breaker, deadline, retries).
"""

from __future__ import annotations

from typing import Any

from parlour.models.messages import ensure_alternating_roles
from parlour.models.remote.backend import RemoteModel


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


def usage_counts(prompt: Any, completion: Any) -> dict[str, int]:
    """The usage record of a reply from its prompt and completion token counts (either may be missing)."""
    usage = {}
    if isinstance(prompt, int | float):
        usage["prompt_tokens"] = int(prompt)
    if isinstance(completion, int | float):
        usage["completion_tokens"] = int(completion)
    return usage
