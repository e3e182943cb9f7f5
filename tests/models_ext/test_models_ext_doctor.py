"""Turn-taking fault detectors on crafted replies, a results-folder scan, and `doctor` on the real model."""

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from parlour.cli.doctor import doctor_command
from parlour.models.doctor import check_prompt, check_reply, diagnose_results, injected_system_prompt


def codes(faults) -> set[str]:
    return {f.code for f in faults}


def test_clean_reply_has_no_fault():
    assert check_reply("GUESS: apple<|im_end|>", finish_reason="stop") == []
    assert check_reply("CLUE: a tool for cutting", completion_tokens=6, max_tokens=100) == []


def test_text_after_end_of_turn_token():
    faults = check_reply("GUESS: apple<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nGUESS: pear")
    assert codes(faults) == {"past_end_of_turn", "role_marker"}
    assert "after <|eot_id|>" in faults[0].detail


def test_llama3_run_on_with_special_tokens_decoded_away():
    # the paper's Llama-3 case: <|eot_id|> not a stop token, special tokens skipped when decoding
    faults = check_reply("GUESS: appleassistant\n\nGUESS: pear")
    assert codes(faults) == {"past_end_of_turn"}
    # an ordinary use of the word is not a fault
    assert check_reply("I am your assistant\n\nGUESS: pear") == []


def test_custom_stop_token_counts_as_end_of_turn():
    assert codes(check_reply("GUESS: a <END> more", stop_tokens=["<END>"])) == {"past_end_of_turn"}
    assert check_reply("GUESS: a <END>", stop_tokens=["<END>"]) == []


def test_role_markers_leaking():
    assert codes(check_reply("CLUE: fruit\nUser: is it an apple?")) == {"role_marker"}
    assert codes(check_reply("[INST] describe it [/INST]")) == {"role_marker"}
    assert codes(check_reply("<|im_start|>user\nhi")) == {"role_marker"}
    assert check_reply("CLUE: the user of a tool") == []


def test_cut_at_max_tokens():
    assert codes(check_reply("CLUE: a long", finish_reason="length")) == {"max_tokens_cut"}
    assert codes(check_reply("CLUE: a long", completion_tokens=100, max_tokens=100)) == {"max_tokens_cut"}
    assert check_reply("CLUE: short", completion_tokens=3, max_tokens=100) == []


def test_injected_system_prompt():
    prompt = "<|im_start|>system\nYou are a helpful AI.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
    user_only = [{"role": "user", "content": "hi"}]
    assert injected_system_prompt(prompt, user_only) == "You are a helpful AI."
    assert codes(check_prompt(prompt, user_only)) == {"default_system_prompt"}
    # a system message the game sent itself is not injected
    assert check_prompt(prompt, [{"role": "system", "content": "You are a helpful AI."}, *user_only]) == []
    llama3 = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
    assert check_prompt(llama3, user_only) == []


def _write_episode(root: Path, pair: str, requests: list[dict]) -> None:
    folder = root / pair / "taboo" / "0_high_en" / "episode_0"
    folder.mkdir(parents=True)
    (folder / "requests.json").write_text(json.dumps(requests))


def _request(inputs: str, completion: str, model: str, finish: str = "stop") -> dict:
    return {
        "timestamp": "2026-01-01T00:00:00",
        "manipulated_prompt_obj": {"inputs": inputs, "max_new_tokens": 100, "temperature": 0.0},
        "raw_response_obj": {
            "response": inputs + completion,
            "finish_reason": finish,
            "clem_player": {"response": completion, "model_name": model},
        },
    }


def test_results_folder_counts_faults_per_model(tmp_path):
    clean = "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
    smol = "<|im_start|>system\nYou are SmolLM.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
    _write_episode(
        tmp_path,
        "llama-t0.0--llama-t0.0",
        [
            _request(clean, "GUESS: apple<|eot_id|>", "llama"),
            _request(clean, "GUESS: appleassistant\n\nGUESS: pear", "llama"),
            _request(clean, "CLUE: it is", "llama", finish="length"),
        ],
    )
    _write_episode(tmp_path, "smol-t0.0--smol-t0.0", [_request(smol, "GUESS: kiwi", "smol")])
    report = diagnose_results(tmp_path)
    assert report.replies == {"llama": 3, "smol": 1}
    assert report.faults["llama"] == {"past_end_of_turn": 1, "max_tokens_cut": 1}
    assert report.faults["smol"] == {"default_system_prompt": 1}


def test_official_llama3_hf_requests_are_clean(reference: Path):
    # the 2024-05-28 HF runs already stopped at <|eot_id|> (spec §4.3)
    report = diagnose_results(reference / "episodes")
    assert report.replies["Meta-Llama-3-70B-Instruct-hf"] == 2
    assert not report.faults.get("Meta-Llama-3-70B-Instruct-hf")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("doctor")(doctor_command)
    app.command("noop")(lambda: None)  # keep `doctor` a named subcommand
    return app


def test_doctor_command_on_the_embedded_model():
    result = CliRunner().invoke(_app(), ["doctor", "-m", "smollm2-135m", "-l", "8"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "<|im_start|>assistant" in out  # the template and the exact prompt
    assert "stop tokens in effect: ['<|im_end|>']" in out
    assert "default_system_prompt" in out and "SmolLM" in out
    assert "raw reply:" in out


def test_doctor_command_on_a_results_folder(tmp_path):
    _write_episode(tmp_path, "m-t0.0--m-t0.0", [_request("x", "GUESS: a\nUser: b", "m")])
    result = CliRunner().invoke(_app(), ["doctor", "-r", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "role_marker" in result.output
    row = next(line for line in result.output.splitlines() if line.strip("│ ").startswith("m "))
    assert [c.strip() for c in row.strip("│").split("│")] == ["m", "1", "0", "1", "0", "0"]


def test_doctor_command_needs_a_target():
    result = CliRunner().invoke(_app(), ["doctor"])
    assert result.exit_code == 2
