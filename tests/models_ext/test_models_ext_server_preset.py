"""The llamacpp_server preset against a real llama-cpp-python server on loopback."""

import pytest

from parlour.models.loader import load_model
from parlour.models.registry import lookup

pytestmark = pytest.mark.slow


async def test_server_preset_matches_in_process_llama_cpp(llama_server_url):
    messages = [{"role": "user", "content": "Name the capital of France in one word."}]
    served_spec = lookup("smollm2-135m-server").model_copy(update={"base_url": llama_server_url, "max_tokens": 12})
    served = load_model(served_spec)
    local = load_model(lookup("smollm2-135m-serial").model_copy(update={"max_tokens": 12}))
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
