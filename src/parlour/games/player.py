"""Players: a role in a game, answered by a model or, for programmatic models, by the role's own logic."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from parlour.chat import Generation, Model, reply_too_large


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

    async def __call__(self, messages: list[dict[str, str]], turn_idx: int) -> Generation:
        """Ask the model (or the programmatic policy). The result goes to the recorder as it is: what was
        sent, the raw response (with clembench's `clem_player` timing block added) and the reply text."""
        call_start = datetime.now()
        if self.model.programmatic:
            policy = str(self.model.spec.options.get("policy", "oracle"))
            text = self.programmatic_reply(messages, turn_idx, policy)
            generation = Generation(
                prompt={"messages": [dict(m) for m in messages]}, response={"response": text}, text=text
            )
        else:
            generation = await self.model.generate(messages)
            if error := reply_too_large(self.model.spec, len(generation.text.encode())):
                raise error  # local engines and scripted replies: remote bodies are capped as they arrive
            if generation.shadow_policy is not None:  # load-shadow: the engine's text is kept, not played
                text = self.programmatic_reply(messages, turn_idx, generation.shadow_policy)
                response = {**generation.response, "shadow_text": generation.text}
                generation = replace(generation, response=response, text=text)
        clem_player = {
            "call_start": str(call_start),
            "call_duration": str(datetime.now() - call_start),
            "response": generation.text,
            "model_name": self.model_name,
        }
        return replace(generation, response={**generation.response, "clem_player": clem_player})

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        """The reply of a programmatic player with the given policy (oracle, breaker, ...)."""
        raise NotImplementedError(f"{type(self).__name__} has no programmatic policy '{policy}'")
