"""How the `parlour` command stops on a signal. Ctrl-C (SIGINT) and SIGTERM take the same path: an exception
in the main thread, so that every `finally` runs (temp files of a write are removed, locks released) and
the one error handler prints one line. Once the command is ending, another signal stops the process at
once, without a traceback: what is left to wait for then (a generation in a worker thread) writes nothing.

Standard library only: this is imported before anything else of the command, so that a signal in its
first second is handled too."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

INTERRUPTED_CODE, TERMINATED_CODE = 130, 143
INTERRUPTED = "interrupted: finished episodes are kept; rerun the same command to resume"
_received: list[int] = []


def install() -> None:
    """SIGTERM raises like Ctrl-C does (by default it ends the process with no cleanup at all)."""
    signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise KeyboardInterrupt


def stopping() -> int:
    """The command was interrupted and is ending: a further signal exits at once. Returns its exit code."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit_now)
    return TERMINATED_CODE if signal.SIGTERM in _received else INTERRUPTED_CODE


def _exit_now(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"stopped at once (signal received again while ending)\n")
    os._exit(TERMINATED_CODE if signum == signal.SIGTERM else INTERRUPTED_CODE)


def cut_short(exc: BaseException) -> bool:
    """Whether `exc` is a signal's KeyboardInterrupt in disguise: a package whose import a Ctrl-C cut short
    reports the import as failed (numpy: "numpy._core.multiarray failed to import")."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def interrupted_on_start() -> None:
    """A signal before the command was loaded: one line and its exit code. Nothing was written yet, and an
    import cut short can leave the interpreter's exit to report the signal again: leave at once."""
    code = stopping()
    sys.stderr.write(f"{INTERRUPTED}\n")
    sys.stderr.flush()
    os._exit(code)
