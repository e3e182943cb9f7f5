"""The 14 text games of clembench 2.0 in a clembench checkout, found and loaded by clemcore's own code."""

from __future__ import annotations

import hashlib
import logging
import logging.config
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from parlour.errors import ClembenchError
from parlour.textfiles import open_regular

BENCHMARK = "clembench-2.0"
VERSION = "2.0"  # the benchmark version a game's clemgame.json lists
GAMES_SETTING = "PARLOUR_CLEMBENCH_GAMES"
# plain `pip install 'parlour[clem]'` cannot resolve clemcore 3.3.4's pins beside parlour's (docs/clembench2.md)
INSTALL = "install the clem extra as locked (make test; or see docs/clembench2.md, Set-up)"


def require_clemcore() -> str:
    """clemcore's version; a one-line error naming the extra when it is not installed."""
    # clemcore draws a progress bar per episode it plays; parlour shows its own (tqdm reads this at import)
    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        from importlib.metadata import version

        with _logging_kept():
            import clemcore  # noqa: F401
    except ImportError as exc:
        raise ClembenchError(f"{BENCHMARK} needs clemcore: {INSTALL}") from exc
    return version("clemcore")


@contextmanager
def _logging_kept() -> Iterator[None]:
    """clemcore configures logging when first imported (logging.config.dictConfig): that disables every
    logger already made (parlour's `note:` lines would vanish) and gives the root logger a file handler
    writing ./clembench.log. parlour's own set-up is put back; clemcore's loggers keep theirs. Its file
    handlers open their file at the first record, so the root's, removed unused, leaves no empty file."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = logging.root.manager.loggerDict.values()
    enabled = [lg for lg in loggers if isinstance(lg, logging.Logger) and not lg.disabled]
    configure = logging.config.dictConfig

    def configure_lazily(config: dict) -> None:
        for handler in config.get("handlers", {}).values():
            if isinstance(handler, dict) and handler.get("class") == "logging.FileHandler":
                handler.setdefault("delay", True)
        configure(config)

    logging.config.dictConfig = configure_lazily
    try:
        yield
    finally:
        logging.config.dictConfig = configure
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
            handler.close()
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)
        for logger in enabled:
            logger.disabled = False


def games_folder(given: Path | None = None) -> Path:
    """The folder holding the game folders (`--games-dir`, else the setting `PARLOUR_CLEMBENCH_GAMES`)."""
    raw = given or os.environ.get(GAMES_SETTING)
    if not raw:
        raise ClembenchError(
            f"{BENCHMARK}: no games folder; clone clembench and set {GAMES_SETTING}=path/to/clembench "
            "(or give --games-dir)"
        )
    folder = Path(raw).expanduser()
    if not folder.is_dir():
        raise ClembenchError(f"{folder}: games folder not found (set {GAMES_SETTING} or --games-dir)")
    return folder


def game_specs(folder: Path) -> dict[str, Any]:
    """clemcore's GameSpec of every game of benchmark 2.0 under `folder`, by name (clemgame.json files)."""
    from clemcore.clemgame import GameSpec

    specs = {}
    for file in sorted(folder.rglob("clemgame.json")):
        for spec in GameSpec.from_directory(str(file.parent)):
            if VERSION in getattr(spec, "benchmark", []):
                specs[spec.game_name] = spec
    if not specs:
        raise ClembenchError(f"{folder}: no game of benchmark {VERSION} in it (no clemgame.json listing it)")
    return specs


def select(folder: Path, names: list[str]) -> list[Any]:
    """The specs of the named games ("all": every 2.0 game), in the order given."""
    specs = game_specs(folder)
    if not names or "all" in names:
        return list(specs.values())
    unknown = [name for name in names if name not in specs]
    if unknown:
        raise ClembenchError(
            f"game(s) {', '.join(unknown)} not in {folder} (its {VERSION} games: {', '.join(sorted(specs))})"
        )
    return [specs[name] for name in dict.fromkeys(names)]


def load(spec: Any, folder: Path) -> Any:
    """The game's GameBenchmark, loaded by clemcore's loader. Its own modules (a `utils` package, say) are
    then taken out of sys.modules, as clemcore does after each game, so that the next game loads its own
    modules of the same name; the loaded game keeps its references. A missing dependency is one line."""
    import numpy
    from clemcore.clemgame import GameBenchmark

    # textmapworld's scorer writes np.NaN, an alias NumPy 2 removed: restored (as NumPy 1 had it), so
    # that the game's own code scores its episodes on the locked NumPy
    if not hasattr(numpy, "NaN"):
        numpy.NaN = numpy.nan
    before = set(sys.modules)
    try:
        # clemcore 3.3 loads a game as a context whose exit unloads every module the game imported: parlour
        # keeps the game for the whole run and unloads the game's own modules itself (below)
        benchmark = GameBenchmark.load_from_spec(spec).__enter__()
    except ModuleNotFoundError as exc:
        raise ClembenchError(f"game {spec.game_name} needs the module {exc.name}: {INSTALL}") from exc
    except LookupError as exc:  # NLTK's "Resource ... not found"
        raise ClembenchError(
            f"game {spec.game_name}: NLTK data missing; build it with `python -m parlour.clembench.nltk_data "
            "DIR` and set NLTK_DATA=DIR"
        ) from exc
    root = str(folder.resolve())
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file and str(Path(file).resolve()).startswith(root):
            del sys.modules[name]
    return benchmark


def instances_file(spec: Any) -> Path:
    """The instance file clemcore plays for the game (in/<instances>.json; the 2.0 set)."""
    return Path(spec.game_path) / "in" / f"{getattr(spec, 'instances', 'instances')}.json"


def files_sha256(spec: Any) -> str:
    """One sha256 over the game folder's code and resources (path and content of each file, `in/` aside)."""
    digest = hashlib.sha256()
    game_path = Path(spec.game_path)
    for file in sorted(p for p in game_path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = file.relative_to(game_path)
        if relative.parts[0] == "in":
            continue
        digest.update(str(relative).encode() + b"\0")
        with open_regular(file, ClembenchError, "game file") as handle:
            while chunk := handle.read(1 << 20):  # the same digest as the whole file's bytes, in bounded memory
                digest.update(chunk)
    return digest.hexdigest()
