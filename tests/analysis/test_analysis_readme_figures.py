"""The README figures regenerate from the shipped official tables and stay small."""

from pathlib import Path

from parlour.analysis.readme_figures import generate

REPO = Path(__file__).resolve().parents[2]
NAMES = {"regression.png", "brackets.png", "profiles.png", "dynamics.png", "backends.png", "quantization.png"}


def test_readme_figures_regenerate_small(tmp_path: Path) -> None:
    written = generate(tmp_path)
    assert {p.name for p in written} == NAMES
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert 5_000 < len(data) < 150_000, (path.name, len(data))


def test_committed_figures_exist() -> None:
    folder = REPO / "docs" / "figures"
    assert NAMES <= {p.name for p in folder.glob("*.png")}
    assert all((folder / name).stat().st_size < 150_000 for name in NAMES)
