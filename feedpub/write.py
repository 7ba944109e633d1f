"""Final stage — write: put a build's outputs into the output folder, atomically.

Outputs are staged in a sibling temporary folder and swapped in only when all of them were
written, so a failed or interrupted build leaves the last good output byte-identical. Files
whose bytes did not change are hard-linked from the old output (their mtime and inode stay,
so rsync/CDN uploads skip them), and a build that changes nothing touches nothing.

A rebuild of a large archive does not even make most of its outputs: every output has a key
(everything its bytes depend on, hashed), the build cache records the key, size, mtime and
inode of each file written (:class:`Written`), and an output whose key and file are as
recorded is :class:`~feedpub.model.Kept` (see :class:`Previous`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from feedpub.errors import OutputError, Problem
from feedpub.model import Kept, Output
from feedpub.slug import RESERVED_NAMES

MARKER = ".feedpub-output"  # marks a folder feedpub may replace wholesale


class Written(NamedTuple):
    """What the build cache remembers of a file it wrote: the output's key and the file's stat."""

    key: bytes
    size: int
    mtime_ns: int
    ino: int


class Previous:
    """What the output folder holds of the last build: each file's key, trusted while its stat agrees."""

    def __init__(self, out: Path, files: Mapping[str, Written]) -> None:
        self._prefix = str(out) + os.sep
        self._files = files

    def holds(self, path: str, key: bytes) -> bool:
        """Whether out/path is the file the last build wrote for this key, unchanged since."""
        known = self._files.get(path)
        if known is None or known.key != key:
            return False
        try:
            st = os.stat(self._prefix + path)
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns, st.st_ino) == (known.size, known.mtime_ns, known.ino)


NOTHING = Previous(Path(), {})  # for builds that know nothing of the output folder


@dataclass(frozen=True)
class WriteReport:
    """What a write did."""

    written: tuple[str, ...]  # new or changed files
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]  # files of the old output that the new one no longer has
    files: Mapping[str, Written] = field(default_factory=dict)  # every output file now, for the cache

    @property
    def changed(self) -> bool:
        """Whether the output folder was replaced."""
        return bool(self.written or self.removed)


def check_path(rel: str) -> str:
    """Return rel if it is a safe relative POSIX path inside the output folder, else raise."""
    reason = None
    if not rel or "\0" in rel:
        reason = "is empty or holds a NUL byte"
    elif "\\" in rel or rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        reason = "is absolute or uses Windows separators"
    else:
        for part in PurePosixPath(rel).parts:
            if part in ("..", ".", "") or part.split(".")[0].lower() in RESERVED_NAMES:
                reason = f"has a forbidden segment {part!r}"
                break
    if reason:
        raise OutputError([Problem("output", None, f"refusing to write {rel!r}: the path {reason}")])
    return rel


def _existing(out: Path) -> dict[str, str]:
    """Map every file of the output folder (but the marker) to its file system path."""
    if not out.is_dir():
        return {}
    found: dict[str, str] = {}
    top = str(out)
    for folder, _dirs, files in os.walk(top):
        # strings, not pathlib: an archive's output has a file per page
        prefix = folder[len(top):].strip(os.sep).replace(os.sep, "/")
        prefix = prefix + "/" if prefix else ""
        for f in files:
            found[prefix + f] = os.path.join(folder, f)
    found.pop(MARKER, None)
    return found


def _same(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _stats(out: Path, outputs: Sequence[Output | Kept]) -> dict[str, Written]:
    """Return what the cache should remember of each output file now in out."""
    prefix = str(out) + os.sep
    files: dict[str, Written] = {}
    for o in outputs:
        try:
            st = os.stat(prefix + o.path)
        except OSError:
            continue
        files[o.path] = Written(o.key, st.st_size, st.st_mtime_ns, st.st_ino)
    return files


def _guard(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError([Problem(str(out), None, "output path exists and is not a folder")])
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError([Problem(
            str(out), None,
            f"refusing to replace a folder feedpub did not create (no {MARKER} in it); "
            "empty it or choose another --out",
        )])


def write_outputs(outputs: Sequence[Output | Kept], out: Path) -> WriteReport:
    """Make out hold exactly outputs; replace it atomically, or leave it untouched.

    A Kept output is the file out already holds (Previous.holds said so): it is linked into
    the new folder, never read or rewritten.
    """
    seen: dict[str, int] = {}
    for i, o in enumerate(outputs):
        check_path(o.path)
        if o.path in seen:
            raise OutputError([Problem("output", None, f"two outputs would be written to {o.path!r}")])
        seen[o.path] = i
    _guard(out)
    old = _existing(out)
    kept = {o.path for o in outputs if isinstance(o, Kept) and o.path in old}
    missing = [o.path for o in outputs if isinstance(o, Kept) and o.path not in old]
    if missing:  # previous.holds() said it was there: the folder changed under this build
        raise OutputError([Problem(str(out), None, f"{missing[0]} disappeared from the output folder "
                                   "during the build; build again")])
    unchanged = tuple(sorted(
        o.path for o in outputs
        if o.path in kept or (isinstance(o, Output) and o.path in old and _same(old[o.path], o.data))
    ))
    written = tuple(sorted(set(seen) - set(unchanged)))
    removed = tuple(sorted(set(old) - set(seen)))
    report = WriteReport(written, unchanged, removed)
    if not report.changed and (out / MARKER).exists():
        return WriteReport(written, unchanged, removed, _stats(out, outputs))
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.tmp-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    try:
        stage.mkdir()
        (stage / MARKER).write_bytes(b"This folder is written by feedpub and replaced on every build.\n")
        same = set(unchanged)
        made: set[str] = set()
        top = str(stage)
        for o in outputs:
            target = os.path.join(top, o.path)
            folder = os.path.dirname(target)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            if o.path in same:
                try:
                    os.link(old[o.path], target)
                    continue
                except OSError:
                    if isinstance(o, Kept):
                        shutil.copy2(old[o.path], target)  # file systems without hard links
                        continue
            assert isinstance(o, Output)
            with open(target, "wb") as f:
                f.write(o.data)
        if out.exists():
            out.rename(retired)
        try:
            stage.rename(out)
        except OSError:
            if retired.exists():
                retired.rename(out)
            raise
    except OSError as e:
        shutil.rmtree(stage, ignore_errors=True)
        raise OutputError([Problem(str(out), None, f"cannot write output: {e}")]) from None
    shutil.rmtree(retired, ignore_errors=True)
    return WriteReport(written, unchanged, removed, _stats(out, outputs))
