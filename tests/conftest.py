"""Shared test fixtures: where the read-only reference data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared").resolve()
REFERENCE = SHARED / "reference" / "clembench-v1.6"


@pytest.fixture(scope="session")
def reference() -> Path:
    """../shared/reference/clembench-v1.6 (tests fail, not skip, if it is missing)."""
    assert REFERENCE.is_dir(), f"reference data missing at {REFERENCE}"
    return REFERENCE


@pytest.fixture(scope="session")
def llama_server_url(tmp_path_factory: pytest.TempPathFactory):
    """A real `python -m llama_cpp.server` on loopback serving the embedded GGUF (alias smollm2-135m)."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    from parlour.models.registry import lookup
    from parlour.models.weights import resolve_weights

    gguf = resolve_weights(lookup("smollm2-135m").weights, "smollm2-135m")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # llama.cpp logs a lot at load time: a file, not a pipe that could fill up and block the server
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "8192", "--interrupt_requests", "False",
             "--model_alias", "smollm2-135m"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 240  # generous: the machine may be busy
    try:
        while True:
            assert process.poll() is None, f"llama_cpp.server exited: {log_path.read_text()[-2000:]}"
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"llama_cpp.server did not start: {log_path.read_text()[-2000:]}"
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
