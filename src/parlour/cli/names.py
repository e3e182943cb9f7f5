"""Model names on an 80-column terminal: long names are shortened in the middle (where two specs of one
model usually differ least: the family in front and the settings at the end both stay), and the full
names are listed once below the table."""

from __future__ import annotations

from rich.console import Console

ELLIPSIS = "…"


def shorten_middle(name: str, width: int) -> str:
    """`name` if it fits in `width` characters, else its start and end around an ellipsis."""
    if len(name) <= width:
        return name
    keep = max(width - len(ELLIPSIS), 2)
    head = (keep + 1) // 2
    return name[:head] + ELLIPSIS + name[len(name) - (keep - head) :]


class ShortNames:
    """Shortens names to a width and remembers which it shortened, to print their full forms once."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.shortened: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        short = shorten_middle(name, self.width)
        if short != name:
            self.shortened[short] = name
        return short

    def print_full_names(self, console: Console) -> None:
        """One line per shortened name, `short = full`, printed unwrapped so the full name stays whole."""
        for short, full in self.shortened.items():
            console.print(f"  {short} = {full}", highlight=False, soft_wrap=True, markup=False)


def name_width(console: Console, fixed: int) -> int:
    """Room left for a name on a line whose other parts take `fixed` columns (at least 12)."""
    return max(console.width - fixed, 12)
