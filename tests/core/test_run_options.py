"""One options object carries a run's settings, by name, from the command line, the API and a sweep."""

from __future__ import annotations

from pathlib import Path

import pytest

import parlour
from parlour.api import RunOptions


def test_settings_by_name_replace_the_defaults_or_a_given_object() -> None:
    base = RunOptions(results="out", limit=2, experiments=["high_en"])
    assert base.results == Path("out") and base.experiments == ("high_en",)
    changed = RunOptions.of(base, limit=3, instances="i.json")
    assert (changed.results, changed.limit, changed.instances) == (Path("out"), 3, Path("i.json"))
    assert RunOptions.of(limit=1) == RunOptions(limit=1)


def test_an_empty_experiment_list_means_every_experiment() -> None:
    assert RunOptions(experiments=[]).experiments is None
    assert RunOptions(experiments=[]).whole_games and not RunOptions(experiments=["a"]).whole_games


def test_an_unknown_setting_is_refused_with_the_valid_names() -> None:
    with pytest.raises(TypeError, match=r"unknown run setting\(s\) limt \(valid: .*limit"):
        RunOptions.of(limt=2)


def test_a_positional_value_that_is_not_options_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="options must be a RunOptions"):
        parlour.run("taboo", "programmatic:oracle", "instances.json")  # type: ignore[arg-type]


def test_the_api_plays_with_an_options_object_as_with_settings_by_name(tmp_path: Path) -> None:
    by_name = parlour.run("taboo", "programmatic:oracle", results=tmp_path / "a", limit=1)
    options = RunOptions(results=tmp_path / "b", limit=1)
    as_object = parlour.run("taboo", "programmatic:oracle", options)
    assert by_name.total == as_object.total > 0
    assert by_name.count("played") == as_object.count("played") == by_name.total
    assert as_object.folder is not None and as_object.folder.parent == tmp_path / "b"
