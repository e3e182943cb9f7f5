"""Players: a role in a game, answered by a model or, for programmatic models, by the role's own logic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from parlour.models.base import Model


class Player:
    """A game role bound to a model. Games subclass it per role and implement `programmatic_reply`."""

    #: shown in interactions.json's `players`, e.g. "WordDescriber, smollm2-135m"
    role: str = "Player"

    def __init__(self, model: Model) -> None:
        self.model = model
        self.descriptor: str = ""  # "Player 1", "Player 2": set by the game master

    @property
    def model_name(self) -> str:
        return self.model.name

    def describe(self) -> str:
        return f"{self.role}, {self.model_name}"

    async def __call__(self, messages: list[dict[str, str]], turn_idx: int) -> tuple[dict, dict, str]:
        """Ask the model (or the programmatic policy); returns (prompt, raw response, reply text)."""
        call_start = datetime.now()
        prompt: dict[str, Any]
        response: dict[str, Any]
        if self.model.programmatic:
            policy = str(self.model.spec.options.get("policy", "oracle"))
            text = self.programmatic_reply(messages, turn_idx, policy)
            prompt = {"messages": [dict(m) for m in messages]}
            response = {"response": text}
        else:
            generation = await self.model.generate(messages)
            prompt, response, text = generation.prompt, dict(generation.response), generation.text
            if generation.shadow_policy is not None:  # load-shadow: the engine's text is kept, not played
                response["shadow_text"] = text
                text = self.programmatic_reply(messages, turn_idx, generation.shadow_policy)
        response["clem_player"] = {
            "call_start": str(call_start),
            "call_duration": str(datetime.now() - call_start),
            "response": text,
            "model_name": self.model_name,
        }
        return prompt, response, text

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        """The reply of a programmatic player with the given policy (oracle, breaker, ...)."""
        raise NotImplementedError(f"{type(self).__name__} has no programmatic policy '{policy}'")
