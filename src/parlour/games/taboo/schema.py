"""taboo's instance file schema (what `TabooMaster` reads)."""

from pydantic import Field, StrictInt, StrictStr

from parlour.games.instances import ExperimentSchema, InstanceSchema, NonEmptyStr

MAX_TURNS = 100  # v1.6 plays 3; a bound so that a mistyped number cannot make an endless episode


class TabooExperiment(ExperimentSchema):
    max_turns: StrictInt = Field(ge=1, le=MAX_TURNS)
    describer_initial_prompt: StrictStr
    guesser_initial_prompt: StrictStr


class TabooInstance(InstanceSchema):
    target_word: NonEmptyStr
    related_word: list[NonEmptyStr]
    target_word_stem: StrictStr | None = None
    related_word_stem: list[StrictStr] | None = None
