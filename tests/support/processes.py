"""Finding the llama.cpp servers and vLLM processes (engines, `vllm serve`) a test session started,
wherever they ended up (a CLI subprocess killed mid-run leaves its server to init): each carries the
session's mark in its environment."""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

SESSION_MARK = "PARLOUR_TEST_SESSION"
# in a process's command line: llama.cpp's server; vLLM's server module and its engine processes, which
# name themselves VLLM::EngineCore and the like
SERVER_NAMES = (b"llama_cpp.server", b"vllm.entrypoints", b"VLLM")


def mark_session() -> None:
    """Mark this session: every process started from here on inherits the mark."""
    os.environ.setdefault(SESSION_MARK, f"{os.getpid()}-{uuid.uuid4().hex}")


def session_servers() -> list[int]:
    """Process ids of running llama.cpp servers and vLLM processes that carry this session's mark."""
    mark = f"{SESSION_MARK}={os.environ.get(SESSION_MARK, '')}".encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes()
            ours = mark in (proc / "environ").read_bytes().split(b"\0")
            if ours and int(proc.name) != os.getpid() and any(name in cmdline for name in SERVER_NAMES):
                found.append(int(proc.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def end_servers(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
