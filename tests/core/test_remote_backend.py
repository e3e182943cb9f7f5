"""The OpenAI-compatible backend over real loopback HTTP: retries, Retry-After, final errors, limits."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from parlour.errors import BackendError, ParlourError
from parlour.models.remote.endpoint import Endpoint
from parlour.models.remote.openai_compatible import OpenAICompatibleModel
from parlour.models.remote.retry import TransientError, parse_retry_after
from parlour.models.spec import ModelSpec
from parlour.store import write_json
from parlour.testing.latency_server import LatencyServer

OK_BODY = {"choices": [{"message": {"role": "assistant", "content": " GUESS: word "}, "finish_reason": "stop"}]}


class ScriptedServer(ThreadingHTTPServer):
    """Answers each request with the next (status, headers, body) of its script; records request bodies."""

    def __init__(self, script: list[tuple[int, dict, str]]) -> None:
        self.script = list(script)
        self.bodies: list[dict] = []
        self.headers_seen: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                server.bodies.append(json.loads(self.rfile.read(length)))
                server.headers_seen.append(dict(self.headers))
                status, headers, body = server.script.pop(0) if server.script else (200, {}, json.dumps(OK_BODY))
                data = body.encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


def make_model(url: str, **extra) -> OpenAICompatibleModel:
    spec = ModelSpec(
        name="remote",
        backend="openai_compatible",
        base_url=url,
        model_id="served-model",
        sampling={"repeat_penalty": 1.0, "top_p": 1.0},
        options={"retry_base_delay_s": 0.01},
        **extra,
    )
    return OpenAICompatibleModel(spec)


async def test_retries_transient_failures_then_succeeds() -> None:
    server = ScriptedServer([(503, {}, "busy"), (429, {"Retry-After": "0"}, "slow down"), (200, {}, "not json")])
    model = make_model(server.url, max_retries=4)
    try:
        generation = await model.generate([{"role": "user", "content": "hi"}, {"role": "user", "content": "there"}])
    finally:
        await model.aclose()
        server.shutdown()
    assert generation.text == "GUESS: word"
    assert len(server.bodies) == 4
    sent = server.bodies[-1]
    # every sampling parameter is sent and recorded; messages normalised as clembench does
    assert sent == generation.prompt
    assert sent["repeat_penalty"] == 1.0 and sent["temperature"] == 0.0 and sent["max_tokens"] == 100
    assert sent["messages"] == [{"role": "user", "content": "hi\n\nthere"}]


async def test_final_error_after_last_retry() -> None:
    server = ScriptedServer([(500, {}, "boom")] * 3)
    model = make_model(server.url, max_retries=2)
    try:
        with pytest.raises(BackendError, match=r"failed after 3 attempts \(last error: HTTP 500\)"):
            await model.generate([{"role": "user", "content": "hi"}])
    finally:
        await model.aclose()
        server.shutdown()


async def test_client_error_is_not_retried() -> None:
    server = ScriptedServer([(400, {}, '{"error": "bad model"}')])
    model = make_model(server.url, max_retries=3)
    try:
        with pytest.raises(BackendError, match="HTTP 400"):
            await model.generate([{"role": "user", "content": "hi"}])
    finally:
        await model.aclose()
        server.shutdown()
    assert len(server.bodies) == 1


async def test_unreachable_endpoint() -> None:
    model = make_model("http://127.0.0.1:9/v1", max_retries=1)
    with pytest.raises(BackendError, match="failed after 2 attempts"):
        await model.generate([{"role": "user", "content": "hi"}])
    await model.aclose()


async def test_retry_after_is_honoured() -> None:
    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    attempts = iter([TransientError("429", retry_after=7.0, status=429), TransientError("503", status=503), "done"])

    async def call() -> str:
        item = next(attempts)
        if isinstance(item, Exception):
            raise item
        return item

    endpoint = Endpoint("http://x", start=2, ceiling=2)
    assert await endpoint.call(call, "x", max_retries=3, base_delay_s=0.5, timeout_s=5, sleep=fake_sleep) == "done"
    assert delays == [7.0, 1.0]  # server's Retry-After, then exponential backoff 0.5 * 2**1
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon, maybe") is None  # unreadable header: backoff instead of a crash


async def test_api_key_sent_but_never_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLOUR_TEST_KEY", "sk-secret-123")
    server = ScriptedServer([])
    model = make_model(server.url, api_key_env="PARLOUR_TEST_KEY")
    try:
        generation = await model.generate([{"role": "user", "content": "hi"}])
    finally:
        await model.aclose()
        server.shutdown()
    assert server.headers_seen[0]["Authorization"] == "Bearer sk-secret-123"
    assert "sk-secret" not in json.dumps([generation.prompt, generation.response, model.describe()])


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLOUR_ABSENT_KEY", raising=False)
    with pytest.raises(ParlourError, match="PARLOUR_ABSENT_KEY"):
        make_model("http://127.0.0.1:9/v1", api_key_env="PARLOUR_ABSENT_KEY")


async def test_per_endpoint_concurrency_limit() -> None:
    server = LatencyServer(latency_s=0.05).start()
    model = make_model(server.base_url, concurrency=3, concurrency_max=3)  # a fixed limit
    try:
        await asyncio.gather(*(model.generate([{"role": "user", "content": str(i)}]) for i in range(12)))
    finally:
        await model.aclose()
        server.stop()
    assert server.requests == 12
    assert server.max_in_flight == 3


def _reply(content: str, usage: object) -> tuple[int, dict, str]:
    body = {"choices": [{"message": {"content": content}, "finish_reason": "stop"}], "usage": usage}
    return 200, {}, json.dumps(body)


NESTED: dict = {"prompt_tokens": 7}
for _ in range(60):
    NESTED = {"details": NESTED}


@pytest.mark.parametrize("usage", ["seven tokens", NESTED, [1, 2]], ids=["string", "nested", "list"])
async def test_a_usage_that_is_not_token_counts_does_not_fail_the_episode(usage: object) -> None:
    server = ScriptedServer(
        [_reply("CLUE: fine", {**usage, "completion_tokens": 3} if isinstance(usage, dict) else usage)]
    )
    model = make_model(server.url, max_retries=0)
    try:
        generation = await model.generate([{"role": "user", "content": "hi"}])
    finally:
        await model.aclose()
        server.shutdown()
    assert generation.text == "CLUE: fine"
    assert generation.usage == ({"completion_tokens": 3} if isinstance(usage, dict) else {})


async def test_a_lone_surrogate_in_a_reply_is_replaced_and_recorded(tmp_path: Path) -> None:
    server = ScriptedServer([(200, {}, '{"choices": [{"message": {"content": "CLUE: a\\ud800b"}}], "usage": {}}')])
    model = make_model(server.url, max_retries=0)
    try:
        generation = await model.generate([{"role": "user", "content": "hi"}])
    finally:
        await model.aclose()
        server.shutdown()
    assert generation.text == "CLUE: a\ufffdb" and generation.response["replaced_lone_surrogates"] == 1
    write_json(tmp_path / "requests.json", generation.response, tmp_path)  # UTF-8 now, so the record can be written
    assert "a\ufffdb" in (tmp_path / "requests.json").read_text(encoding="utf-8")
