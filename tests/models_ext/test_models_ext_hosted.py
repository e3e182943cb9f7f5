"""Hosted API wire formats against a loopback HTTP server, and provider presets."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from parlour.errors import ParlourError
from parlour.models.loader import load_model
from parlour.models.spec import ModelSpec

SECRET = "sk-test-DO-NOT-LEAK-1234"
MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "A yellow fruit?"},
    {"role": "assistant", "content": "GUESS: banana"},
    {"role": "user", "content": "Wrong."},
    {"role": "user", "content": "Try again."},
]

# canned replies in each API's wire format, by path suffix
REPLIES = {
    "/v1/messages": {
        "id": "msg_1",
        "model": "claude-x",
        "content": [{"type": "text", "text": " GUESS: lemon "}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 21, "output_tokens": 4},
    },
    ":generateContent": {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "GUESS: "}, {"text": "lemon"}]},
                "finishReason": "MAX_TOKENS",
            }
        ],
        "usageMetadata": {"promptTokenCount": 20, "candidatesTokenCount": 4},
    },
    "/v2/chat": {
        "id": "c1",
        "message": {"role": "assistant", "content": [{"type": "text", "text": "GUESS: lemon"}]},
        "finish_reason": "COMPLETE",
        "usage": {"tokens": {"input_tokens": 19, "output_tokens": 3}},
    },
    "/chat/completions": {
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "GUESS: lemon"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 18, "completion_tokens": 3},
    },
}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append(
            {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        )
        if self.server.fail_first and len(self.server.seen) == 1:
            self.send_response(429)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        reply = next(v for k, v in REPLIES.items() if self.path.endswith(k))
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.seen, httpd.fail_first = [], False
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _spec(server, backend: str, **extra) -> ModelSpec:
    return ModelSpec(
        name=f"{backend}-test",
        backend=backend,
        model_id="some-model",
        base_url=f"http://127.0.0.1:{server.server_address[1]}" + ("/v1" if backend == "groq" else ""),
        max_tokens=30,
        options={"retry_base_delay_s": 0.01},
        **extra,
    )


async def _call(spec: ModelSpec):
    model = load_model(spec)
    try:
        return model, await model.generate(MESSAGES)
    finally:
        await model.aclose()


def _assert_no_secret(model, generation):
    recorded = json.dumps([generation.prompt, generation.response, model.describe()])
    assert SECRET not in recorded


async def test_anthropic_wire_format(server, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    server.fail_first = True  # a 429 is retried
    spec = _spec(server, "anthropic", stop=["\n"], sampling={"top_k": 5, "seed": 3})
    model, gen = await _call(spec)
    assert len(server.seen) == 2
    request = server.seen[-1]
    assert request["path"] == "/v1/messages"
    assert request["headers"]["x-api-key"] == SECRET and request["headers"]["anthropic-version"]
    body = request["body"]
    assert body["system"] == "Be brief."
    assert body["messages"][-1] == {"role": "user", "content": "Wrong.\n\nTry again."}
    assert body["max_tokens"] == 30 and body["temperature"] == 0.0
    assert body["stop_sequences"] == ["\n"] and body["top_k"] == 5 and "seed" not in body
    assert gen.prompt == body  # what requests.json records is exactly what was sent
    assert gen.text == "GUESS: lemon" and gen.response["finish_reason"] == "stop"
    assert gen.usage == {"prompt_tokens": 21, "completion_tokens": 4}
    assert model.ignored_parameters() == ["seed"]
    _assert_no_secret(model, gen)


async def test_google_wire_format(server, monkeypatch):
    monkeypatch.setenv("GOOGLE_API_KEY", SECRET)
    model, gen = await _call(_spec(server, "google", sampling={"top_p": 0.5, "repeat_penalty": 1.1}))
    request = server.seen[-1]
    assert request["path"] == "/v1beta/models/some-model:generateContent"
    assert SECRET not in request["path"] and request["headers"]["x-goog-api-key"] == SECRET
    body = request["body"]
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert body["generationConfig"] == {"temperature": 0.0, "maxOutputTokens": 30, "candidateCount": 1, "topP": 0.5}
    assert {s["threshold"] for s in body["safetySettings"]} == {"BLOCK_NONE"}
    assert gen.text == "GUESS: lemon" and gen.response["finish_reason"] == "length"
    assert model.ignored_parameters() == ["repeat_penalty"]
    _assert_no_secret(model, gen)


async def test_cohere_wire_format(server, monkeypatch):
    monkeypatch.setenv("CO_API_KEY", SECRET)
    model, gen = await _call(_spec(server, "cohere", sampling={"top_p": 0.7, "seed": 1}))
    request = server.seen[-1]
    assert request["path"] == "/v2/chat" and request["headers"]["authorization"] == f"Bearer {SECRET}"
    body = request["body"]
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["p"] == 0.7 and body["seed"] == 1 and body["max_tokens"] == 30
    assert gen.text == "GUESS: lemon" and gen.usage == {"prompt_tokens": 19, "completion_tokens": 3}
    _assert_no_secret(model, gen)


async def test_provider_preset_drops_and_lists_unexposed_parameters(server, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", SECRET)
    spec = _spec(server, "groq", sampling={"top_p": 0.9, "top_k": 40, "repeat_penalty": 1.0, "seed": 7})
    model, gen = await _call(spec)
    request = server.seen[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {SECRET}"
    body = request["body"]
    assert body["top_p"] == 0.9 and body["seed"] == 7 and "top_k" not in body and "repeat_penalty" not in body
    assert model.ignored_parameters() == ["repeat_penalty", "top_k"]
    info = model.describe()
    assert info["provider"] == "groq" and info["api_key_env"] == "GROQ_API_KEY"
    assert any("1e-8" in note for note in info["provider_notes"])
    assert gen.text == "GUESS: lemon"
    _assert_no_secret(model, gen)


def test_presets_fill_in_endpoint_and_key_variable(monkeypatch):
    monkeypatch.setenv("TOGETHER_API_KEY", SECRET)
    model = load_model(ModelSpec(name="t", backend="together", model_id="meta-llama/Llama-3-70b-chat-hf"))
    assert model.spec.base_url == "https://api.together.xyz/v1"
    body = model.request_body([{"role": "user", "content": "hi"}])
    assert body["model"] == "meta-llama/Llama-3-70b-chat-hf" and body["temperature"] == 0.0
    mistral = load_model(
        ModelSpec(name="m", backend="mistral", model_id="x", api_key_env="TOGETHER_API_KEY", sampling={"seed": 4})
    )
    assert mistral.request_body([{"role": "user", "content": "hi"}])["random_seed"] == 4
    local = load_model(ModelSpec(name="l", backend="llamacpp_server", model_id="x"))
    assert local.request_body([{"role": "user", "content": "hi"}])["repeat_penalty"] == 1.0


def test_missing_key_is_a_one_line_error(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with pytest.raises(ParlourError, match="ANTHROPIC_API_KEY"):
        load_model(ModelSpec(name="a", backend="anthropic", model_id="x"))
    with pytest.raises(ParlourError, match="OPENROUTER_API_KEY"):
        load_model(ModelSpec(name="o", backend="openrouter", model_id="x"))
