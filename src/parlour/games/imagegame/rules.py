"""imagegame's rules as clembench 1.6 applies them: formats, grid comparison and cell counts.

- The instruction giver's reply ends the game when it matches the terminate pattern (case-insensitive,
  e.g. "  INSTRUCTION :  done  "); otherwise it must match the response pattern (case-insensitive;
  in v1.6 `^instruction: [^\\n]+$`: exactly one space after the colon, one line, `$` tolerating one
  trailing newline). The instruction passed on is the reply's first line.
- The follower's grid must match the grid pattern case-sensitively (upper-case letters and the empty
  cell symbol only, five rows of five cells, blank lines allowed only before and after).
- Grids are compared cell by cell after stripping the text and splitting rows on "\\n" and cells on
  single spaces; letters compare case-insensitively. Shapes are compared on the row count and the
  first row's cell count only, as v1.6 does.
"""

from __future__ import annotations

import re

EMPTY = "▢"  # U+25A2, the empty-cell symbol
INSTRUCTION_TAG = "Instruction:"  # removed (case-sensitively, as v1.6) before measuring instructions


def is_terminate(text: str, pattern: str) -> bool:
    return re.match(pattern, text, re.IGNORECASE) is not None


def parse_instruction(text: str, pattern: str) -> str | None:
    """The instruction passed to the follower (the reply's first line), or None if the format is broken."""
    if re.match(pattern, text, re.IGNORECASE) is None:
        return None
    return text.split("\n")[0]


def is_grid(text: str, pattern: str) -> bool:
    return re.match(pattern, text) is not None


def rows_of(grid: str) -> list[list[str]]:
    return [row.split(" ") for row in grid.strip().split("\n")]


def grid_text(rows: list[list[str]]) -> str:
    return "\n".join(" ".join(row) for row in rows)


def empty_grid(dimension: int = 5) -> str:
    return grid_text([[EMPTY] * dimension for _ in range(dimension)])


def _shape(grid: str) -> tuple[int, int]:
    rows = rows_of(grid)
    return len(rows), len(rows[0])


def evaluate(target: str, drawn: str) -> tuple[float, float, float] | None:
    """(precision, recall, F1) of the drawn grid, each ×100 and rounded to an integer as v1.6 does.

    Recall is over the target's filled cells, precision over the drawn grid's filled cells; both and
    F1 are first rounded to 4 decimals. Different shapes score (0.0, 0.0, 0.0). None where v1.6's
    evaluation raises (a drawn grid without filled cells, or rows shorter than the target's): the
    scorer then keeps the previous turn's values.
    """
    if _shape(target) != _shape(drawn):
        return 0.0, 0.0, 0.0
    target_rows, drawn_rows = rows_of(target), rows_of(drawn)
    hits_recall = total_recall = hits_precision = total_precision = 0
    try:
        for target_row, drawn_row in zip(target_rows, drawn_rows, strict=False):
            for c_index, target_cell in enumerate(target_row):
                drawn_cell = drawn_row[c_index]
                same = target_cell.lower() == drawn_cell.lower()
                if target_cell != EMPTY:
                    total_recall += 1
                    hits_recall += same
                if drawn_cell != EMPTY:
                    total_precision += 1
                    hits_precision += same
        recall = round(hits_recall / float(total_recall), 4)
        precision = round(hits_precision / float(total_precision), 4)
    except (IndexError, ZeroDivisionError):
        return None
    # v1.6 keeps an int 0 here (it shows as 0, not 0.0, in scores.json)
    f1: float = 0 if precision == 0 or recall == 0 else round(2 * precision * recall / (precision + recall), 4)
    return round(100 * precision, 0), round(100 * recall, 0), round(100 * f1, 0)


def changed_cells(previous: str, current: str) -> int | None:
    """Cells that differ (case-insensitively) between two grids; None where v1.6's count raises
    (the current grid has fewer rows or shorter rows than the previous one)."""
    previous_rows, current_rows = rows_of(previous), rows_of(current)
    count = 0
    try:
        for r_index, previous_row in enumerate(previous_rows):
            current_row = current_rows[r_index]
            for c_index, cell in enumerate(previous_row):
                if cell.lower() != current_row[c_index].lower():
                    count += 1
    except IndexError:
        return None
    return count


def instruction_text(instruction: str) -> str:
    """The instruction as measured for its length and token count."""
    return instruction.replace(INSTRUCTION_TAG, "").strip()
