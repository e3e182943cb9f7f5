"""Finding the llama.cpp servers and vLLM processes (engines, `vllm serve`) a test session started,
wherever they ended up (a CLI subprocess killed mid-run leaves its server to init): each carries the
session's mark in its environment."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
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


def signal_state(pid: int | str = "self") -> str:
    """A process's signal lines from /proc (SigBlk: blocked, SigIgn: ignored, SigCgt: caught; hex masks, bit
    n-1 for signal n), and its state: what a child inherits from this process decides whether Ctrl-C stops it."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError as exc:
        return f"/proc/{pid}/status: {exc.strerror}"
    keep = ("State", "Threads", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
    return " ".join(line.replace("\t", "") for line in lines if line.split(":")[0] in keep)


def signal_sets(status: str) -> dict[str, set[int]]:
    """The signals blocked, ignored and caught (SigBlk, SigIgn, SigCgt) in a /proc/PID/status text."""
    sets = {}
    for line in status.splitlines():
        name, _, mask = line.partition(":")
        if name in ("SigBlk", "SigIgn", "SigCgt"):
            bits = int(mask, 16)
            sets[name] = {bit + 1 for bit in range(bits.bit_length()) if bits >> bit & 1}
    return sets


def describe_stuck(pid: int) -> str:
    """What a test prints about a process that did not end: its signal state and this process's (with the
    Python-level SIGINT handler and the calling thread's blocked signals), the process tree, and the child's
    Python stacks (py-spy, where installed)."""
    parts = [
        f"child {pid}: {signal_state(pid)}",
        f"test process {os.getpid()}: {signal_state()} SIGINT handler {signal.getsignal(signal.SIGINT)!r}, "
        f"blocked here {sorted(signal.pthread_sigmask(signal.SIG_BLOCK, []))}",
    ]
    tree = subprocess.run(
        ["ps", "ww", "--forest", "-o", "pid,ppid,pgid,stat,etime,args", "-s", str(os.getsid(0))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    parts.append(tree.stdout)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if Path(spy).is_file():
        dump = subprocess.run([spy, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=60, check=False)
        parts.append(dump.stdout + dump.stderr)
    return "\n".join(parts)
