"""parlour's own imagegame instances: the v1.6 experiments and counts, our shapes and prompts.

- `compact_grids` (20): shapes from `SHAPES` below (lines, frames, letters, blocks), each filled with
  one random capital letter.
- `random_grids` (20): one random capital letter in 5 to 10 random cells.

The shapes are drawn for parlour (no external resource). Instances carry the v1.6 keys, so the
same master and scorer run them and the official file. Run
`parlour generate -g imagegame -o OUT.json` to write the file; the same seed gives the
same file.
"""

from __future__ import annotations

import random
import string
from typing import Any

from parlour.games.imagegame.rules import EMPTY, empty_grid, grid_text

DEFAULT_SEED = 1606
DIMENSION = 5
INSTANCES_PER_EXPERIMENT = 20

# The format rules are v1.6's (so that scores stay comparable); the prose below is ours.
INSTRUCTION_PATTERN = "^instruction: [^\n]+$"
TERMINATE_PATTERN = "^\\s*instruction\\s*:\\s*done\\s*$"
_ROW = "([A-Z▢]\\s){4}[A-Z▢]"
GRID_PATTERN = "^\n*" + "\n".join([_ROW] * DIMENSION) + "\n*$"

QUESTION = "Next instruction, please."

# 5×5 shapes: '#' filled, '.' empty
SHAPES: dict[str, str] = {
    "top_row": "##### ..... ..... ..... .....",
    "left_column": "#.... #.... #.... #.... #....",
    "diagonal": "#.... .#... ..#.. ...#. ....#",
    "anti_diagonal": "....# ...#. ..#.. .#... #....",
    "frame": "##### #...# #...# #...# #####",
    "plus": "..#.. ..#.. ##### ..#.. ..#..",
    "cross": "#...# .#.#. ..#.. .#.#. #...#",
    "letter_t": "##### ..#.. ..#.. ..#.. ..#..",
    "letter_l": "#.... #.... #.... #.... #####",
    "centre_block": "..... .###. .###. .###. .....",
    "letter_h": "#...# #...# ##### #...# #...#",
    "letter_e": "##### #.... ####. #.... #####",
    "letter_u": "#...# #...# #...# #...# #####",
    "letter_z": "##### ...#. ..#.. .#... #####",
    "lower_triangle": "#.... ##... ###.. ####. #####",
    "upper_triangle": "##### .#### ..### ...## ....#",
    "outer_rows": "##### ..... ..... ..... #####",
    "outer_columns": "#...# #...# #...# #...# #...#",
    "arrow_up": "..#.. .###. #.#.# ..#.. ..#..",
    "letter_c": "##### #.... #.... #.... #####",
    "letter_f": "##### #.... ####. #.... #....",
    "diamond": "..#.. .#.#. #...# .#.#. ..#..",
    "ring": ".###. #...# #...# #...# .###.",
    "bottom_rows": "..... ..... ..... ##### #####",
}

PLAYER_1_HEADER = f"""We are going to play a drawing game. You can see a grid of {DIMENSION} rows and \
{DIMENSION} columns; an empty grid looks like this:

{{empty}}

Cells marked with "{EMPTY}" are empty; every other cell holds a capital letter. Your partner cannot see \
the grid. Describe it to them one step at a time so that they can draw an exact copy. Give one \
instruction per reply, on a single line that starts with "Instruction: ". Only mention cells that hold \
letters; empty cells need no instructions. After each instruction I will ask for the next one. Once \
everything is described, reply with "Instruction: DONE".

Here is an example grid:

{{example}}

and a good way to describe it:

{QUESTION}
Instruction: Write a K in the first row, fourth column

{QUESTION}
Instruction: Fill the whole third column with M

{QUESTION}
Instruction: DONE

Now describe the following {DIMENSION} by {DIMENSION} grid."""

PLAYER_2_HEADER = f"""We are going to play a drawing game. Start from an empty grid of {DIMENSION} rows and \
{DIMENSION} columns:

{{empty}}

I will send you instructions such as "Instruction: write a Q in the bottom right corner". Apply each \
instruction to your grid and answer with the complete grid, like this:

Instruction: write a Q in the bottom right corner

{{example}}

Keep every letter drawn so far, use "{EMPTY}" for empty cells and separate the cells of a row with \
single spaces. Reply with the grid only, no other text."""


def shape_grid(shape: str, letter: str) -> str:
    rows = [[letter if c == "#" else EMPTY for c in row] for row in shape.split()]
    return grid_text(rows)


def _cells_grid(cells: set[tuple[int, int]], letter: str) -> str:
    rows = [[letter if (r, c) in cells else EMPTY for c in range(DIMENSION)] for r in range(DIMENSION)]
    return grid_text(rows)


def _prompts() -> tuple[str, str]:
    example_1 = _cells_grid({(0, 3)}, "K").split("\n")
    example_1 = [" ".join("M" if c == 2 else cell for c, cell in enumerate(row.split(" "))) for row in example_1]
    p1 = PLAYER_1_HEADER.format(empty=empty_grid(DIMENSION), example="\n".join(example_1))
    p2 = PLAYER_2_HEADER.format(empty=empty_grid(DIMENSION), example=_cells_grid({(DIMENSION - 1, DIMENSION - 1)}, "Q"))
    return p1, p2


def _instance(game_id: int, target: str) -> dict[str, Any]:
    p1, p2 = _prompts()
    return {
        "game_id": game_id,
        "player_1_prompt_header": p1,
        "player_2_prompt_header": p2,
        "player_1_question": QUESTION,
        "grid_dimension": DIMENSION,
        "number_of_letters": sum(cell != EMPTY for cell in target.split()),
        "player_1_response_pattern": INSTRUCTION_PATTERN,
        "player_1_terminate_pattern": TERMINATE_PATTERN,
        "player_2_response_pattern": GRID_PATTERN,
        "fill_row": False,
        "fill_column": False,
        "target_grid": target,
    }


def generate_instances(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The instances file content (clembench format) for the given seed."""
    rng = random.Random(seed)
    letters = string.ascii_uppercase
    shapes = rng.sample(sorted(SHAPES), INSTANCES_PER_EXPERIMENT)
    compact = [_instance(i, shape_grid(SHAPES[name], rng.choice(letters))) for i, name in enumerate(shapes)]
    cells = [(r, c) for r in range(DIMENSION) for c in range(DIMENSION)]
    random_grids = []
    for i in range(INSTANCES_PER_EXPERIMENT):
        letter = rng.choice(letters)
        chosen = set(rng.sample(cells, rng.randint(5, min(10, len(cells)))))
        random_grids.append(_instance(i, _cells_grid(chosen, letter)))
    return {
        "experiments": [
            {"name": "compact_grids", "game_instances": compact},
            {"name": "random_grids", "game_instances": random_grids},
        ]
    }
