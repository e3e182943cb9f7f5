"""Serving a GGUF with llama-cpp-python's OpenAI-compatible server on loopback, for as long as it is needed
(a sweep's `serve:` entries, the tests). The server answers one request at a time (see docs/llamacpp.md)."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from parlour.errors import ParlourError


@contextmanager
def serve_gguf(gguf: Path, alias: str, port: int, n_ctx: int = 8192, start_timeout_s: float = 240) -> Iterator[str]:
    """Start `python -m llama_cpp.server` for `gguf` on 127.0.0.1:`port`, yield its base URL
    (`http://127.0.0.1:PORT/v1`) once it answers, and stop it afterwards."""
    url = f"http://127.0.0.1:{port}/v1"
    if _answers(url):
        raise ParlourError(f"port {port} is already serving something; stop it or give the model another base_url")
    # llama.cpp logs a lot at load time: a file, not a pipe that could fill up and block the server
    log_path = Path(tempfile.mkstemp(prefix="llama-server-", suffix=".log")[1])
    with log_path.open("w") as log:
        process = start_owned(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", str(n_ctx), "--interrupt_requests", "False", "--model_alias", alias],
            log,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + start_timeout_s
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise ParlourError(f"llama_cpp.server for {gguf.name} did not start on port {port}: {tail[0]}")
            time.sleep(0.5)
        yield url
    finally:
        stop(process)
        log_path.unlink(missing_ok=True)


def start_owned(command: list[str], log: IO[str]) -> subprocess.Popen:
    """Start `command` so that it ends with the process that started it, even one killed with no chance
    to clean up (a sweep stopped with SIGKILL, a test run timed out): on Linux the kernel sends it SIGTERM
    when its parent thread exits; elsewhere only `stop` ends it."""
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)


def stop(process: subprocess.Popen, grace_s: float = 30) -> None:
    """Terminate, then kill if it does not end in `grace_s`; always reaped, so no zombie stays."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/models", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
