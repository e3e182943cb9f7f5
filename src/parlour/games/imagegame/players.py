"""imagegame's roles, with programmatic policies for tests with known outcomes.

Policies: `oracle` (the giver describes the target one row and letter at a time, the follower applies
each instruction exactly: F1 100), `breaker` (replies that break the format: aborted), `quitter` (the
giver says DONE before any instruction: scored as a loss, see scorer.py).
"""

from __future__ import annotations

import re

from parlour.chat import Model
from parlour.games.imagegame.rules import EMPTY, empty_grid, grid_text, rows_of
from parlour.games.player import Player

# The oracle's instruction wording, which the oracle follower parses back.
_ORACLE_INSTRUCTION = re.compile(r"put the letter (\S) in row (\d+), columns? ([\d, ]+)", re.IGNORECASE)


def oracle_instructions(target_grid: str) -> list[str]:
    """One instruction per row and letter of the target grid, top to bottom."""
    instructions = []
    for r_index, row in enumerate(rows_of(target_grid), start=1):
        letters = dict.fromkeys(cell for cell in row if cell != EMPTY)  # first-seen order
        for letter in letters:
            columns = [str(c) for c, cell in enumerate(row, start=1) if cell == letter]
            noun = "column" if len(columns) == 1 else "columns"
            instructions.append(f"Instruction: Put the letter {letter} in row {r_index}, {noun} {', '.join(columns)}")
    return instructions


class InstructionGiver(Player):
    role = "InstructionGiver"

    def __init__(self, model: Model, target_grid: str) -> None:
        super().__init__(model)
        self.target_grid = target_grid

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        if policy == "breaker":
            return "Sure! Let me describe the grid.\nFirst, put a letter in the top row."
        if policy == "quitter":
            return "Instruction: DONE"
        plan = oracle_instructions(self.target_grid)
        return plan[turn_idx] if turn_idx < len(plan) else "Instruction: DONE"


class InstructionFollower(Player):
    role = "InstructionFollower"

    def __init__(self, model: Model, dimension: int = 5) -> None:
        super().__init__(model)
        self.dimension = dimension

    def programmatic_reply(self, messages: list[dict[str, str]], turn_idx: int, policy: str) -> str:
        previous = [m["content"] for m in messages if m["role"] == "assistant"]
        rows = rows_of(previous[-1] if previous else empty_grid(self.dimension))
        match = _ORACLE_INSTRUCTION.search(messages[-1]["content"].split("\n")[-1])
        if match:
            letter, row = match.group(1).upper(), int(match.group(2))
            for column in re.findall(r"\d+", match.group(3)):
                if 1 <= row <= len(rows) and 1 <= int(column) <= len(rows[row - 1]):
                    rows[row - 1][int(column) - 1] = letter
        grid = grid_text(rows)
        if policy == "breaker":
            return f"Here is the grid:\n{grid.lower()}"
        return grid
