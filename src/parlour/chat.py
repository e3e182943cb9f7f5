"""A chat model as games and backends both see it: `Model` answers a message list with a `Generation`.

Games hold a `Model` and call it; every backend under parlour.models subclasses it. This module stands
below both, so that games and models never import each other: it imports neither at run time
(`ModelSpec` is named for type checkers only).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parlour.errors import BackendError

if TYPE_CHECKING:
    from parlour.models.spec import ModelSpec


@dataclass
class Generation:
    """One model call: what was sent (as the backend saw it), what came back, and the reply text."""

    prompt: dict[str, Any]  # recorded as requests.json's manipulated_prompt_obj
    response: dict[str, Any]  # recorded as raw_response_obj
    text: str
    usage: dict[str, int] = field(default_factory=dict)
    #: load-shadow mode (benchmarks): the engine did the work a reply costs, but the game takes its reply
    #: text from this programmatic policy (e.g. "oracle"), so episodes run their full length.
    shadow_policy: str | None = None


def reply_too_large(spec: ModelSpec, size: int, what: str = "reply") -> BackendError | None:
    """The error for a reply of `size` bytes over the spec's `max_reply_bytes`; None when it fits."""
    if size <= spec.max_reply_bytes:
        return None
    return BackendError(
        f"model {spec.name}: {what} exceeds max_reply_bytes ({spec.max_reply_bytes} bytes, after decompression); "
        "raise `max_reply_bytes` in the model's registry entry if replies this long are expected"
    )


class Model(ABC):
    """A backend bound to one `ModelSpec`. One instance serves every episode of a run."""

    #: programmatic models are answered by the game's own role logic (oracles, format breakers).
    programmatic: bool = False

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    @property
    def name(self) -> str:
        return self.spec.name

    @abstractmethod
    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        """Reply to an OpenAI-style message list."""

    @property
    def default_concurrency(self) -> int:
        """Episodes worth running at once with this model when the user does not say (--concurrency)."""
        return self.spec.concurrency or 1

    def describe(self) -> dict[str, Any]:
        """What run.json records about this model: the spec, its hash, and backend facts."""
        return {
            **self.spec.model_dump(mode="json"),
            "spec_hash": self.spec.spec_hash(),
            "quantization_label": self.spec.quantization_label(),
            "ignored_parameters": self.ignored_parameters(),
        }

    def concurrency_note(self, requested: int) -> str | None:
        """A line to show when this model's endpoint limits fewer requests in flight than `requested`."""
        return None

    def endpoint_report(self) -> dict[str, Any]:
        """After a run, for run.json: the in-flight limits an HTTP endpoint used and its fault counts
        (empty for local backends)."""
        return {}

    def ignored_parameters(self) -> list[str]:
        """Sampling parameters in the spec that this backend cannot send or does not honour."""
        return []

    async def start(self, log_folder: Path | None = None) -> list[str]:
        """Start what the model runs on (an engine) before the first episode; an engine's own output goes
        to a log file in `log_folder` (a temporary one when None). Returns lines for the user. Default:
        nothing to start."""
        return []

    async def aclose(self) -> None:
        """Release connections, threads or weights."""
