"""Unit tests of the core: message normalisation, specs, registry, instance files, store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parlour import store
from parlour.errors import InstanceFileError, RegistryError, UnknownGameError, UnknownModelError
from parlour.games.instances import load_instances, resolve_instances_file
from parlour.games.registry import get_game, select_games
from parlour.models.messages import ensure_alternating_roles
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec


def test_alternating_roles_drops_empty_system_and_merges() -> None:
    messages = [
        {"role": "system", "content": ""},
        {"role": "user", "content": "a"},
        {"role": "user", "content": "b"},
        {"role": "assistant", "content": "c"},
    ]
    assert ensure_alternating_roles(messages) == [
        {"role": "user", "content": "a\n\nb"},
        {"role": "assistant", "content": "c"},
    ]
    assert messages[1]["content"] == "a"  # the game's history is not modified


def test_alternating_roles_keeps_nonempty_system() -> None:
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert ensure_alternating_roles(messages) == messages


def test_spec_hash_tracks_generation_fields_only() -> None:
    spec = ModelSpec(name="m", backend="llamacpp", weights="x.gguf")
    assert spec.spec_hash() == ModelSpec(name="m", backend="llamacpp", weights="x.gguf").spec_hash()
    assert spec.spec_hash() == spec.model_copy(update={"name": "other", "concurrency": 4}).spec_hash()
    assert spec.spec_hash() != spec.with_generation(temperature=0.7).spec_hash()
    assert spec.spec_hash() != spec.model_copy(update={"sampling": {"top_p": 0.9}}).spec_hash()
    assert spec.with_generation(max_tokens=300).max_tokens == 300
    assert spec.player_folder_name() == "m-t0.0"


def test_registry_lookup_builtin_and_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert lookup("smollm2-135m").backend == "llamacpp"
    user = tmp_path / "models.yaml"
    user.write_text("models:\n  - name: smollm2-135m\n    backend: openai_compatible\n    base_url: http://x/v1\n")
    monkeypatch.setenv("PARLOUR_MODELS", str(user))
    assert lookup("smollm2-135m").backend == "openai_compatible"  # user files shadow the built-in


def test_registry_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnknownModelError, match="unknown model 'nope'"):
        lookup("nope")
    bad = tmp_path / "models.yaml"
    bad.write_text("models:\n  - name: x\n    backend: llamacpp\n    temperature: hot\n")
    monkeypatch.setenv("PARLOUR_MODELS", str(bad))
    with pytest.raises(RegistryError, match=r"models.yaml: model x: field `temperature`"):
        lookup("x")


def test_special_model_names() -> None:
    assert lookup("programmatic:breaker").options == {"policy": "breaker"}
    with pytest.raises(UnknownModelError, match="does not exist"):
        lookup("scripted:/no/such/file.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"not valid JSON \(line 1"),
        ('{"experiments": 3}', "needs a top-level object with an 'experiments' list"),
        ('{"experiments": [{"game_instances": []}]}', r"experiments\[0\]: missing field 'name'"),
        (
            '{"experiments": [{"name": "e", "game_instances": []}]}',
            r"'e' \(experiments\[0\]\): missing field 'max_turns'",
        ),
        (
            '{"experiments": [{"name": "e", "max_turns": 3, "describer_initial_prompt": "", '
            '"guesser_initial_prompt": "", "game_instances": [{"game_id": 0}]}]}',
            r"game_instances\[0\] \(game_id 0\): missing field 'target_word'",
        ),
    ],
)
def test_malformed_instances(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "instances.json"
    path.write_text(content)
    taboo = get_game("taboo")
    with pytest.raises(InstanceFileError, match=message) as info:
        load_instances(path, taboo.experiment_schema, taboo.instance_schema)
    assert str(path) in str(info.value)


def test_resolve_instances(tmp_path: Path, reference: Path) -> None:
    default = tmp_path / "default.json"
    assert resolve_instances_file("taboo", None, default) == default
    official = resolve_instances_file("taboo", reference, default)
    assert official == reference / "games" / "taboo" / "in" / "instances.json"
    with pytest.raises(InstanceFileError, match="no games/taboo/in/instances.json"):
        resolve_instances_file("taboo", tmp_path, default)


def test_official_taboo_instances_load(reference: Path) -> None:
    game = get_game("taboo")
    data = load_instances(reference / "games/taboo/in/instances.json", game.experiment_schema, game.instance_schema)
    assert [e["name"] for e in data["experiments"]] == ["high_en", "medium_en", "low_en"]
    assert all(len(e["game_instances"]) == 20 for e in data["experiments"])


def test_unknown_game() -> None:
    with pytest.raises(UnknownGameError, match="unknown game 'chess'"):
        select_games(["chess"])


def test_atomic_write_keeps_nan_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "a" / "scores.json"
    store.write_json(path, {"Main Score": float("nan")}, tmp_path)
    assert "NaN" in path.read_text()
    assert list(path.parent.iterdir()) == [path]
    assert store.pair_name(["m-t0.0"]) == "m-t0.0--m-t0.0"


def test_write_failure_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    store.write_json(path, {"ok": 1}, tmp_path)
    with pytest.raises(TypeError):
        store.write_json(path, {"bad": object()}, tmp_path)
    assert json.loads(path.read_text()) == {"ok": 1}
    assert list(tmp_path.iterdir()) == [path]
