r"""Files a user gives and files we write: bounded reads, guarded YAML, safe names, outputs all at once.

Also where the shipped data lives (scenarios, notebooks, sample exports), read through
``importlib.resources``: package data when installed from a wheel, the checkout's root folders otherwise.

Ground floor (it imports only the message catalogue). Every reader refuses what would never end or
eat the machine *before* building objects: a FIFO or a directory named ``x.yaml``, a file larger
than the reader's limit, YAML with too many aliases (an alias bomb), too deep or too large once
expanded, or with a key given twice. Writers put a run's files in a hidden folder first and move
them into place only when every file is written, so a full disk leaves the previous results intact.

Example:
    >>> from communitysim.files import safe_name, clean_text, load_yaml
    >>> safe_name("Bakery 2024/25")
    'Bakery_2024_25'
    >>> clean_text("Red\u202e1\x00")
    'Red1'
    >>> load_yaml("a: 1", "x.yaml")
    {'a': 1}
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from communitysim.messages import number, t

__all__ = [
    "KINDS",
    "atomic_write_bytes",
    "scenario_dir",
    "find_scenario",
    "scenario_names",
    "scenario_path",
    "shipped",
    "InputError",
    "MAX_YAML_BYTES",
    "MAX_YAML_NODES",
    "MAX_YAML_DEPTH",
    "read_bounded",
    "load_yaml",
    "load_yaml_file",
    "safe_name",
    "clean_text",
    "write_files_together",
]

#: Largest scenario (YAML) file read, in bytes: the shipped ones are under 10 kB.
MAX_YAML_BYTES = 1_000_000
#: Largest YAML document once its aliases are expanded, in nodes (values, keys and collections).
MAX_YAML_NODES = 100_000
#: Deepest nesting of YAML collections (a scenario nests 4 deep).
MAX_YAML_DEPTH = 32
#: Longest file-name part made from a user's name (characters; the file system allows 255 bytes).
MAX_NAME_CHARS = 60


class InputError(ValueError):
    """A file cannot be read as asked: one line saying why (the caller names the file)."""


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    A FIFO, a device or a directory is refused without being opened for reading (it could block
    or never end); a larger file is refused after reading ``limit + 1`` bytes at most.

    Raises:
        InputError: not a regular file, too large, or unreadable (the system's reason).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO does not wait for a writer
    except IsADirectoryError:
        raise InputError(t("files.error.directory")) from None
    except OSError as exc:
        raise InputError(t("files.error.os", reason=exc.strerror or exc.__class__.__name__)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(t("files.error.directory"))
        if not stat.S_ISREG(mode):
            raise InputError(t("files.error.not_regular"))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(t("files.error.os", reason=exc.strerror or exc.__class__.__name__)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError(t("files.error.too_large", limit=number(limit)))
    return b"".join(chunks)


class _GuardedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that counts depth while composing and refuses keys given twice."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, t("files.error.depth", limit=MAX_YAML_DEPTH), mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:  # the node's own keys (merged ones '<<' may be overridden)
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, t("files.error.key_twice", name=repr(key)[:80]), key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _expanded_size(root: yaml.Node) -> int:
    """Nodes in the document with every alias expanded (memoised: linear in the nodes written)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
        if children_done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in children)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def load_yaml(text: str, source: str) -> Any:
    """Parse one YAML document safely, within the depth and expanded-size limits.

    Raises:
        yaml.YAMLError: a syntax error, a key given twice, too deep or too large once aliases are
            expanded (an alias bomb): its ``problem`` says which, its ``problem_mark`` where.
    """
    loader = _GuardedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_YAML_NODES:
            raise yaml.composer.ComposerError(
                None, None, t("files.error.nodes", limit=number(MAX_YAML_NODES)), node.start_mark
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml_file(path: str | Path, limit: int = MAX_YAML_BYTES) -> Any:
    """Read (bounded) and parse (guarded) a UTF-8 YAML file.

    Raises:
        InputError: not a regular file, too large, unreadable, not UTF-8.
        yaml.YAMLError: as :func:`load_yaml`.
    """
    data = read_bounded(path, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(t("scenario.error.utf8")) from None
    return load_yaml(text, str(path))


#: Characters that change how the text around them is shown: bidirectional controls (the
#: right-to-left override used to spoof names), zero-width joiners and marks.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff]")


def clean_text(text: str) -> str:
    r"""A one-line name without control characters (NUL, newlines) nor bidirectional overrides.

    Example:
        >>> clean_text("  Team\u202eA\n ")
        'TeamA'
    """
    text = _INVISIBLE.sub("", str(text))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def safe_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    """A user's name as one part of a file name: letters, digits, ``-``, ``_`` and ``.``, never a path.

    Anything else (``/``, ``..`` at the start, spaces, controls) becomes ``_``; the result is cut
    to ``limit`` characters and is never empty. Callers that need names to stay distinct add
    something unique (a hash) beside it.

    Example:
        >>> safe_name("/../../escaped"), safe_name(""), len(safe_name("x" * 300))
        ('escaped', 'unnamed', 60)
    """
    text = re.sub(r"[^\w.-]+", "_", clean_text(name), flags=re.UNICODE).strip("._")
    return text[:limit].rstrip("._") or "unnamed"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that it is either wholly there or not changed (temp file + rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600: give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files_together(folder: str | Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` (name -> bytes) into ``folder``: all of them, or none.

    The files are written and fsynced in a hidden sibling folder, then each is moved over its
    final name (a rename in the same file system: atomic); a failure while writing (a full disk)
    leaves ``folder`` exactly as it was.

    Raises:
        OSError: the folder cannot be created or written (nothing changed in it).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".writing-"))
    try:
        mask = os.umask(0)
        os.umask(mask)
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(staging / name, 0o666 & ~mask)
        written = []
        for name in files:
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- the shipped data --------------------------------------------------------------------------

#: The kinds of shipped data, each a folder.
KINDS = ("scenarios", "notebooks", "examples")
#: Extensions of a scenario file.
SCENARIO_SUFFIXES = (".yaml", ".yml")


def shipped(kind: str) -> Path:
    """The folder of a kind of shipped data (package data, else the checkout's root folder)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of shipped data {kind!r}; expected one of: {', '.join(KINDS)}")
    packaged = Path(str(resources.files("communitysim") / kind))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / kind


def scenario_names() -> list[str]:
    """The names of the shipped scenarios (file names without ``.yaml``), sorted."""
    folder = shipped("scenarios")
    return sorted(p.stem for p in folder.iterdir() if p.suffix in SCENARIO_SUFFIXES)


def scenario_path(name: str) -> Path:
    """A shipped scenario's file by its name (``bakery_launch`` or ``bakery_launch.yaml``)."""
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix in SCENARIO_SUFFIXES else name
    for suffix in SCENARIO_SUFFIXES:
        path = shipped("scenarios") / f"{stem}{suffix}"
        if path.is_file():
            return path
    return shipped("scenarios") / f"{stem}.yaml"


def find_scenario(given: str | Path) -> Path:
    """A scenario as the user gave it: an existing file, else the shipped scenario of that name.

    ``scenarios/bakery_launch.yaml`` (a checkout's path, typed anywhere), ``bakery_launch.yaml`` and
    ``bakery_launch`` all find the shipped scenario when no such file exists where the user is.
    A name that is neither is returned as given (the loader then says the file is missing).
    """
    path = Path(given)
    if path.exists():
        return path
    if path.name and (path.parent in (Path(), Path("scenarios"))):
        candidate = scenario_path(path.name)
        if candidate.is_file():
            return candidate
    return path


def scenario_dir() -> Path:
    """The scenarios: ``./scenarios`` if it exists, else the shipped ones (:func:`shipped`)."""
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return shipped("scenarios")
