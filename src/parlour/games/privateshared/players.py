"""privateshared's roles: the Answerer (the model under test) and the programmatic Questioner.

Programmatic Answerer policies, for tests with known outcomes:
- `oracle`: answers each request with exactly the requested value and each probe truthfully (yes iff
  the slot's value occurs in one of its earlier answers, which is the game's ground truth): scores 100.
- `breaker`: replies without any tag: the first probe fails five times and the episode is aborted.
- `yes`: fills every slot but answers every probe "yes" (constant predictions: kappa 0, Main Score 0).
- `chatty`: like the oracle, but adds a second line to its first slot answer: aborted in slot filling.
"""

from __future__ import annotations

from parlour.chat import Model
from parlour.games.player import Player
from parlour.games.privateshared import rules
from parlour.games.privateshared.texts import GameTexts


class Questioner:
    """Asks for the slots in the instance's order, each with its instance-chosen request variant."""

    role = "Questioner"

    def __init__(self, texts: GameTexts, request_order: list[str], requests: dict[str, int]) -> None:
        self.request_order = request_order
        self.requests = requests
        self.texts = texts

    def request(self, turn_idx: int) -> str:
        slot = self.request_order[turn_idx]
        return self.texts.requests[slot][self.requests[slot]]


class Answerer(Player):
    role = "Answerer"

    def __init__(self, model: Model, texts: GameTexts, slots: dict[str, str], request_order: list[str]) -> None:
        super().__init__(model)
        self.texts = texts
        self.slots = slots
        self.request_order = request_order

    def describe(self) -> str:
        return f"{self.role}: {self.model_name}"

    def _slot_of(self, message: str, variants: dict[str, list[str]]) -> str | None:
        """The slot whose (longest) text variant occurs in the message."""
        best: tuple[int, str] | None = None
        for slot, texts in variants.items():
            for text in texts:
                if text and text in message and (best is None or len(text) > best[0]):
                    best = (len(text), slot)
        return best[1] if best else None

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        last = messages[-1]["content"]
        is_probe = last.startswith(self.texts.me.strip())
        if policy == "breaker":
            return "Let me think about that." if is_probe else "I would rather not say."
        if policy not in ("oracle", "yes", "chatty"):
            return super().programmatic_reply(messages, turn_idx, policy)
        if is_probe:
            if policy == "yes":
                return f"{self.texts.aside}{self.texts.yes}"
            slot = self._slot_of(last, self.texts.probes)
            # messages[0:2] are the instructions and the "Ok." that stands for a first reply
            earlier = [m["content"] for m in messages[2:-1] if m["role"] == "assistant"]
            told = slot is not None and any(rules.mentions(self.slots[slot], reply) for reply in earlier)
            return f"{self.texts.aside}{self.texts.yes if told else self.texts.no}"
        # slot requests are made with turn_idx = the number of requests answered so far
        slot = self.request_order[turn_idx]
        reply = f"{self.texts.answer}{self.slots[slot]}"
        if policy == "chatty":
            reply += "\nAnything else?"
        return reply
