"""imagegame (drawing game): one player describes a grid of letters, the other draws it."""

from typing import Any

from parlour.games.imagegame.master import ImageGameMaster
from parlour.games.imagegame.schema import ImageGameInstance
from parlour.games.imagegame.scorer import ImageGameScorer
from parlour.games.registry import GameSpec


def _generate(seed: int | None = None) -> dict[str, Any]:
    """The seeded generator, imported on use (so `python -m ...generator` runs without a warning)."""
    from parlour.games.imagegame import generator

    return generator.generate_instances() if seed is None else generator.generate_instances(seed)


GAME = GameSpec(
    name="imagegame",
    description="Give step-by-step instructions to draw a 5×5 letter grid; the other player draws it.",
    master=ImageGameMaster,
    scorer=ImageGameScorer,
    package="parlour.games.imagegame",
    instance_schema=ImageGameInstance,
    generator=_generate,
)
