"""A parlour model as a clemcore backend: clemcore's players call it like any of its own backends.

clemcore's game masters are synchronous and run on worker threads; each call hands the messages to the
parlour model on the run's event loop and waits, so the engine sees every episode's request at once
(llama.cpp batches them, an endpoint gets them in flight under its adaptive limit).
"""

from __future__ import annotations

import asyncio
from typing import Any

from clemcore.backends import ContextExceededError as ClemcoreContextExceeded
from clemcore.backends import Model as ClemcoreModel
from clemcore.backends import ModelSpec as ClemcoreSpec

from parlour.chat import Model
from parlour.errors import ContextExceededError


class ParlourBackend(ClemcoreModel):
    """clemcore's `Model` over a parlour `Model`; sampling settings are the parlour spec's own."""

    def __init__(self, model: Model, loop: asyncio.AbstractEventLoop) -> None:
        spec = model.spec
        super().__init__(
            ClemcoreSpec(
                model_name=spec.name, backend="parlour", parlour_backend=spec.backend, spec_hash=spec.spec_hash()
            )
        )
        self.set_gen_args(temperature=spec.temperature, max_tokens=spec.max_tokens)
        self.model = model
        self.loop = loop

    def generate_response(self, messages: list[dict[str, Any]]) -> tuple[Any, Any, str]:
        """(prompt as sent, response object, reply text), as clemcore records them in requests files."""
        try:
            generation = asyncio.run_coroutine_threadsafe(self.model.generate(messages), self.loop).result()
        except ContextExceededError as exc:
            # as clemcore's own backends report it: games that handle a full context catch this one (codenames)
            raise ClemcoreContextExceeded(
                str(exc), tokens_used=exc.tokens_needed, tokens_left=exc.context_size - exc.tokens_needed,
                context_size=exc.context_size,
            ) from exc  # fmt: skip
        return generation.prompt, generation.response, generation.text
