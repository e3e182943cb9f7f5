"""The instance file schema of the three wordle games (what `WordleMaster` reads)."""

from typing import Annotated, Literal, Self

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from parlour.games.instances import ExperimentSchema, InstanceSchema, NonEmptyStr, Schema

MAX_TRIES = 100  # attempts and retries per error: v1.6 uses 6 and 2 to 5; a bound keeps episodes finite
Count = Annotated[StrictInt, Field(ge=0, le=MAX_TRIES)]


class CommonConfig(Schema):
    """The settings the master reads from `common_config` (the rest of v1.6's block is kept unread)."""

    # the feedback, the word list and the prompts are about five-letter words, as in v1.6
    max_word_length: Literal[5]
    max_attempts_per_game: Annotated[StrictInt, Field(ge=1, le=MAX_TRIES)]
    max_retry_per_error: Count
    max_retry_invalid_word: Count
    max_critic_opinion_count: Count
    use_system_message: StrictBool = False


class Message(Schema):
    role: Literal["system", "user", "assistant"]
    content: StrictStr


class Keywords(Schema):
    guess: NonEmptyStr
    explanation: NonEmptyStr
    agreement: NonEmptyStr
    agreement_match_keywords: list[StrictStr]


class WordleExperiment(ExperimentSchema):
    common_config: CommonConfig
    english_words: list[StrictStr]
    use_clue: StrictBool
    use_critic: StrictBool
    system_definition: StrictStr
    guesser_prompt: Annotated[list[Message], Field(min_length=1)]
    guesser_critic_prompt: list[Message]
    response_format_keywords: Keywords
    reprompts: dict[str, StrictStr] | None = None

    @model_validator(mode="after")
    def _critic_has_a_prompt(self) -> Self:
        if self.use_critic and not self.guesser_critic_prompt:
            raise ValueError("use_critic needs a non-empty guesser_critic_prompt")
        return self


class WordleInstance(InstanceSchema):
    # compared letter by letter with five-letter lowercase guesses: anything else could never be guessed
    target_word: Annotated[StrictStr, Field(pattern=r"^[a-z]{5}$")]
    target_word_clue: StrictStr
    target_word_difficulty: StrictStr
