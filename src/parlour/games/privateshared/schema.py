"""privateshared's instance file schema (what `PrivateSharedMaster` reads).

Indices into the request and probe texts are checked against those texts when the episode is set up
(the texts can live beside the instances file, in clembench's resources); everything else here.
"""

from typing import Annotated, Any

from pydantic import Field, NonNegativeInt, StrictStr, field_validator, model_validator

from parlour.games.instances import ExperimentSchema, InstanceSchema, NonEmptyStr

MAX_SLOTS = 100  # v1.6 has at most 15; each slot is one turn and one probing round

Index = NonNegativeInt
Texts = dict[str, Annotated[list[StrictStr], Field(min_length=1)]]


class PrivateSharedExperiment(ExperimentSchema):
    # parlour's own files embed the texts; clembench's read them from resources/ (see texts.py)
    words: dict[str, StrictStr] | None = None
    reprompts: Annotated[list[StrictStr], Field(min_length=1)] | None = None
    request_texts: Texts | None = None
    probe_texts: Texts | None = None
    resources_dir: StrictStr | None = None

    @field_validator("words", "reprompts", "request_texts", "probe_texts", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # absent means "read them from clembench's resources"; null would reach the master as no texts at all
        if value is None:
            raise ValueError("must not be null (leave the key out to read the texts from clembench's resources)")
        return value


class PrivateSharedInstance(InstanceSchema):
    tag: NonEmptyStr
    slots: Annotated[dict[str, StrictStr], Field(min_length=1, max_length=MAX_SLOTS)]
    initial_prompt: StrictStr
    request_order: list[StrictStr]
    requests: dict[str, Index]
    probes: dict[str, dict[str, Index]]
    # names the resource file <lang>_words.json: a language code, never a path
    lang: Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}$")] | None = None

    @model_validator(mode="after")
    def _slots_agree(self) -> Any:
        if sorted(self.request_order) != sorted(self.slots):
            raise ValueError("request_order must list every slot of 'slots' once")
        if set(self.requests) != set(self.slots):
            raise ValueError("requests must give one request index for every slot of 'slots'")
        rounds = {str(i) for i in range(len(self.slots) + 1)}
        if not rounds <= set(self.probes):
            missing = sorted(rounds - set(self.probes), key=int)
            raise ValueError(f"probes has no round {missing[0]!r} (one per slot, plus round '0')")
        return self
