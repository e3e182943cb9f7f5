"""Load-shadow mode for benchmarks: the engine generates the tokens a real reply would cost, the game
gets its reply from a programmatic policy (the oracle), so episodes run their full length even with
random weights.

Spec option (hashed, so shadow runs never mix with real ones):

    options:
      shadow: {policy: oracle, tokens: 40}            # every reply costs exactly 40 tokens
      shadow: {policy: oracle, tokens: [10, 60], seed: 0}   # a length drawn per prompt from [10, 60]

A drawn length depends only on (seed, prompt), not on the order in which concurrent episodes ask, so
two runs of the same benchmark cost the same tokens. A backend in shadow mode generates exactly that
many tokens with end-of-sequence ignored, records them as the completion, and returns
`Generation(shadow_policy=plan.policy)`; the Player then plays the policy's reply and keeps the
engine's text as `shadow_text`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from parlour.errors import ParlourError
from parlour.models.programmatic import check_policy
from parlour.models.spec import ModelSpec


@dataclass(frozen=True)
class ShadowPlan:
    """How many tokens each shadowed reply costs, and which policy writes the reply the game sees."""

    policy: str
    min_tokens: int
    max_tokens: int
    seed: int = 0

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> ShadowPlan | None:
        """The plan in `spec.options.shadow`, or None when the model runs normally."""
        raw = spec.options.get("shadow")
        if raw is None:
            return None
        where = f"model {spec.name}: options.shadow"
        if not isinstance(raw, dict) or set(raw) - {"policy", "tokens", "seed"}:
            raise ParlourError(f"{where} must be a mapping with keys policy, tokens and optionally seed")
        tokens = raw.get("tokens")
        if isinstance(tokens, int) and not isinstance(tokens, bool):
            low = high = tokens
        elif isinstance(tokens, list | tuple) and len(tokens) == 2 and all(isinstance(t, int) for t in tokens):
            low, high = tokens
        else:
            raise ParlourError(f"{where}.tokens must be a token count or a [min, max] range, not {tokens!r}")
        if not 1 <= low <= high:
            raise ParlourError(f"{where}.tokens must satisfy 1 <= min <= max, got {tokens!r}")
        policy, seed = raw.get("policy", "oracle"), raw.get("seed", 0)
        check_policy(policy, f"{where}.policy")
        if not isinstance(seed, int):
            raise ParlourError(f"{where}.seed must be an integer")
        return cls(policy, low, high, seed)

    def tokens_for(self, prompt: str) -> int:
        """The number of tokens to generate for this prompt (fixed, or drawn from (seed, prompt))."""
        if self.min_tokens == self.max_tokens:
            return self.min_tokens
        digest = hashlib.sha256(f"{self.seed}\0{prompt}".encode()).digest()
        return random.Random(digest).randint(self.min_tokens, self.max_tokens)

    def record(self, tokens: int) -> dict[str, Any]:
        """What requests.json records about one shadowed request."""
        return {"policy": self.policy, "tokens": tokens, "ignore_eos": True}

    def describe(self) -> dict[str, Any]:
        """What run.json records about the mode."""
        return {"policy": self.policy, "tokens": [self.min_tokens, self.max_tokens], "seed": self.seed}
