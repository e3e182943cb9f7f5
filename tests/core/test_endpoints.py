"""The shared HTTP path of every remote backend, against the fault-injecting loopback server:
secrets redacted, an overall deadline per request, a circuit breaker per endpoint, bounded settings,
and the adaptive in-flight limit."""

from __future__ import annotations

import asyncio
import traceback
from pathlib import Path

import pytest
import yaml

from parlour.errors import BackendError, EndpointDownError, ParlourError, RegistryError
from parlour.models.loader import load_model
from parlour.models.registry import lookup
from parlour.models.remote import endpoint
from parlour.models.remote.limits import AdaptiveLimit
from parlour.models.spec import ModelSpec
from parlour.redact import redact
from parlour.testing.fault_server import FaultServer, spread
from parlour.testing.latency_server import LatencyServer

SECRET = "sk-endpoints-test-never-leak-5678"
HELLO = [{"role": "user", "content": "hi"}]
# spec hashes from before the retry delay left the hash: results recorded with them must keep them
PLAIN_HASH = "8ea46f88edf0"
DEFAULT_MODEL_HASH = "fb8e6f9cd010"


def remote(url: str, **extra) -> ModelSpec:
    fields = {"name": "remote", "backend": "openai_compatible", "options": {"retry_base_delay_s": 0.01}, **extra}
    return ModelSpec(base_url=url, **fields)


@pytest.fixture
def servers():
    started: list[LatencyServer] = []

    def start(server: LatencyServer) -> LatencyServer:
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


@pytest.mark.parametrize("backend", ["openai_compatible", "cohere"])
async def test_a_key_echoed_by_the_server_is_redacted(servers, monkeypatch, backend) -> None:
    monkeypatch.setenv("PARLOUR_ENDPOINT_TEST_KEY", SECRET)
    server = servers(FaultServer({"401_echo": 1.0}))
    url = server.base_url if backend == "openai_compatible" else server.base_url.removesuffix("/v1")
    model = load_model(remote(url, backend=backend, api_key_env="PARLOUR_ENDPOINT_TEST_KEY", model_id="m"))
    try:
        with pytest.raises(BackendError) as caught:
            await model.generate(HELLO)
    finally:
        await model.aclose()
    text = _error_text(caught.value)
    assert "HTTP 401" in text and "[REDACTED]" in text  # the echo is reported, without the key
    assert SECRET not in text
    assert redact(f"Bearer {SECRET}") == "Bearer [REDACTED]"


async def test_the_deadline_covers_the_whole_request(servers) -> None:
    # a server trickling its reply one byte per 50 ms never exceeds a per-read timeout of 0.3 s
    server = servers(FaultServer({"trickle": 1.0}, trickle_s=0.05))
    model = load_model(remote(server.base_url, timeout_s=0.3, max_retries=0))
    try:
        with pytest.raises(BackendError, match="deadline"):
            await model.generate(HELLO)
    finally:
        await model.aclose()


async def test_refused_credentials_stop_the_endpoint_at_once(servers, monkeypatch) -> None:
    monkeypatch.setenv("PARLOUR_ENDPOINT_TEST_KEY", SECRET)
    server = servers(FaultServer({"401_echo": 1.0}))
    first = load_model(remote(server.base_url, api_key_env="PARLOUR_ENDPOINT_TEST_KEY", max_retries=5))
    second = load_model(remote(server.base_url, api_key_env="PARLOUR_ENDPOINT_TEST_KEY", name="other"))
    try:
        with pytest.raises(EndpointDownError, match="refused the credentials"):
            await first.generate(HELLO)
        for model in (first, second, first):  # the same endpoint: nothing more is sent
            with pytest.raises(EndpointDownError, match="HTTP 401"):
                await model.generate(HELLO)
    finally:
        await first.aclose()
        await second.aclose()
    assert server.requests == 1
    assert first.endpoint_report()["circuit_open"]


async def test_a_dead_endpoint_fails_fast(servers) -> None:
    server = servers(FaultServer({"500": 1.0}))
    model = load_model(remote(server.base_url, concurrency=2, concurrency_max=2, max_retries=4))
    try:
        results = await asyncio.gather(*(model.generate(HELLO) for _ in range(20)), return_exceptions=True)
    finally:
        await model.aclose()
    assert all(isinstance(r, BackendError) for r in results)
    # the two first requests use their retries (2 x 5 attempts); the other 18 are not sent (old: 100)
    assert server.requests <= 12
    assert sum(isinstance(r, EndpointDownError) for r in results) >= 18
    assert "endpoint down" in str(results[-1]) and "HTTP 500" in str(results[-1])


async def test_transient_faults_are_retried_without_opening_the_breaker(servers) -> None:
    server = servers(FaultServer(spread(0.3), hang_s=3.0, trickle_s=0.05))
    model = load_model(remote(server.base_url, timeout_s=1.0, max_retries=8, concurrency=8))
    try:
        generations = await asyncio.gather(
            *(model.generate([{"role": "user", "content": f"request {i}"}]) for i in range(40))
        )
    finally:
        await model.aclose()
    assert all(g.text.startswith("GUESS:") for g in generations)
    assert sum(server.injected.values()) > 0
    report = model.endpoint_report()
    assert report["circuit_open"] is None and report["requests"] == 40 and report["attempts"] > 40


async def test_a_recovered_endpoint_is_tried_again(servers, monkeypatch) -> None:
    monkeypatch.setattr(endpoint, "BREAKER_COOLDOWN_S", 0.2)
    server = servers(FaultServer({"500": 1.0}))
    model = load_model(remote(server.base_url, max_retries=7))
    try:
        with pytest.raises(BackendError, match="failed after 8 attempts"):
            await model.generate(HELLO)  # the endpoint is down: the breaker opens
        with pytest.raises(EndpointDownError, match="endpoint down"):
            await model.generate(HELLO)  # not sent
        sent = server.requests
        await asyncio.sleep(0.3)
        with pytest.raises(EndpointDownError, match="a probe after 0.2 s failed"):
            await model.generate(HELLO)  # one probe, one attempt: still down, the breaker opens again
        with pytest.raises(EndpointDownError, match="endpoint down"):
            await model.generate(HELLO)
        assert server.requests == sent + 1
        server.faults = {}  # the endpoint recovers
        await asyncio.sleep(0.3)
        replies = [await model.generate(HELLO) for _ in range(3)]  # the probe closes the breaker
    finally:
        await model.aclose()
    assert all(reply.text.startswith("GUESS:") for reply in replies)
    assert server.requests == sent + 4
    report = model.endpoint_report()
    assert report["circuit_open"] is None and report["circuit_opened"] == 1


def test_the_retry_delay_is_recorded_but_not_hashed() -> None:
    plain = ModelSpec(name="remote", backend="openai_compatible", base_url="http://127.0.0.1:9/v1")
    delayed = remote("http://127.0.0.1:9/v1")
    assert delayed.options["retry_base_delay_s"] == 0.01
    assert delayed.spec_hash() == plain.spec_hash()
    assert load_model(delayed).describe()["options"] == {"retry_base_delay_s": 0.01}  # what run.json records
    # hashes of specs without the option, and of the default model, are those results were recorded with
    assert plain.spec_hash() == PLAIN_HASH
    assert lookup("smollm2-135m").spec_hash() == DEFAULT_MODEL_HASH
    assert plain.model_copy(update={"options": {"other": 1}}).spec_hash() != plain.spec_hash()


def test_credentials_in_the_base_url_do_not_change_the_hash() -> None:
    plain = ModelSpec(name="remote", backend="openai_compatible", base_url="http://127.0.0.1:9/v1")
    with_credentials = plain.model_copy(update={"base_url": "http://user:secret-pass@127.0.0.1:9/v1"})
    assert with_credentials.spec_hash() == plain.spec_hash()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_retries", -1, "greater than or equal to 0"),
        ("concurrency", -1, "greater than or equal to 1"),
        ("concurrency", 0, "greater than or equal to 1"),
        ("concurrency_max", 0, "greater than or equal to 1"),
        ("timeout_s", -5, "greater than 0"),
        ("timeout_s", 0, "greater than 0"),
        ("max_tokens", 0, "greater than or equal to 1"),
        ("temperature", -0.5, "greater than or equal to 0"),
        ("options", {"retry_base_delay_s": -1}, "retry_base_delay_s must be"),
    ],
)
def test_numeric_settings_are_bounded(tmp_path: Path, monkeypatch, field: str, value, message: str) -> None:
    path = tmp_path / "models.yaml"
    entry = {"name": "remote", "backend": "openai_compatible", "base_url": "http://127.0.0.1:9/v1", field: value}
    path.write_text(yaml.safe_dump({"models": [entry]}))
    monkeypatch.setenv("PARLOUR_MODELS", str(path))
    with pytest.raises(RegistryError) as caught:
        lookup("remote")
    assert str(caught.value).startswith(f"{path}: model remote: field `{field}")
    assert message in str(caught.value)


def test_cli_generation_settings_are_bounded() -> None:
    spec = remote("http://127.0.0.1:9/v1")
    with pytest.raises(ParlourError, match="model remote: field `max_tokens`"):
        spec.with_generation(max_tokens=0)
    assert spec.with_generation(temperature=0.7, max_tokens=20).max_tokens == 20


async def test_the_limit_rises_while_the_endpoint_answers_promptly(servers) -> None:
    server = servers(LatencyServer(latency_s=0.05))
    model = load_model(remote(server.base_url, concurrency=2, concurrency_max=12))
    try:
        await asyncio.gather(*(model.generate([{"role": "user", "content": str(i)}]) for i in range(60)))
    finally:
        await model.aclose()
    report = model.endpoint_report()
    assert report["limit_start"] == 2 and report["limit_highest"] > 2 and report["increases"] > 0
    assert report["most_requests_waiting"] > 0  # the limit capped what was asked
    assert 2 < server.max_in_flight <= 12


async def test_the_limit_backs_off_on_throttling(servers) -> None:
    server = servers(FaultServer({"429": 0.2, "503": 0.2}))
    model = load_model(remote(server.base_url, concurrency=8, concurrency_max=8, max_retries=20))
    try:
        await asyncio.gather(*(model.generate([{"role": "user", "content": str(i)}]) for i in range(16)))
    finally:
        await model.aclose()
    report = model.endpoint_report()
    assert report["throttled"] > 0 and report["decreases"] > 0 and report["limit_lowest"] < 8


async def test_one_decrease_per_round_of_requests() -> None:
    limit = AdaptiveLimit(start=8, ceiling=16)
    rounds = [await limit.acquire() for _ in range(8)]
    for epoch in rounds:  # eight 429s for requests sent in the same round
        limit.on_throttled(epoch)
    assert limit.limit == 4 and limit.decreases == 1
    for _ in rounds:
        limit.release()
    later = await limit.acquire()
    limit.on_throttled(later)
    assert limit.limit == 2


def test_the_user_is_told_when_the_limit_caps_concurrency() -> None:
    model = load_model(remote("http://127.0.0.1:9/v1", concurrency=8, concurrency_max=16))
    assert model.concurrency_note(8) is None
    assert "starts at 8" in model.concurrency_note(12) and "rises" in model.concurrency_note(12)
    assert "never exceeds 16" in model.concurrency_note(32)
    assert model.default_concurrency == 16
