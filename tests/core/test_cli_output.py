"""What `parlour run` and `parlour eval` print at 80 columns: eval's tables shorten a long model name in the
middle and list its full name once below them; the run's summary names the model whole."""

from __future__ import annotations

from pathlib import Path

from support.cli import parlour, write_registry

from parlour.cli.names import shorten_middle

LONG = "smollm2-135m-instruct-q4_1-with-a-rather-long-suffix"


def test_a_long_model_name_is_shortened_in_the_middle_at_80_columns(tmp_path: Path) -> None:
    env = {**write_registry(tmp_path / "models.yaml", {"name": LONG, "backend": "programmatic"}), "COLUMNS": "80"}
    results = tmp_path / "results"
    run = parlour("run", "-g", "taboo", "-m", LONG, "-r", str(results), "--limit", "1", "--no-progress", env=env)
    assert run.returncode == 0, run.stderr
    summary, counts, folder = run.stdout.splitlines()[:3]
    assert summary.startswith(f"{LONG}-t0.0: 3 episodes")  # the name whole (the terminal wraps the line)
    assert len(counts) <= 80 and counts.endswith("0 failed")
    assert folder == f"  -> {results / f'{LONG}-t0.0--{LONG}-t0.0'}"  # in full, on a line of its own

    evaluation = parlour("eval", "-r", str(results), "--n-boot", "10", env=env)
    assert evaluation.returncode == 0, evaluation.stderr
    lines = evaluation.stdout.splitlines()
    tables = lines[: next(i for i, line in enumerate(lines) if line.startswith("counted "))]
    assert tables and all(len(line) <= 80 for line in tables)
    named = [line for line in tables if "smollm2" in line]
    # the overall row and the per-game table's title, each with the name shortened in the middle
    assert len(named) == 2 and all("…" in line and line.count("-t0.0") == 1 for line in named)
    intervals = [line for line in tables if "[" in line]
    assert intervals and all(line.count("[") == line.count("]") for line in intervals)  # none cut or wrapped
    assert evaluation.stdout.count(f"{LONG}-t0.0") == 1  # the full name, once, below the tables


def test_shorten_middle_keeps_both_ends() -> None:
    assert shorten_middle("smollm2-135m-t0.0", 20) == "smollm2-135m-t0.0"
    short = shorten_middle("a" * 30 + "-q4_1-t0.0", 20)
    assert len(short) == 20 and short.startswith("aaaa") and short.endswith("-t0.0")


def test_the_progress_row_fits_80_columns_with_its_counts_whole() -> None:
    import io

    from rich.console import Console

    from parlour.cli.progress import EpisodeProgress

    console = Console(file=io.StringIO(), width=80, force_terminal=False, color_system=None)
    pair = f"{LONG}-t0.0--{LONG}-t0.0"
    bar = EpisodeProgress(console)
    bar.start(pair, 420)
    bar.progress.update(bar.rows[pair], completed=420, aborted=420)
    console.print(bar.progress.get_renderable())
    [row] = [line for line in console.file.getvalue().splitlines() if line.strip()]
    assert len(row) <= 80 and "420/420" in row and "aborted 420  errors 0" in row, row
    assert row.startswith(shorten_middle(pair, 24)), row  # the name shortened in the middle, both ends kept
