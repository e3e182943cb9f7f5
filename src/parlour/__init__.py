"""parlour: evaluate chat LLMs by self-play in conversational games (clembench 1.6 compatible).

The library surface: `parlour.run` / `parlour.arun` play and score, `parlour.evaluate` aggregates,
`parlour.analyze` holds the paper's analyses. The `parlour` command is a thin shell over these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parlour.version import __version__

__all__ = ["__version__", "arun", "evaluate", "run"]

if TYPE_CHECKING:
    from parlour.api import arun, evaluate, run


def __getattr__(name: str) -> Any:
    # imported on first use, so that `import parlour` stays light (the CLI imports what each command needs)
    if name in ("run", "arun", "evaluate"):
        from parlour import api

        return getattr(api, name)
    raise AttributeError(f"module 'parlour' has no attribute {name!r}")
