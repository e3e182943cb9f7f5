"""referencegame's instance file schema (what `ReferenceGameMaster` reads)."""

from typing import Annotated

from pydantic import Field, StrictStr

from parlour.games.instances import InstanceSchema, NonEmptyStr, Pattern


class ReferenceGameInstance(InstanceSchema):
    player_1_prompt_header: StrictStr
    player_1_target_grid: StrictStr
    player_2_prompt_header: StrictStr
    # the accepted answers; clembench's April 2024 file gives one name as a string
    target_grid_name: Annotated[list[NonEmptyStr], Field(min_length=1)] | NonEmptyStr
    player_1_response_pattern: Pattern
    player_2_response_pattern: Pattern
    player_1_second_grid: StrictStr | None = None
    player_1_third_grid: StrictStr | None = None
    player_2_first_grid: StrictStr | None = None
    player_2_second_grid: StrictStr | None = None
    player_2_third_grid: StrictStr | None = None
    player_1_response_tag: StrictStr | None = None
    player_2_response_tag: StrictStr | None = None
