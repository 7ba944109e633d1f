"""Final stage — write: put a build's outputs into the output folder, atomically.

Outputs are staged in a sibling temporary folder and swapped in only when all of them were
written, so a failed or interrupted build leaves the last good output byte-identical. Files
whose bytes did not change are hard-linked from the old output (their mtime and inode stay,
so rsync/CDN uploads skip them), and a build that changes nothing touches nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from feedpub.errors import OutputError, Problem
from feedpub.model import Output
from feedpub.slug import RESERVED_NAMES

MARKER = ".feedpub-output"  # marks a folder feedpub may replace wholesale


@dataclass(frozen=True)
class WriteReport:
    """What a write did."""

    written: tuple[str, ...]  # new or changed files
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]  # files of the old output that the new one no longer has

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


def _existing(out: Path) -> dict[str, Path]:
    if not out.is_dir():
        return {}
    found = {}
    for folder, _dirs, files in os.walk(out):
        for f in files:
            p = Path(folder, f)
            rel = p.relative_to(out).as_posix()
            if rel != MARKER:
                found[rel] = p
    return found


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _guard(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError([Problem(str(out), None, "output path exists and is not a folder")])
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError([Problem(
            str(out), None,
            f"refusing to replace a folder feedpub did not create (no {MARKER} in it); "
            "empty it or choose another --out",
        )])


def write_outputs(outputs: Sequence[Output], out: Path) -> WriteReport:
    """Make out hold exactly outputs; replace it atomically, or leave it untouched."""
    seen: dict[str, int] = {}
    for i, o in enumerate(outputs):
        check_path(o.path)
        if o.path in seen:
            raise OutputError([Problem("output", None, f"two outputs would be written to {o.path!r}")])
        seen[o.path] = i
    _guard(out)
    old = _existing(out)
    unchanged = tuple(sorted(o.path for o in outputs if o.path in old and _same(old[o.path], o.data)))
    written = tuple(sorted(set(seen) - set(unchanged)))
    removed = tuple(sorted(set(old) - set(seen)))
    report = WriteReport(written, unchanged, removed)
    if not report.changed and (out / MARKER).exists():
        return report
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.tmp-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    try:
        stage.mkdir()
        (stage / MARKER).write_bytes(b"This folder is written by feedpub and replaced on every build.\n")
        keep = set(unchanged)
        for o in outputs:
            target = stage / o.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if o.path in keep:
                try:
                    os.link(old[o.path], target)
                    continue
                except OSError:
                    pass  # file systems without hard links: write a copy
            target.write_bytes(o.data)
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
    return report
