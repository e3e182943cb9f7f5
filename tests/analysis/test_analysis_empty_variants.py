"""The backend and quantization comparisons on models that played nothing: a note saying why, not a crash."""

from pathlib import Path

from test_analysis_runs import write_results
from typer.testing import CliRunner

from parlour.cli.analyze import analyze_app


def _unplayed_pair(root: Path) -> None:
    spec = {"weights": "SmolLM2-135M-Instruct", "spec_hash": "x"}
    for name, backend, quant in (("smol-a", "llamacpp", "Q4_1"), ("smol-b", "huggingface", "Q8_0")):
        run = {"models": [{"name": name, "backend": backend, "quantization": quant, **spec}]}
        write_results(root, f"{name}-t0.0--{name}-t0.0", 1.0, 1, run)  # every episode aborted: no clemscore


def test_variants_without_clemscore_say_why(tmp_path: Path) -> None:
    _unplayed_pair(tmp_path)
    for kind in ("quantization", "backends"):
        res = CliRunner().invoke(analyze_app, [kind, "-r", str(tmp_path), "--csv", str(tmp_path / f"{kind}.csv")])
        assert res.exit_code == 0, res.output
        assert "Traceback" not in res.output and "KeyError" not in res.output
        assert "nothing to compare: 2 of 2 models have no clemscore" in " ".join(res.output.split())
        header = (tmp_path / f"{kind}.csv").read_text().strip().split(",")
        assert {"group", "pair", "diff_clemscore"} <= set(header)


def test_sweep_says_why_its_variant_tables_are_empty(tmp_path: Path) -> None:
    from parlour.sweep.file import SweepFile
    from parlour.sweep.run import SweepSummary, finish_sweep

    _unplayed_pair(tmp_path)
    sweep = SweepFile(models=["programmatic:oracle"], games=["taboo"], analyses=["quantization"], report=False)
    summary = finish_sweep(sweep, tmp_path, SweepSummary(), n_boot=10)
    assert summary.analyses["quantization"].read_text().startswith("clemscore,")
    assert any("quantization.csv has no rows: 2 of 2 models have no clemscore" in w for w in summary.warnings)
