"""Where the commands print: `console` for results (stdout), `notes` for progress, warnings and hints (stderr)."""

from __future__ import annotations

from rich.console import Console

console = Console()
notes = Console(stderr=True)
