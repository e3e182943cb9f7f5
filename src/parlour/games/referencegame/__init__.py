"""referencegame: one player describes a target grid among three, the other picks it."""

from typing import Any

from parlour.games.referencegame.master import ReferenceGameMaster
from parlour.games.referencegame.schema import ReferenceGameInstance
from parlour.games.referencegame.scorer import ReferenceGameScorer
from parlour.games.registry import GameSpec


def _generate(seed: int | None = None) -> dict[str, Any]:
    """The seeded generator, imported on use (so `python -m ...generator` runs without a warning)."""
    from parlour.games.referencegame import generator

    return generator.generate_instances() if seed is None else generator.generate_instances(seed)


GAME = GameSpec(
    name="referencegame",
    description="Describe a target grid so that the other player can pick it out of three grids.",
    master=ReferenceGameMaster,
    scorer=ReferenceGameScorer,
    package="parlour.games.referencegame",
    instance_schema=ReferenceGameInstance,
    generator=_generate,
)
