"""Reading the files a user gives parlour (instances, registries, sweeps, results, tables) with one-line errors.

Every such file goes through this module, which opens regular files only (a FIFO or a device named in its
place is refused, never waited on) and bounds what a file can cost before anything else looks at it: its
size, how deeply its JSON or YAML nests (deep nesting would otherwise end in a RecursionError in the
parser or in whatever walks the data later) and how far YAML aliases expand (a few lines of nested aliases
can stand for billions of nodes). Each refusal is the caller's error class with one line naming the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
import yaml

from parlour.errors import ParlourError

if TYPE_CHECKING:
    import pandas as pd

MiB = 1 << 20
MAX_JSON_BYTES = 64 * MiB  # instances and episode files; the largest official ones are well under 1 MiB
MAX_YAML_BYTES = 8 * MiB  # registries, sweeps, characteristics: hand-written configuration
MAX_CSV_BYTES = 1024 * MiB  # raw.csv of a very large study
MAX_DEPTH = 100  # nesting levels; clembench's files nest fewer than 10
MAX_YAML_NODES = 1_000_000  # values in a YAML document with every alias expanded


@contextmanager
def open_regular(path: Path, error: type[ParlourError], what: str, follow_links: bool = True) -> Iterator[BinaryIO]:
    """`path` open for reading, when it is a regular file; `error` naming the file otherwise (a FIFO, a
    device, a folder, or a file that cannot be opened). Every file parlour reads is opened here: the
    open itself does not wait (O_NONBLOCK: opening a FIFO would otherwise block until someone writes to
    it), and what is not a regular file is refused before a byte is read. With `follow_links` False, a
    link at `path` is an error too (O_NOFOLLOW: the link is not opened)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as handle:
        kind = _not_regular(os.fstat(fd).st_mode)
        if kind:
            raise error(f"{path}: {what} is {kind}, not a regular file")
        os.set_blocking(fd, True)
        yield handle


def _not_regular(mode: int) -> str | None:
    """What a file of this mode is when it is not a regular file ("a FIFO", ...), else None."""
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def read_bytes(path: Path, error: type[ParlourError], what: str, max_bytes: int, follow_links: bool = True) -> bytes:
    """The regular file's bytes (`open_regular`); `error` naming the file when it cannot be read or is larger
    than `max_bytes`."""
    with open_regular(path, error, what, follow_links) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise error(_too_large(path, what, max_bytes))
        try:
            # read(n) allocates n bytes at once: ask for the size, then, only if the file grew meanwhile, for
            # up to one byte past the limit
            data = handle.read(size + 1)
            if len(data) > size:
                data += handle.read(max_bytes + 1 - len(data))
        except OSError as exc:
            raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise error(_too_large(path, what, max_bytes))
    return data


def file_sha256(path: Path, error: type[ParlourError], what: str = "file") -> str:
    """The sha256 of a regular file's bytes, read in chunks (`open_regular`); `error` naming the file otherwise."""
    with open_regular(path, error, what) as handle:
        try:
            return hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as exc:
            raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc


def read_utf8(path: Path, error: type[ParlourError], what: str = "file", max_bytes: int = MAX_JSON_BYTES) -> str:
    """The file's text; `error` naming the file when it cannot be read, is too large or is not UTF-8."""
    return _utf8(read_bytes(path, error, what, max_bytes), path, error, what)


def _utf8(data: bytes, path: Path, error: type[ParlourError], what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start]
        raise error(f"{path}: {what} is not UTF-8 text (byte 0x{bad:02x} at offset {exc.start})") from None


def read_json(path: Path, error: type[ParlourError], what: str = "JSON file") -> Any:
    """Parse a JSON file (NaN tokens allowed, as clembench writes them) of at most MAX_JSON_BYTES and
    MAX_DEPTH levels; `error` naming the file otherwise."""
    return decode_json(read_bytes(path, error, what, MAX_JSON_BYTES), path, error, what)


def decode_json(data: bytes, path: Path, error: type[ParlourError], what: str = "JSON file") -> Any:
    """`read_json` of bytes already read from `path` (for a caller that also needs the bytes themselves)."""
    text = _utf8(data, path, error, what)
    try:
        data = orjson.loads(text)  # about twice as fast as json; strict JSON only
    except orjson.JSONDecodeError:
        data = _json_with_nan(text, path, error, what)
    # Only a text with more brackets than MAX_DEPTH can nest deeper: most episode files skip the walk.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(data, MAX_DEPTH):
        raise error(_too_deep(path, what))
    return data


def _json_with_nan(text: str, path: Path, error: type[ParlourError], what: str) -> Any:
    """NaN tokens (clembench's scores), or not JSON at all: the standard parser decides."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise error(_too_deep(path, what)) from None


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and dicts nest more than `limit` levels, walked one level at a time (no recursion)."""
    level = [data] if data.__class__ in (dict, list) else []
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if node.__class__ is dict else node)
            if child.__class__ is dict or child.__class__ is list
        ]
        if not level:
            return False
    return True


def read_yaml(path: Path, error: type[ParlourError], what: str = "YAML file") -> Any:
    """Parse a YAML file (safe types only) of at most MAX_YAML_BYTES, MAX_DEPTH levels and MAX_YAML_NODES
    values with its aliases expanded; `error` naming the file otherwise."""
    text = read_utf8(path, error, what, MAX_YAML_BYTES)
    loader = _LimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problem = _expansion_problem(node)
        if problem:
            raise error(f"{path}: {what} {problem}")
        return loader.construct_document(node)
    except _TooDeepError:
        raise error(_too_deep(path, what)) from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: {what} is not valid YAML ({str(exc).splitlines()[0]})") from None
    finally:
        loader.dispose()


class _TooDeepError(Exception):
    pass


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that stops composing past MAX_DEPTH levels (its composer recurses once per level)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:  # a scalar sits one level below the deepest list or mapping
                raise _TooDeepError
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expansion_problem(root: yaml.Node) -> str | None:
    """What is wrong with the document once its aliases are expanded (too many values, too deep, an alias
    inside its own anchor), or None. Shared nodes are counted once per use but visited once."""
    expanded: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) with aliases expanded
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _yaml_children(node)
        if children_done:
            open_nodes.discard(key)
            values = 1 + sum(expanded[id(c)][0] for c in children)
            depth = max((expanded[id(c)][1] for c in children), default=0)
            depth += 0 if isinstance(node, yaml.ScalarNode) else 1  # levels of lists and mappings
            if values > MAX_YAML_NODES:
                return f"expands its YAML aliases to more than {MAX_YAML_NODES:,} values"
            if depth > MAX_DEPTH:
                return f"nests more than {MAX_DEPTH} levels deep (with its YAML aliases expanded)"
            expanded[key] = (values, depth)
        elif key in open_nodes:
            return "has a YAML alias inside its own anchor"
        elif key not in expanded:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in children)
    return None


def _yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def read_csv(path: Path, error: type[ParlourError], what: str = "CSV file", **options: Any) -> pd.DataFrame:
    """Read a CSV table of at most MAX_CSV_BYTES with pandas (`options` go to pandas.read_csv); `error`
    naming the file when it cannot be read, is not UTF-8, is empty or is not CSV."""
    import pandas as pd  # at use: pandas is slow to import and most commands never read a CSV

    text = read_utf8(path, error, what, MAX_CSV_BYTES)
    try:
        return spreadsheet_plain(pd.read_csv(io.StringIO(text), **options))
    except pd.errors.EmptyDataError:
        raise error(f"{path}: {what} is empty (no header line)") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise error(f"{path}: cannot read {what} ({str(exc).splitlines()[0]})") from None


# A cell starting with one of these is a formula to a spreadsheet (CSV injection): a model named
# "=HYPERLINK(...)" would run when someone opens raw.csv. Such text cells are written with a leading
# apostrophe, which spreadsheets show as text, and read_csv takes it off again. A cell that starts with an
# apostrophe of its own is quoted too, so that taking one off is always right: `'=x` and `=x` stay two
# names. Headers are left alone: clembench's own column "-, clemscore" must keep its name.
_FORMULA = r"^['=+\-@\t\r]"
_QUOTED_FORMULA = r"^'['=+\-@\t\r]"


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell (and index label) that a spreadsheet would run as a formula quoted by a
    leading apostrophe; the same frame when there is none."""
    return _map_text(frame, _FORMULA, lambda cells: "'" + cells)


def spreadsheet_plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo `spreadsheet_safe` on a table read back."""
    return _map_text(frame, _QUOTED_FORMULA, lambda cells: cells.str[1:])


def _map_text(frame: pd.DataFrame, pattern: str, change: Any) -> pd.DataFrame:
    import pandas as pd

    def fixed(cells: pd.Series | pd.Index) -> pd.Series | pd.Index | None:
        if not (pd.api.types.is_object_dtype(cells) or pd.api.types.is_string_dtype(cells)):
            return None
        if not any(isinstance(v, str) and re.match(pattern, v) for v in pd.unique(cells)):
            return None  # the common case, decided on the few distinct values (game, model, metric names)
        text = pd.Series(cells, copy=True)
        try:
            hit = text.str.contains(pattern, regex=True, na=False).astype(bool)
        except AttributeError:  # an object column without any text
            return None
        if not hit.any():
            return None
        text[hit] = change(text[hit])
        return pd.Index(text, name=cells.name) if isinstance(cells, pd.Index) else text

    out = frame
    for column in frame.columns:
        new = fixed(frame[column])
        if new is not None:
            out = out.copy() if out is frame else out
            out[column] = new
    index = fixed(frame.index)
    if index is not None:
        out = out.copy() if out is frame else out
        out.index = index
    return out


def _too_large(path: Path, what: str, max_bytes: int) -> str:
    return f"{path}: {what} is larger than {max_bytes // MiB} MiB, the most parlour reads"


def _too_deep(path: Path, what: str) -> str:
    return f"{path}: {what} nests more than {MAX_DEPTH} levels deep"
