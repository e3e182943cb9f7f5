"""referencegame's roles, with programmatic policies for tests with known outcomes.

Policies: `oracle` (the giver lists the target's filled cells on one line, the follower names the
target's position: a win), `breaker` (replies without the required tags: aborted at Player 1),
`wrong` (the follower names a grid that is not the target: a loss).
"""

from __future__ import annotations

from parlour.chat import Model
from parlour.games.player import Player

EMPTY = "▢"
ORDINALS = ("first", "second", "third")


def describe_cells(grid: str) -> str:
    """A one-line description that singles out the grid: the filled cells, row by row."""
    parts = []
    for r_index, row in enumerate(grid.strip().split("\n"), start=1):
        columns = [str(c) for c, cell in enumerate(row.split(" "), start=1) if cell != EMPTY]
        parts.append(f"row {r_index}: {', '.join(columns) if columns else 'none'}")
    return "the grid whose filled columns are " + "; ".join(parts)


class InstructionGiver(Player):
    role = "InstructionGiver"

    def __init__(self, model: Model, target_grid: str) -> None:
        super().__init__(model)
        self.target_grid = target_grid

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        if policy == "breaker":
            return "The target grid is the one I was shown first.\nIt has some X cells."
        return f"Expression: {describe_cells(self.target_grid)}"


class InstructionFollower(Player):
    role = "InstructionFollower"

    def __init__(self, model: Model, target_grid_name: list[str] | str) -> None:
        super().__init__(model)
        names = [target_grid_name] if isinstance(target_grid_name, str) else target_grid_name
        self.target = next((n for n in names if n in ORDINALS), "first")

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        if policy == "breaker":
            return f"I think it is the {self.target} grid."
        if policy == "wrong":
            return f"Answer: {ORDINALS[(ORDINALS.index(self.target) + 1) % 3]}"
        return f"Answer: {self.target}"
