"""Models without weights: game-defined programmatic players and scripted replay."""

from __future__ import annotations

from pathlib import Path

from parlour.chat import Generation, Model
from parlour.errors import BackendError, UnknownModelError
from parlour.models.spec import ModelSpec
from parlour.textfiles import read_json

# The policies the games' roles implement (games/*/players.py); models do not import games, so the names
# are listed here and a test keeps the two in agreement. A role without the policy plays its oracle.
POLICIES = ("oracle", "breaker", "violator", "wrong", "invalid", "solver", "quitter", "yes", "chatty")


def check_policy(policy: object, where: str) -> str:
    """`policy` when it is a known programmatic policy; otherwise an error listing the known ones."""
    if policy not in POLICIES:
        known = ", ".join(POLICIES)
        raise UnknownModelError(f"{where}: unknown programmatic policy {policy!r} (known: {known})")
    return str(policy)


class ProgrammaticModel(Model):
    """Marks players whose replies come from the game's own role logic (`policy`: oracle, breaker...)."""

    programmatic = True
    default_concurrency = 32

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        check_policy(self.policy, f"model {spec.name}: options.policy")

    @property
    def policy(self) -> str:
        return str(self.spec.options.get("policy", "oracle"))

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        raise BackendError(f"programmatic model {self.name}: the game's player answers, not the model")


class ScriptedModel(Model):
    """Replays a list of replies in call order (both players of an episode draw from one list)."""

    default_concurrency = 1  # the reply list is shared: episodes must not interleave

    def __init__(self, spec: ModelSpec, replies: list[str] | None = None) -> None:
        super().__init__(spec)
        if replies is None:
            path = Path(spec.options["replies_file"])
            replies = read_json(path, BackendError, "scripted replies")
            if not isinstance(replies, list) or not all(isinstance(r, str) for r in replies):
                raise BackendError(f"{path}: scripted replies must be a JSON list of strings")
        self.replies = list(replies)
        self.calls = 0

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        if self.calls >= len(self.replies):
            raise BackendError(f"scripted model: no reply left for call {self.calls + 1}")
        text = self.replies[self.calls]
        self.calls += 1
        return Generation(
            prompt={"messages": [dict(m) for m in messages]},
            response={"response": text, "index": self.calls - 1},
            text=text,
        )
