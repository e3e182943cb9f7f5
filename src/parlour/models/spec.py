"""`ModelSpec`: a model as its full specification M = (d, Θ), with a stable hash.

Two results differ in spec exactly where their specs differ: everything that can change what the
model generates is part of the hash; names, descriptive characteristics and operational settings
(concurrency, timeouts, retries, where the key comes from) are not.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Fields that do not change generated text and therefore stay out of the hash.
_NOT_HASHED = {
    "name",
    "characteristics",
    "concurrency",
    "timeout_s",
    "max_retries",
    "api_key_env",
    "description",
}
# Fields added to the hash after results existed: hashed only when set, so older specs keep their hash.
_HASHED_WHEN_SET = {"batch_size"}


class ModelSpec(BaseModel):
    """Everything needed to reproduce a model's replies, as recorded in each run's run.json."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Registry name; used in result folder names.")
    backend: str = Field(description="llamacpp | openai_compatible | huggingface | programmatic | scripted | ...")
    description: str | None = None
    model_id: str | None = Field(None, description="Model id sent to an API, or a hub id.")
    weights: str | None = Field(
        None,
        description="Local weights: a GGUF file or checkpoint folder; 'package:NAME/GLOB' finds a file "
        "inside an installed distribution without importing it.",
    )
    gguf_file: str | None = Field(None, description="GGUF file inside `weights` (huggingface backend).")
    quantization: str | None = Field(None, description="e.g. Q4_1, Q8_0, F16; None for unquantized.")
    base_model: str | None = Field(None, description="The weights this spec derives from (for grouping).")
    chat_template: str | None = Field(None, description="Jinja chat template; None = the weights' own.")
    stop: list[str] = Field(default_factory=list, description="Stop strings in addition to end-of-turn/EOS.")
    temperature: float = 0.0
    max_tokens: int = 100
    sampling: dict[str, Any] = Field(
        default_factory=dict,
        description="Every other sampling parameter sent (top_p, repeat_penalty, seed...).",
    )
    context_size: int | None = Field(None, description="Context window; None = read from the weights.")
    base_url: str | None = None
    api_key_env: str | None = Field(None, description="Environment variable holding the API key.")
    concurrency: int | None = Field(None, description="Max requests in flight for this model's endpoint.")
    batch_size: int | None = Field(
        None,
        description="Max requests generated in one batch (local backends); batching can change the last bits "
        "of the logits, so it is part of the hash.",
    )
    timeout_s: float = 120.0
    max_retries: int = 5
    options: dict[str, Any] = Field(default_factory=dict, description="Backend-specific options.")
    characteristics: dict[str, Any] = Field(
        default_factory=dict, description="Descriptive facts (params_b, train_tokens_t, ...); not hashed."
    )

    def hashed_fields(self) -> dict[str, Any]:
        """The fields that determine generation, as a plain dict."""
        fields = self.model_dump(exclude=_NOT_HASHED, mode="json")
        return {k: v for k, v in fields.items() if not (k in _HASHED_WHEN_SET and v is None)}

    def spec_hash(self) -> str:
        """A short stable hash of the generation-relevant fields."""
        canonical = json.dumps(self.hashed_fields(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def with_generation(self, temperature: float | None = None, max_tokens: int | None = None) -> ModelSpec:
        """A copy with the CLI's -t / -l applied."""
        update: dict[str, Any] = {}
        if temperature is not None:
            update["temperature"] = temperature
        if max_tokens is not None:
            update["max_tokens"] = max_tokens
        return self.model_copy(update=update)

    def pair_name(self) -> str:
        """clembench's player name in result folders: `<name>-t<temperature>`."""
        return f"{self.name}-t{self.temperature}"
