"""Final stage — write: put a build's outputs into the output folder, all or nothing.

Changed outputs are staged in a sibling temporary folder and put in only when all of them
were made, so a failed build (a bad document, a template error) leaves the last good output
byte-identical. Files whose bytes did not change are left as they are (their mtime and inode
stay, so rsync/CDN uploads skip them), and a build that changes nothing touches nothing.

A rebuild of a large archive does not even make most of its outputs: every output has a key
(everything its bytes depend on, hashed), the build cache records the key, size, mtime and
inode of each file written (:class:`Written`), and an output whose key and file are as
recorded is :class:`~feedpub.model.Kept` (see :class:`Previous`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from feedpub.errors import OutputError, Problem
from feedpub.model import Kept, Output
from feedpub.slug import RESERVED_NAMES

if TYPE_CHECKING:
    from feedpub.incremental.workers import Later

MARKER = ".feedpub-output"  # marks a folder feedpub may replace wholesale


class Written(NamedTuple):
    """What the build cache remembers of a file it wrote: the output's key and the file's stat."""

    key: bytes
    size: int
    mtime_ns: int
    ino: int


class Staged(NamedTuple):
    """An output a :meth:`Staging.stager` function handled: its path, key, and whether it was staged."""

    path: str
    key: bytes
    written: bool  # False: the output folder holds these bytes already


class Previous:
    """What the output folder holds of the last build: each file's key, trusted while its stat agrees."""

    def __init__(self, out: Path, files: Mapping[str, Written], held: Later[dict[str, Held]] | None = None) -> None:
        """files: what the build cache says the last build wrote; held: the folder's files as existing() found them."""
        self._prefix = str(out) + os.sep
        self._files = files
        self._held = held

    def holds(self, path: str, key: bytes) -> bool:
        """Whether out/path is the file the last build wrote for this key, unchanged since."""
        known = self._files.get(path)
        if known is None or known.key != key:
            return False
        if self._held is not None:  # stat'ed by the walk (another process) as the build began
            there = self._held.result().get(path)
            return there is not None and (there.size, there.mtime_ns, there.ino) == (known.size, known.mtime_ns,
                                                                                      known.ino)
        try:
            st = os.stat(self._prefix + path)
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns, st.st_ino) == (known.size, known.mtime_ns, known.ino)

    def holds_all(self, paths: Iterable[str], key: bytes) -> bool:
        """Whether out holds every file of an output made of several (a feed's three, the digest's six)."""
        return all(self.holds(p, key) for p in paths)


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
        for part in rel.split("/"):
            if part in ("..", ".", "") or part.split(".")[0].lower() in RESERVED_NAMES:
                reason = f"has a forbidden segment {part!r}"
                break
    if reason:
        raise OutputError([Problem("output", None, f"refusing to write {rel!r}: the path {reason}")])
    return rel


class Held(NamedTuple):
    """A file the output folder holds: where it is, and its stat (-1 each when it cannot be stat'ed)."""

    path: str  # on the file system
    size: int
    mtime_ns: int
    ino: int


def existing(out: Path) -> dict[str, Held]:
    """Map every file of the output folder (but the marker) to where it is and its stat.

    A walk of the whole folder: ~1 s for a site of 50,000 pages, so a rebuild starts it in
    another process as it begins (``incremental.context``), and both Previous (is a file as
    the last build wrote it?) and Staging (which files are gone?) take it from there.
    Like os.walk, folders that are symbolic links are listed as nothing, not followed.
    """
    if not out.is_dir():
        return {}
    found: dict[str, Held] = {}
    stack = [(str(out), "")]  # strings, not pathlib: an archive's output has a file per page
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            try:
                if e.is_dir():
                    if not e.is_symlink():
                        stack.append((e.path, f"{prefix}{e.name}/"))
                    continue
                st = e.stat()
                found[prefix + e.name] = Held(e.path, st.st_size, st.st_mtime_ns, st.st_ino)
            except OSError:  # a dangling link, or gone meanwhile
                found[prefix + e.name] = Held(e.path, -1, -1, -1)
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


def _prune(folder: str, top: str) -> None:
    """Remove folder and its parents up to (not including) top while they are empty."""
    while folder != top and folder.startswith(top + os.sep):
        try:
            os.rmdir(folder)
        except OSError:
            return  # not empty (or gone): its parents are not empty either
        folder = os.path.dirname(folder)


def _guard(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError([Problem(str(out), None, "output path exists and is not a folder")])
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError([Problem(
            str(out), None,
            f"refusing to replace a folder feedpub did not create (no {MARKER} in it); "
            "empty it or choose another --out",
        )])


def write_outputs(outputs: Iterable[Output | Kept], out: Path) -> WriteReport:
    """Make out hold exactly outputs; replace it atomically, or leave it untouched.

    A Kept output is the file out already holds (Previous.holds said so): it is linked into
    the new folder, never read or rewritten.
    """
    with Staging(out) as stage:
        stage.add(outputs)
        return stage.commit()


class Staging:
    """A build's changed outputs, staged beside the output folder as they come, put in by commit().

    Outputs are written as they are added, so that a build never holds all its files at
    once (an archive's pages, feeds full of long articles). Only files that differ from the
    output folder's are staged: a build that changes nothing writes nothing, and a rebuild
    after one edit of a 50,000-page site stages a handful of files, not the whole site.
    Leaving the ``with`` block without commit() (an error: a bad document, a template
    error, a full disk while staging) removes the staged files, and the output folder is as
    it was. commit() moves the staged files in, each replacing its old file atomically
    (``os.replace``), and removes the files no output has any more; a new output folder is
    swapped in whole. (Replacing the whole folder on every build, as feedpub did before it
    wrote a page per article, meant linking every kept file into a new folder and deleting
    the old one: seconds for a large site. The trade: a build killed *during* commit leaves
    a mix of old and new files, which the next build repairs, as their stats no longer
    match what the cache recorded.)
    """

    def __init__(self, out: Path, held: Later[dict[str, Held]] | None = None,
                 known: Mapping[str, Written] | None = None) -> None:
        """Stage into out; held: what existing(out) gives, if it is being found already.

        known: what the build cache says the last build wrote (a kept file's stat is reused from it).
        """
        _guard(out)
        self._out = out
        self._old = held.result() if held is not None else existing(out)
        self._known = known or {}
        self._kept: set[str] = set()
        self._fresh = not (out / MARKER).exists()  # a new output folder: swapped in whole
        self._keys: dict[str, bytes] = {}  # every output added: path -> key
        self._written: list[str] = []
        self._unchanged: list[str] = []
        self._stage: str | None = None
        self._folders: set[str] = set()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stage is not None:
            shutil.rmtree(self._stage, ignore_errors=True)
            self._stage = None

    def add(self, outputs: Iterable[Output | Kept]) -> None:
        """Add outputs: staged now if they differ from the output folder's files, else left as they are."""
        for o in outputs:
            if isinstance(o, Kept):  # a kept file is one the output folder holds: its path was checked
                self._claim(o.path, o.key)
                if o.path not in self._old:  # Previous.holds() saw it: the folder changed under the build
                    raise OutputError([Problem(str(self._out), None, f"{o.path} disappeared from the output "
                                               "folder during the build; build again")])
                self._unchanged.append(o.path)
                self._kept.add(o.path)
                continue
            self.note([self._stage_one(o)])

    def stager(self) -> Callable[[Iterable[Output]], list[Staged]]:
        """Return a function that stages outputs from another process; hand what it returns to note().

        For the worker processes that make article pages: each writes its own files (forked
        after this call, they inherit the staging folder and the old folder's listing), so
        the pages' bytes never cross back to this process, which only notes their paths.
        The staging folder is made now, before the fork, so every worker writes into one.
        """
        self._start()
        return self._stage_all

    def _stage_all(self, outputs: Iterable[Output]) -> list[Staged]:
        return [self._stage_one(o) for o in outputs]

    def _stage_one(self, o: Output) -> Staged:
        """Write one output into the staging folder unless the output folder has its bytes already."""
        check_path(o.path)
        old = self._old.get(o.path)
        if old is not None and _same(old.path, o.data):
            return Staged(o.path, o.key, written=False)
        self._start()  # made on the first file staged (already, in a stager()'s workers)
        self._put(o)
        return Staged(o.path, o.key, written=True)

    def note(self, staged: Iterable[Staged]) -> None:
        """Add the outputs a stager() function staged (in whichever process it ran)."""
        for s in staged:
            self._claim(s.path, s.key)
            (self._written if s.written else self._unchanged).append(s.path)

    def _claim(self, path: str, key: bytes) -> None:
        if path in self._keys:
            raise OutputError([Problem("output", None, f"two outputs would be written to {path!r}")])
        self._keys[path] = key

    def commit(self) -> WriteReport:
        """Put the staged files into the output folder, remove what is gone; return what the write did."""
        removed = tuple(sorted(set(self._old) - set(self._keys)))
        if self._fresh:
            self._start()
            assert self._stage is not None
            self._swap(Path(self._stage))
        elif self._written or removed:
            self._update(removed)
        return WriteReport(tuple(sorted(self._written)), tuple(sorted(self._unchanged)), removed, self._stats())

    def _start(self) -> None:
        """Make the staging folder (once)."""
        if self._stage is not None:
            return
        out = self._out
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = out.parent / f".{out.name}.tmp-{os.getpid()}"
        shutil.rmtree(stage, ignore_errors=True)
        try:
            stage.mkdir()
            if self._fresh:
                (stage / MARKER).write_bytes(b"This folder is written by feedpub and replaced on every build.\n")
        except OSError as e:
            raise OutputError([Problem(str(out), None, f"cannot write output: {e}")]) from None
        self._stage = str(stage)

    def _target(self, path: str) -> str:
        assert self._stage is not None
        target = os.path.join(self._stage, path)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def _put(self, o: Output) -> None:
        try:
            with open(self._target(o.path), "wb") as f:
                f.write(o.data)
        except OSError as e:
            raise OutputError([Problem(str(self._out), None, f"cannot write output: {e}")]) from None

    def _update(self, removed: tuple[str, ...]) -> None:
        """Remove the files that are gone, then move each staged file over its old one."""
        top = str(self._out)
        try:
            for path in removed:
                os.unlink(self._old[path].path)
                _prune(os.path.dirname(self._old[path].path), top)
            made: set[str] = set()
            for path in self._written:
                target = os.path.join(top, path)
                folder = os.path.dirname(target)
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                os.replace(os.path.join(self._stage or "", path), target)
        except OSError as e:
            raise OutputError([Problem(str(self._out), None, f"cannot write output: {e}")]) from None
        finally:
            if self._stage is not None:
                shutil.rmtree(self._stage, ignore_errors=True)
                self._stage = None

    def _swap(self, stage: Path) -> None:
        out = self._out
        retired = out.parent / f".{out.name}.old-{os.getpid()}"
        try:
            if out.exists():
                out.rename(retired)
            try:
                stage.rename(out)
            except OSError:
                if retired.exists():
                    retired.rename(out)
                raise
        except OSError as e:
            raise OutputError([Problem(str(out), None, f"cannot write output: {e}")]) from None
        self._stage = None
        shutil.rmtree(retired, ignore_errors=True)

    def _stats(self) -> dict[str, Written]:
        """Return what the cache should remember of each output file now in the folder."""
        prefix = str(self._out) + os.sep
        files: dict[str, Written] = {}
        kept, known = self._kept, self._known
        for path, key in self._keys.items():
            if path in kept and path in known and known[path].key == key:
                files[path] = known[path]  # Previous.holds() found it as recorded (the walk's stat, as the build began)
                continue
            try:
                st = os.stat(prefix + path)
            except OSError:
                continue
            files[path] = Written(key, st.st_size, st.st_mtime_ns, st.st_ino)
        return files
