"""The analysis registry: each entry's function, options and report section agree, and every reader of the
registry (the command line, the sweep file, the library) lists the same analyses."""

import inspect

import pytest
from typer.main import get_command

from parlour.analysis.registry import (
    ANALYSES,
    Analysis,
    commands,
    get,
    page_sections,
    resolve,
    run_analysis,
    sweep_names,
)
from parlour.cli.analyze import analyze_app
from parlour.errors import ParlourError
from parlour.sweep.file import SweepFile


@pytest.mark.parametrize("analysis", ANALYSES, ids=[a.name for a in ANALYSES])
def test_each_entry_names_a_function_taking_exactly_its_options(analysis: Analysis) -> None:
    function = resolve(analysis.function)
    parameters = list(inspect.signature(function).parameters)
    assert parameters[:2] == ["scores", "joined"]
    assert sorted(parameters[2:]) == sorted(o.name for o in analysis.options)
    if analysis.section is not None:
        assert callable(resolve(analysis.section.function))


def test_the_command_line_has_one_command_per_entry_with_its_flags() -> None:
    group = get_command(analyze_app)
    assert list(group.commands) == [a.name for a in commands()]  # type: ignore[attr-defined]
    for analysis in commands():
        command = group.commands[analysis.name]  # type: ignore[attr-defined]
        flags = {flag for param in command.params for flag in param.opts}
        assert {flag for option in analysis.options for flag in option.flags} <= flags
        assert ("--figure" in flags) == analysis.figure
        assert ("--characteristics" in flags) == analysis.characteristics


def test_sweep_files_and_the_report_read_the_registry() -> None:
    assert sweep_names() == ["regression", "brackets", "families", "backends", "quantization", "divergence"]
    assert SweepFile.model_validate({"models": ["x"], "games": ["taboo"], "analyses": sweep_names()})
    labels = [section.label for section in page_sections()]
    assert labels[0] == "profiles" and page_sections()[0].overview
    assert labels[1:] == [a.name for a in ANALYSES if a.section is not None and not a.section.overview]


def test_unknown_analyses_and_options_are_one_line_errors() -> None:
    with pytest.raises(ParlourError, match="unknown analysis 'chess'.*known: regression"):
        run_analysis("chess", ["official:v1.6"])
    with pytest.raises(ParlourError, match="analysis families has no option colour"):
        run_analysis("families", ["official:v1.6"], colour="red")
    with pytest.raises(ParlourError, match="--sample must be 'nested' or 'available', not 'all'"):
        get("regression").values({"sample": "all"})
    with pytest.raises(ParlourError, match="reads scores only"):
        run_analysis("compare", ["official:v1.6"], ["official:characteristics"], model_a="a", model_b="b")
