"""taboo's instance file schema (what `TabooMaster` reads)."""

from pydantic import PositiveInt, StrictStr

from parlour.games.instances import ExperimentSchema, InstanceSchema


class TabooExperiment(ExperimentSchema):
    max_turns: PositiveInt
    describer_initial_prompt: StrictStr
    guesser_initial_prompt: StrictStr


class TabooInstance(InstanceSchema):
    target_word: StrictStr
    related_word: list[StrictStr]
    target_word_stem: StrictStr | None = None
    related_word_stem: list[StrictStr] | None = None
