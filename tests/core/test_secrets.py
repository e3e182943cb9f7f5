"""Secrets and terminal escapes against a real loopback server: a key echoed into a reply, quoted late in a
long error body or a non-JSON body, a key variable with a trailing newline, credentials in a base URL,
and escape sequences in an error body never reach a record (error.json, run.json, interactions.json,
requests.json) or the terminal."""

from __future__ import annotations

import base64
import json
import traceback
from pathlib import Path

import pytest
from support.cli import parlour, parlour_process, write_registry

from parlour.errors import BackendError, ParlourError
from parlour.models.loader import load_model
from parlour.models.spec import ModelSpec
from parlour.testing.fault_server import FaultServer

SECRET = "sk-LEAKCHECK-secrets-0123456789"
PREFIX = SECRET[:7]  # what a cut at the wrong place would leave of the key
PASSWORD = "pw-LEAKCHECK-4711"
PAIR = "remote-t0.0--remote-t0.0"
RUN = ("run", "-g", "taboo", "-m", "remote", "-e", "high_en", "--limit", "1", "--no-progress")
HELLO = [{"role": "user", "content": "hi"}]


@pytest.fixture
def server():
    started: list[FaultServer] = []

    def start(faults: dict[str, float]) -> FaultServer:
        started.append(FaultServer(faults).start())
        return started[-1]

    yield start
    for each in started:
        each.stop()


def run_parlour(tmp_path: Path, base_url: str, key: str = SECRET):
    entry = {
        "name": "remote",
        "backend": "openai_compatible",
        "base_url": base_url,
        "api_key_env": "PARLOUR_SECRETS_KEY",
        "max_retries": 1,
        "options": {"retry_base_delay_s": 0.01},
    }
    env = {**write_registry(tmp_path / "models.yaml", entry), "PARLOUR_SECRETS_KEY": key}
    # in-process as in a fresh process, the run starts with no key registered for redaction (an earlier one
    # here would hide a run that fails to register it)
    return parlour(*RUN, "-r", str(tmp_path / "results"), env=env)


def everything(tmp_path: Path, run) -> str:
    """Every file under the results folder and both output streams, as one text."""
    files = [p.read_text(errors="replace") for p in (tmp_path / "results").rglob("*") if p.is_file()]
    return "\n".join([*files, run.stdout, run.stderr])


@pytest.mark.parametrize(
    ("fault", "redacted_in"),
    [
        ("echo_200", "interactions.json"),  # a successful reply quoting the key
        ("echo_400_late", "error.json"),  # the key at character 190 of a 200-character excerpt
        ("echo_garbage_late", "error.json"),  # the key at character 110 of a 120-character excerpt
    ],
)
def test_a_key_the_endpoint_echoes_is_never_recorded_or_printed(tmp_path, server, fault, redacted_in) -> None:
    run = run_parlour(tmp_path, server({fault: 1.0}).base_url)
    assert PREFIX not in everything(tmp_path, run)
    episode = next((tmp_path / "results" / PAIR).glob("taboo/*/episode_0"))
    assert "[REDACTED]" in (episode / redacted_in).read_text()


def test_a_key_echoed_to_a_ray_actor_is_not_written_by_the_driver(tmp_path, server) -> None:
    """On Ray the actor loads the model (and knows the key); the driver, which writes the files, does not."""
    pytest.importorskip("ray", reason="the Ray executor needs the ray extra")
    (tmp_path / "in_process").mkdir()
    run_parlour(tmp_path / "in_process", server({"echo_200": 1.0}).base_url)  # writes its models.yaml
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(json.dumps({"models": ["remote"], "games": ["taboo"], "report": False}), encoding="utf-8")
    env = {"PARLOUR_MODELS": str(tmp_path / "in_process" / "models.yaml"), "PARLOUR_SECRETS_KEY": SECRET}
    args = ("sweep", str(sweep), "-r", str(tmp_path / "results"), "--executor", "ray", "--limit", "1")
    run = parlour_process(*args, "--n-boot", "10", "--no-progress", env=env)
    assert run.returncode == 0, run.stderr
    assert PREFIX not in everything(tmp_path, run)
    episode = next((tmp_path / "results" / PAIR).glob("taboo/*/episode_0"))
    assert "[REDACTED]" in (episode / "interactions.json").read_text()


def test_credentials_in_the_base_url_are_neither_recorded_nor_printed(tmp_path, server) -> None:
    fault_server = server({"401_echo": 1.0})  # its 401 body echoes the Basic authorization header
    url = fault_server.base_url.replace("http://", f"http://leakuser:{PASSWORD}@")
    run = run_parlour(tmp_path, url)
    assert run.returncode == 1 and "HTTP 401" in run.stderr
    text = everything(tmp_path, run)
    basic = base64.b64encode(f"leakuser:{PASSWORD}".encode()).decode()
    assert PASSWORD not in text and basic not in text and "leakuser" not in text
    recorded = json.loads((tmp_path / "results" / PAIR / "run.json").read_text())
    assert recorded["models"][0]["base_url"] == fault_server.base_url
    assert recorded["models"][0]["endpoint"]["base_url"] == fault_server.base_url


def test_terminal_escapes_from_an_error_body_are_neutralised(tmp_path, server) -> None:
    run = run_parlour(tmp_path, server({"escapes_400": 1.0}).base_url)
    assert run.returncode == 1
    assert "\x1b" not in run.stderr and "\x9b" not in run.stderr and "\x07" not in run.stderr
    assert "\\x1b[2J" in run.stderr  # shown, as an escape
    error = next((tmp_path / "results" / PAIR).glob("taboo/*/episode_0/error.json"))
    assert "\x1b" not in json.loads(error.read_text())["message"]


@pytest.mark.parametrize("ending", ["\n", "\r\n", " "])
async def test_a_key_variable_with_a_trailing_newline_is_sent_without_it(server, monkeypatch, ending) -> None:
    monkeypatch.setenv("PARLOUR_SECRETS_KEY", SECRET + ending)
    clean, echoing = server({}), server({"401_echo": 1.0})
    spec = {"backend": "openai_compatible", "api_key_env": "PARLOUR_SECRETS_KEY", "max_retries": 0}
    working = load_model(ModelSpec(name="clean", base_url=clean.base_url, **spec))
    refused = load_model(ModelSpec(name="echoing", base_url=echoing.base_url, **spec))
    try:
        assert (await working.generate(HELLO)).text.startswith("GUESS:")
        with pytest.raises(BackendError) as caught:
            await refused.generate(HELLO)
    finally:
        await working.aclose()
        await refused.aclose()
    text = "".join(traceback.format_exception(caught.value))
    assert "HTTP 401" in text and PREFIX not in text


def test_a_key_that_no_header_can_carry_is_refused_without_showing_it(monkeypatch) -> None:
    monkeypatch.setenv("PARLOUR_SECRETS_KEY", SECRET[:10] + "\n" + SECRET[10:])
    spec = ModelSpec(name="m", backend="openai_compatible", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ParlourError, match="PARLOUR_SECRETS_KEY") as caught:
        load_model(spec.model_copy(update={"api_key_env": "PARLOUR_SECRETS_KEY"}))
    assert PREFIX not in str(caught.value)
