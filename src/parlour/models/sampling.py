"""The sampling settings a spec may set (`sampling:` in a registry entry): each one typed and bounded, and
which of them each local engine applies.

A key parlour does not know is refused with the nearest known name, so `topp: 0.9` cannot run as if
unset. A local engine (llama.cpp, transformers, vLLM) refuses a known key it does not apply; a hosted
provider does not send the keys its API lacks and run.json lists them (one sweep may share settings
across providers).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from parlour.errors import did_you_mean

SEED_MAX = 2**32 - 1  # llama.cpp's seed is an unsigned 32-bit integer


class Sampling(BaseModel):
    """Every sampling setting parlour knows, with its type and range (strict: `hot` is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    top_p: float | None = Field(None, gt=0, le=1, allow_inf_nan=False)
    top_k: int | None = Field(None, ge=-1, description="0 or -1: off")
    min_p: float | None = Field(None, ge=0, le=1, allow_inf_nan=False)
    typical_p: float | None = Field(None, gt=0, le=1, allow_inf_nan=False)
    top_a: float | None = Field(None, ge=0, le=1, allow_inf_nan=False)
    repeat_penalty: float | None = Field(None, gt=0, le=10, allow_inf_nan=False)
    repetition_penalty: float | None = Field(None, gt=0, le=10, allow_inf_nan=False)
    presence_penalty: float | None = Field(None, ge=-2, le=2, allow_inf_nan=False)
    frequency_penalty: float | None = Field(None, ge=-2, le=2, allow_inf_nan=False)
    seed: int | None = Field(None, ge=0, le=SEED_MAX)
    no_repeat_ngram_size: int | None = Field(None, ge=0)
    logit_bias: dict[int | str, Annotated[float, Field(ge=-100, le=100)]] | None = None  # token id -> bias
    logprobs: bool | None = None
    top_logprobs: int | None = Field(None, ge=0, le=20)
    n: int | None = Field(None, ge=1, le=1, description="parlour records one reply per request")
    safe_prompt: bool | None = None  # Mistral
    provider: dict[str, Any] | None = None  # OpenRouter's upstream routing


KNOWN = tuple(Sampling.model_fields)

# What each local engine applies: its name for each key (the engine sends exactly these).
LLAMACPP_DEFAULTS: dict[str, Any] = {  # llama-cpp-python's defaults, sent explicitly so run.json records them
    "top_p": 0.95,
    "top_k": 40,
    "min_p": 0.05,
    "repeat_penalty": 1.0,
    "seed": 0,
}
TRANSFORMERS_NAMES = {  # spec key -> transformers generate() keyword (seed seeds torch)
    "top_p": "top_p",
    "top_k": "top_k",
    "min_p": "min_p",
    "repetition_penalty": "repetition_penalty",
    "repeat_penalty": "repetition_penalty",
    "no_repeat_ngram_size": "no_repeat_ngram_size",
}
VLLM_NAMES = {  # spec key -> vLLM SamplingParams field
    "top_p": "top_p",
    "top_k": "top_k",
    "min_p": "min_p",
    "repetition_penalty": "repetition_penalty",
    "repeat_penalty": "repetition_penalty",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "seed": "seed",
}
LOCAL_ENGINE_KEYS: dict[str, frozenset[str]] = {
    "llamacpp": frozenset(LLAMACPP_DEFAULTS),
    "huggingface": frozenset(TRANSFORMERS_NAMES) | {"seed"},
    "vllm": frozenset(VLLM_NAMES),
}


def check_sampling(backend: str, sampling: dict[str, Any]) -> None:
    """Raise ValueError (one line) for an unknown key, a value of the wrong type or out of range, or a key
    that `backend`, a local engine, would not apply."""
    applied = LOCAL_ENGINE_KEYS.get(backend)
    for key in sampling:
        if key not in KNOWN:
            raise ValueError(f"unknown sampling setting `{key}`{did_you_mean(str(key), applied or KNOWN)}")
        if applied is not None and key not in applied:
            raise ValueError(
                f"sampling setting `{key}` is not applied by the {backend} backend "
                f"(it applies: {', '.join(sorted(applied))})"
            )
    try:
        Sampling.model_validate(sampling)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"sampling `{'.'.join(str(x) for x in first['loc'])}`: {first['msg']}") from None
