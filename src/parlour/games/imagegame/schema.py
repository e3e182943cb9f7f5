"""imagegame's instance file schema (what `ImageGameMaster` reads)."""

from pydantic import Field, StrictBool, StrictInt, StrictStr

from parlour.games.instances import InstanceSchema, Pattern

# The game lasts grid_dimension² turns and draws grids of that size; v1.6 uses 5. The bound keeps a
# mistyped size from exhausting memory or running a game of millions of turns.
MAX_GRID_DIMENSION = 26


class ImageGameInstance(InstanceSchema):
    player_1_prompt_header: StrictStr
    player_2_prompt_header: StrictStr
    player_1_question: StrictStr
    grid_dimension: StrictInt = Field(ge=1, le=MAX_GRID_DIMENSION)
    player_1_response_pattern: Pattern
    player_1_terminate_pattern: Pattern
    player_2_response_pattern: Pattern
    target_grid: StrictStr = Field(min_length=1)
    number_of_letters: StrictInt | None = Field(None, ge=0, le=MAX_GRID_DIMENSION**2)
    fill_row: StrictBool | None = None
    fill_column: StrictBool | None = None
