"""imagegame's instance file schema (what `ImageGameMaster` reads)."""

from pydantic import PositiveInt, StrictBool, StrictInt, StrictStr

from parlour.games.instances import InstanceSchema


class ImageGameInstance(InstanceSchema):
    player_1_prompt_header: StrictStr
    player_2_prompt_header: StrictStr
    player_1_question: StrictStr
    grid_dimension: PositiveInt
    player_1_response_pattern: StrictStr
    player_1_terminate_pattern: StrictStr
    player_2_response_pattern: StrictStr
    target_grid: StrictStr
    number_of_letters: StrictInt | None = None
    fill_row: StrictBool | None = None
    fill_column: StrictBool | None = None
