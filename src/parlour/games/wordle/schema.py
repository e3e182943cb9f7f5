"""The instance file schema of the three wordle games (what `WordleMaster` reads)."""

from typing import Any

from pydantic import StrictBool, StrictStr

from parlour.games.instances import ExperimentSchema, InstanceSchema


class WordleExperiment(ExperimentSchema):
    common_config: dict[str, Any]
    english_words: list[Any]
    use_clue: StrictBool
    use_critic: StrictBool
    system_definition: StrictStr
    guesser_prompt: list[Any]
    guesser_critic_prompt: list[Any]
    response_format_keywords: dict[str, Any]


class WordleInstance(InstanceSchema):
    target_word: StrictStr
    target_word_clue: StrictStr
    target_word_difficulty: StrictStr
