"""The real default model (SmolLM2-135M GGUF via llama.cpp), in-process and behind a real llama.cpp server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import REFERENCE
from support.cli import parlour, write_registry

from parlour.games.episode import strip_volatile
from parlour.models.registry import lookup
from parlour.models.weights import resolve_weights

pytestmark = pytest.mark.slow
PAIR = "smollm2-135m-t0.0--smollm2-135m-t0.0"


def read(path: Path):
    return json.loads(path.read_text())


def episode_dirs(results: Path, pair: str) -> list[Path]:
    return sorted((results / pair).glob("*/*/episode_*"))


def test_embedded_model_plays_taboo_identically_at_any_concurrency(tmp_path: Path) -> None:
    runs = {}
    for n in (1, 3):
        results = tmp_path / f"c{n}"
        run = parlour(
            "run",
            "-g",
            "taboo",
            "-m",
            "smollm2-135m",
            "-r",
            str(results),
            "-i",
            str(REFERENCE),
            "--limit",
            "2",
            "--concurrency",
            str(n),
        )
        assert run.returncode == 0, run.stderr
        runs[n] = episode_dirs(results, PAIR)
    assert len(runs[1]) == 6
    for a, b in zip(runs[1], runs[3], strict=True):
        assert strip_volatile(read(a / "interactions.json")) == strip_volatile(read(b / "interactions.json"))
        assert (a / "scores.json").read_text() == (b / "scores.json").read_text()
    request = read(runs[1][0] / "requests.json")[0]
    prompt = request["manipulated_prompt_obj"]
    # the GGUF's own chat template (SmolLM2 injects its default system prompt), greedy, 100 tokens
    assert prompt["inputs"].startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert prompt["inputs"].endswith("<|im_start|>assistant\n")
    assert prompt["temperature"] == 0.0 and prompt["max_tokens"] == 100 and prompt["stop"] == ["<|im_end|>"]
    assert "<|im_end|>" not in request["raw_response_obj"]["clem_player"]["response"]
    spec = read(tmp_path / "c1" / PAIR / "run.json")["models"][0]
    assert spec["quantization"] == "Q4_1" and spec["weights_path"].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert len(spec["spec_hash"]) == 12


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory):
    """`python -m llama_cpp.server` on loopback serving the embedded GGUF."""
    gguf = resolve_weights(lookup("smollm2-135m").weights, "smollm2-135m")
    port = _free_port()
    # llama.cpp logs a lot at load time: a file, not a pipe that could fill up and block the server
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "8192",
            "--interrupt_requests",
            "False",
            "--model_alias",
            "smollm2-135m",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, f"llama_cpp.server exited: {log_path.read_text()[-2000:]}"
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "llama_cpp.server did not start within 90 s"
        time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_openai_compatible_backend_against_real_llama_server(tmp_path: Path, llama_server: str) -> None:
    env = write_registry(
        tmp_path / "models.yaml",
        {
            "name": "smollm2-135m-server",
            "backend": "openai_compatible",
            "base_url": llama_server,
            "model_id": "smollm2-135m",
            "concurrency": 2,
            # the server's default repeat_penalty is 1.1 while the in-process default is 1.0: send it
            "sampling": {"repeat_penalty": 1.0, "top_p": 0.95, "top_k": 40, "min_p": 0.05, "seed": 0},
        },
    )
    served, local = tmp_path / "served", tmp_path / "local"
    common = ("-g", "taboo", "-i", str(REFERENCE), "-e", "high_en", "--limit", "3")
    run = parlour("run", "-m", "smollm2-135m-server", "-r", str(served), *common, env=env)
    assert run.returncode == 0, run.stderr
    assert parlour("run", "-m", "smollm2-135m", "-r", str(local), *common).returncode == 0
    served_eps = episode_dirs(served, "smollm2-135m-server-t0.0--smollm2-135m-server-t0.0")
    assert len(served_eps) == 3
    request = read(served_eps[0] / "requests.json")[0]["manipulated_prompt_obj"]
    assert request["repeat_penalty"] == 1.0 and request["model"] == "smollm2-135m"
    # same weights, same template, greedy: the server's replies equal the in-process ones
    for a, b in zip(served_eps, episode_dirs(local, PAIR), strict=True):
        ours = [e["action"]["content"] for t in read(a / "interactions.json")["turns"] for e in t]
        theirs = [e["action"]["content"] for t in read(b / "interactions.json")["turns"] for e in t]
        assert ours == theirs
