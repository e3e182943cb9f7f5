"""taboo: describe a word without its taboo words; the partner guesses it in three turns."""

from parlour.games.registry import GameSpec
from parlour.games.taboo.generator import generate_instances, rebuild_word_table
from parlour.games.taboo.master import TabooMaster
from parlour.games.taboo.schema import TabooExperiment, TabooInstance
from parlour.games.taboo.scorer import TabooScorer

GAME = GameSpec(
    name="taboo",
    description="Describe a target word without using it or its related words; the other player guesses.",
    master=TabooMaster,
    scorer=TabooScorer,
    package="parlour.games.taboo",
    experiment_schema=TabooExperiment,
    instance_schema=TabooInstance,
    generator=generate_instances,
    rebuild_tables=rebuild_word_table,
)
