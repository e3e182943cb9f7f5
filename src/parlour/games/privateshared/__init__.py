"""privateshared: answer a questioner's requests from private information while tracking, in yes/no
probes, what the questioner has been told (clembench 1.6's scorekeeping game; single model)."""

from typing import Any

from parlour.games.privateshared.master import PrivateSharedMaster
from parlour.games.privateshared.schema import PrivateSharedExperiment, PrivateSharedInstance
from parlour.games.privateshared.scorer import PrivateSharedScorer
from parlour.games.registry import GameSpec


def generate_instances(seed: int = 2102) -> dict[str, Any]:
    """parlour's default instances (imported lazily, so `python -m ...generator` runs cleanly)."""
    from parlour.games.privateshared import generator

    return generator.generate_instances(seed)


GAME = GameSpec(
    name="privateshared",
    description="Answer a programmatic questioner from private slot values and keep track of what it knows.",
    master=PrivateSharedMaster,
    scorer=PrivateSharedScorer,
    package="parlour.games.privateshared",
    single_player=True,
    experiment_schema=PrivateSharedExperiment,
    instance_schema=PrivateSharedInstance,
    generator=generate_instances,
    resources_key="resources_dir",  # official instances keep their texts in clembench's resources/ folder
)
