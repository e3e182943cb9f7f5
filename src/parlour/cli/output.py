"""Where the commands print: `console` for results (stdout), `notes` for progress, warnings and hints (stderr)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

console = Console()
notes = Console(stderr=True)


def whole_table(
    columns: list[str],
    rows: list[list[str]],
    width: int,
    *,
    title: str | None = None,
    keep: int = 1,
    prose: dict[str, int] | None = None,
    right: set[str] | None = None,
) -> tuple[Table, list[str]]:
    """A table whose cells are never cut: every column is as wide as its widest line (a cell may hold
    several lines), except the `prose` columns (name -> least width), which wrap. Where that does not fit
    in `width`, columns are dropped from the right, the first `keep` never. Returns the table and the names
    of the columns left out (to say so)."""
    prose = prose or {}
    need = {
        c: prose.get(c) or max(len(line) for cell in [c, *[r[i] for r in rows]] for line in cell.splitlines() or [""])
        for i, c in enumerate(columns)
    }
    shown = list(columns)
    while len(shown) > keep and sum(need[c] + 3 for c in shown) + 1 > width:
        shown.pop()
    table = Table(title=title, title_justify="left")
    for c in shown:
        justify = "right" if c in (right or set()) else "left"
        if c in prose:
            table.add_column(c, justify=justify, min_width=prose[c], overflow="fold")
        else:
            table.add_column(c, justify=justify, no_wrap=True, min_width=need[c])
    for row in rows:
        table.add_row(*[row[columns.index(c)] for c in shown])
    return table, [c for c in columns if c not in shown]


def left_out_note(left_out: list[str], width: int) -> str | None:
    """The line that says which columns a table left out at this width, or None."""
    if not left_out:
        return None
    return f"not shown at {width} columns: {', '.join(left_out)} (a wider terminal shows them)"
