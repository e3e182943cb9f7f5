"""parlour's own referencegame instances: the v1.6 experiments and counts, our grids and prompts.

Six categories of ten 5×5 grids of "X"/"▢" (rows, columns, diagonals, letters, shapes: drawn for
parlour below; random: ten X cells at seeded random positions). For each target the two grids of
its category with the smallest Levenshtein distance (ties: category order) are the distractors, and
each triplet gives three instances with the target shown to Player 2 first, second and third
(Player 1 always sees the target first): 6 × 30 = 180 instances. No external resource is used.
Run `parlour generate -g referencegame -o OUT.json` to write the file; the same seed gives
the same file.
"""

from __future__ import annotations

import random
from typing import Any

DEFAULT_SEED = 1606
DIMENSION = 5
FILLED, EMPTY = "X", "▢"
GRIDS_PER_CATEGORY = 10
RANDOM_FILLED = 10

# The format rules are v1.6's (so that scores stay comparable); the prose below is ours.
EXPRESSION_PATTERN = "^expression:\\s(?P<content>.+)\n*(?P<remainder>.*)"
ANSWER_PATTERN = "^answer:\\s(?P<content>first|second|third|1|2|3|1st|2nd|3rd)\n*(?P<remainder>.*)"
POSITION_NAMES = (["first", "1st", "1"], ["second", "2nd", "2"], ["third", "3rd", "3"])

PLAYER_1_HEADER = f"""Below are three grids of {DIMENSION} by {DIMENSION} cells. Filled cells show "{FILLED}", \
empty cells show "{EMPTY}". The first grid is the target; the other two are distractors. Write a referring \
expression that lets someone who sees all three grids, in an unknown order, pick out the target.

Target grid:

{{target}}

Distractor grid 1:

{{second}}

Distractor grid 2:

{{third}}

Reply with a single line that starts with the tag "Expression: " followed by your description. Write \
nothing else."""

PLAYER_2_HEADER = f"""Below are three grids of {DIMENSION} by {DIMENSION} cells. Filled cells show "{FILLED}", \
empty cells show "{EMPTY}". Someone has written a referring expression for one of them; find the grid it \
describes.

First:

{{first}}

Second:

{{second}}

Third:

{{third}}

TARGET_EXPRESSION
Which grid does the expression describe? Reply with the tag "Answer: " followed by first, second or \
third. Write nothing else.
"""


def _grid(cells: set[tuple[int, int]]) -> str:
    return "\n".join(" ".join(FILLED if (r, c) in cells else EMPTY for c in range(DIMENSION)) for r in range(DIMENSION))


def _art(picture: str) -> str:
    """A grid from rows of '#' (filled) and '.' (empty) separated by spaces."""
    return _grid({(r, c) for r, row in enumerate(picture.split()) for c, ch in enumerate(row) if ch == "#"})


_ALL = {(r, c) for r in range(DIMENSION) for c in range(DIMENSION)}
_MAIN = {(i, i) for i in range(DIMENSION)}
_ANTI = {(i, DIMENSION - 1 - i) for i in range(DIMENSION)}


def _rows() -> list[str]:
    single = [_grid({(r, c) for c in range(DIMENSION)}) for r in range(DIMENSION)]
    missing = [_grid(_ALL - {(r, c) for c in range(DIMENSION)}) for r in range(DIMENSION)]
    return single + missing


def _columns() -> list[str]:
    single = [_grid({(r, c) for r in range(DIMENSION)}) for c in range(DIMENSION)]
    missing = [_grid(_ALL - {(r, c) for r in range(DIMENSION)}) for c in range(DIMENSION)]
    return single + missing


def _diagonals() -> list[str]:
    upper = {(i, i + 1) for i in range(DIMENSION - 1)}
    lower = {(i + 1, i) for i in range(DIMENSION - 1)}
    anti_upper = {(i, DIMENSION - 2 - i) for i in range(DIMENSION - 1)}
    anti_lower = {(i + 1, DIMENSION - 1 - i) for i in range(DIMENSION - 1)}
    both = _MAIN | _ANTI
    sets = [_MAIN, _ANTI, upper, lower, anti_upper, anti_lower, both, _ALL - _MAIN, _ALL - _ANTI, _ALL - both]
    return [_grid(s) for s in sets]


LETTERS = {
    "E": "##### #.... ####. #.... #####",
    "F": "##### #.... ####. #.... #....",
    "H": "#...# #...# ##### #...# #...#",
    "L": "#.... #.... #.... #.... #####",
    "T": "##### ..#.. ..#.. ..#.. ..#..",
    "C": ".#### #.... #.... #.... .####",
    "U": "#...# #...# #...# #...# .###.",
    "Z": "##### ...#. ..#.. .#... #####",
    "I": "##### ..#.. ..#.. ..#.. #####",
    "P": "####. #...# ####. #.... #....",
}

SHAPES = {
    "plus": "..#.. ..#.. ##### ..#.. ..#..",
    "frame": "##### #...# #...# #...# #####",
    "block": "..... .###. .###. .###. .....",
    "diamond": "..#.. .#.#. #...# .#.#. ..#..",
    "ring": ".###. #...# #...# #...# .###.",
    "stairs": "#.... ##... ###.. ####. #####",
    "arrow": "..#.. .###. #.#.# ..#.. ..#..",
    "hourglass": "##### .###. ..#.. .###. #####",
    "corners": "##.## ##.## ..... ##.## ##.##",
    "checker": "#.#.# .#.#. #.#.# .#.#. #.#.#",
}


def _random_grids(rng: random.Random) -> list[str]:
    cells = sorted(_ALL)
    grids: list[str] = []
    while len(grids) < GRIDS_PER_CATEGORY:
        grid = _grid(set(rng.sample(cells, RANDOM_FILLED)))
        if grid not in grids:
            grids.append(grid)
    return grids


def closest(target_index: int, grids: list[str]) -> list[str]:
    """The two other grids nearest to the target (ties broken by their order in the category)."""
    from nltk.metrics.distance import edit_distance  # nltk imports scipy: only when generating

    others = [i for i in range(len(grids)) if i != target_index]
    # Levenshtein distance (unit costs, no transpositions), the metric v1.6's generator took from python-Levenshtein
    others.sort(key=lambda i: (edit_distance(grids[target_index], grids[i]), i))
    return [grids[i] for i in others[:2]]


def _instance(game_id: int, target: str, distractors: list[str], position: int) -> dict[str, Any]:
    shown = list(distractors)
    shown.insert(position, target)
    return {
        "game_id": game_id,
        "player_1_prompt_header": PLAYER_1_HEADER.format(target=target, second=distractors[0], third=distractors[1]),
        "player_1_target_grid": target,
        "player_1_second_grid": distractors[0],
        "player_1_third_grid": distractors[1],
        "player_2_prompt_header": PLAYER_2_HEADER.format(first=shown[0], second=shown[1], third=shown[2]),
        "player_2_first_grid": shown[0],
        "player_2_second_grid": shown[1],
        "player_2_third_grid": shown[2],
        "target_grid_name": list(POSITION_NAMES[position]),
        "player_1_response_pattern": EXPRESSION_PATTERN,
        "player_2_response_pattern": ANSWER_PATTERN,
        "player_1_response_tag": "expression:",
        "player_2_response_tag": "answer:",
    }


def categories(seed: int = DEFAULT_SEED) -> dict[str, list[str]]:
    """The ten grids of each experiment, in the v1.6 experiment order."""
    return {
        "line_grids_rows": _rows(),
        "line_grids_columns": _columns(),
        "diagonal_grids": _diagonals(),
        "letter_grids": [_art(p) for p in LETTERS.values()],
        "shape_grids": [_art(p) for p in SHAPES.values()],
        "random_grids": _random_grids(random.Random(seed)),
    }


def generate_instances(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The instances file content (clembench format) for the given seed."""
    experiments = []
    for name, grids in categories(seed).items():
        instances = []
        for t_index, target in enumerate(grids):
            distractors = closest(t_index, grids)
            for position in range(3):
                instances.append(_instance(len(instances), target, distractors, position))
        experiments.append({"name": name, "game_instances": instances})
    return {"experiments": experiments}
