"""referencegame's instance file schema (what `ReferenceGameMaster` reads)."""

from pydantic import StrictStr

from parlour.games.instances import InstanceSchema


class ReferenceGameInstance(InstanceSchema):
    player_1_prompt_header: StrictStr
    player_1_target_grid: StrictStr
    player_2_prompt_header: StrictStr
    # the accepted answers; clembench's April 2024 file gives one name as a string
    target_grid_name: list[StrictStr] | StrictStr
    player_1_response_pattern: StrictStr
    player_2_response_pattern: StrictStr
    player_1_second_grid: StrictStr | None = None
    player_1_third_grid: StrictStr | None = None
    player_2_first_grid: StrictStr | None = None
    player_2_second_grid: StrictStr | None = None
    player_2_third_grid: StrictStr | None = None
    player_1_response_tag: StrictStr | None = None
    player_2_response_tag: StrictStr | None = None
