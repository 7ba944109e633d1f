"""Final stage — write: put a build's outputs into the output folder, all or nothing.

Changed outputs are staged in a temporary folder inside the output folder (so moving them
in never crosses file systems) and put in only when all of them were made and no two of
them clash (:func:`clashes`), so a failed build (a bad document, a template error, two
outputs at one path) leaves the last good output byte-identical; a move that fails midway
is undone. Files whose bytes did not change are left as they are (their mtime and inode
stay, so rsync/CDN uploads skip them), and a build that changes nothing touches nothing.

A rebuild of a large archive does not even make most of its outputs: every output has a key
(everything its bytes depend on, hashed), the build cache records the key, size, mtime and
inode of each file written (:class:`Written`), and an output whose key and file are as
recorded is :class:`~feedpub.model.Kept` (see :class:`Previous`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeVar

from feedpub.errors import OutputError, Problem
from feedpub.model import Kept, Later, Output
from feedpub.slug import RESERVED_NAMES

MARKER = ".feedpub-output"  # marks a folder feedpub may replace wholesale
OWN = ".feedpub-"  # names at the top of the output folder that are feedpub's own, never an output's
STAGE_PREFIX = ".feedpub-stage-"  # + the pid of the build: where it stages, inside the output folder
STAGE_MARKER = ".feedpub-stage"  # in a staging folder: which host and process made it
_ASIDE = ".feedpub-aside"  # in a staging folder: the old files a commit replaced, until it is done
_STAGE_NAME = re.compile(r"\.feedpub-stage-([1-9][0-9]*)\Z")
_OLD_SIBLING = re.compile(r"\.(.+)\.(?:tmp|old)-([1-9][0-9]*)\Z")  # where older versions staged: beside the folder
T = TypeVar("T")


class Written(NamedTuple):
    """What the build cache remembers of a file it wrote: the output's key and the file's stat."""

    key: bytes
    size: int
    mtime_ns: int
    ctime_ns: int  # an edit that puts the mtime back still moves it
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
        self._found: dict[str, Held] | None = None  # held's result, once asked for

    def holds(self, path: str, key: bytes) -> bool:
        """Whether out/path is the file the last build wrote for this key, unchanged since."""
        known = self._files.get(path)
        if known is None or known.key != key:
            return False
        if self._held is not None:  # stat'ed by the walk (another process) as the build began
            there = (self._found or self._walked()).get(path)
            return there is not None and there == (known.size, known.mtime_ns, known.ctime_ns, known.ino)
        try:
            st = os.stat(self._prefix + path)
        except OSError:
            return False
        return ((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                == (known.size, known.mtime_ns, known.ctime_ns, known.ino))

    def _walked(self) -> dict[str, Held]:
        """Return the walk's listing, waiting for it the first time (holds() asks once per output file)."""
        assert self._held is not None
        self._found = self._held.result()
        return self._found

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


def unsafe(rel: str) -> str | None:
    """Return why rel may not be written into the output folder, or None when it is a safe relative POSIX path."""
    if _PLAIN.fullmatch(rel):
        return None
    if not rel or "\0" in rel:
        return "is empty or holds a NUL byte"
    if _ABSOLUTE.match(rel) or "\\" in rel:
        return "is absolute or uses Windows separators"
    if rel[:len(OWN)].lower() == OWN:
        return f"starts with {OWN!r}, the names feedpub keeps for itself"
    for part in rel.split("/"):
        if part in ("..", ".", "") or part.partition(".")[0].lower() in RESERVED_NAMES:
            return f"has a forbidden segment {part!r}"
    return None


_ABSOLUTE = re.compile(r"/|.:", re.DOTALL)  # from the root, or a Windows drive ("C:")


def check_path(rel: str) -> str:
    """Return rel if it is a safe relative POSIX path inside the output folder, else raise."""
    reason = unsafe(rel)
    if reason:
        raise OutputError([Problem("output", None, f"refusing to write {rel!r}: the path {reason}")])
    return rel


def fold(path: str) -> str:
    """Return path as a case-insensitive file system (macOS, Windows) compares it: one spelling per file."""
    return path.lower() if path.isascii() else unicodedata.normalize("NFC", path).casefold()


_SEGMENT = r"(?!(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:[./]|$))[a-z0-9_][a-z0-9._-]*"
_PLAIN = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")  # safe for sure: what slugs make (most paths), checked fast


class Clash(NamedTuple):
    """Two outputs that cannot both be written: each one's path and owner, and how they clash."""

    path: str
    owner: object
    other_path: str
    other_owner: object
    how: str  # "same": one path; "case": one path but for case; "folder": path is a file, other_path needs a folder

    def __str__(self) -> str:
        return {"same": f"outputs {self.path!r} and {self.other_path!r} are one file",
                "case": f"outputs {self.path!r} and {self.other_path!r} differ only in case: one file on macOS "
                        "and Windows",
                "folder": f"output {self.path!r} is a file where {self.other_path!r} needs a folder"}[self.how]


def clashes(claims: Iterable[tuple[str, T]]) -> list[Clash]:
    """Return every pair of claimed output paths (path, owner) that cannot both be files of one folder.

    Two paths clash when they are one file on a case-insensitive file system (equal, or
    equal but for case or Unicode normalization: the output must unpack on a Mac or
    Windows, too), or when one is a folder on the way to the other (a file ``a`` and a
    page ``a/index.html``). Linear, never pairwise: the folded paths in one set, their
    folders (each level once) in another; only when they meet is anything looked up.
    """
    claimed = claims if isinstance(claims, list) else list(claims)
    keys = [path.lower() if path.isascii() else fold(path) for path, _owner in claimed]
    files = set(keys)
    found = _one_file(claimed, keys) if len(files) != len(keys) else []
    files &= _folders(files)
    if files:  # a file where a folder must be: name the first path that needs the folder
        below = _first_below(keys)
        done = set()
        for i, key in enumerate(keys):
            if key in files and key not in done:
                done.add(key)
                (path, owner), (other_path, other_owner) = claimed[i], claimed[below[key]]
                found.append(Clash(path, owner, other_path, other_owner, "folder"))
    return found


def _one_file(claimed: list[tuple[str, T]], keys: list[str]) -> list[Clash]:
    """Return the clashes of paths whose folded keys are equal: each with the first path of its key."""
    found = []
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        j = first.setdefault(key, i)
        if j != i:
            found.append(Clash(*claimed[j], *claimed[i], "same" if claimed[j][0] == claimed[i][0] else "case"))
    return found


def _folders(files: set[str]) -> set[str]:
    """Return every folder on the way to the files (folded paths), each level once."""
    folders: set[str] = set()
    level = {key.rpartition("/")[0] for key in files}
    while level:  # the parents, then their parents: most files share them, so each level is smaller
        level -= folders
        folders |= level
        level = {folder.rpartition("/")[0] for folder in level}
    return folders


def _first_below(keys: list[str]) -> dict[str, int]:
    """Map each folder on the way to a key to the index of the first key below it."""
    below: dict[str, int] = {}
    for i, key in enumerate(keys):
        end = key.rfind("/")
        while end > 0:
            below.setdefault(key[:end], i)
            end = key.rfind("/", 0, end)
    return below


class Held(NamedTuple):
    """A file the output folder holds: its stat (size -1 when it is a link or cannot be stat'ed)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int


NOT_HELD = Held(-1, -1, -1, 0)  # a link, or a file gone as the folder was walked: matches no output


def existing(out: Path) -> dict[str, Held]:
    """Map every file of the output folder (but the marker), by its path in the folder, to its stat.

    A walk of the whole folder, slow for a large site (see docs/performance.md), so a rebuild starts it in
    another process as it begins (``incremental.context``), and both Previous (is a file as
    the last build wrote it?) and Staging (which files are gone?) take it from there.
    A symbolic link (to a folder or a file) is listed as a file that matches no output (its
    stat -1): never followed, so the build replaces or removes the link itself and writes
    nothing through it to where it leads.
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
            if not prefix and e.name.startswith(STAGE_PREFIX):  # a build's staging folder, not an output
                continue
            try:
                if e.is_symlink():  # someone else's: replaced or removed, never followed
                    found[prefix + e.name] = NOT_HELD
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append((e.path, f"{prefix}{e.name}/"))
                    continue
                st = e.stat(follow_symlinks=False)
                found[prefix + e.name] = Held(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            except OSError:  # gone meanwhile
                found[prefix + e.name] = NOT_HELD
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


def leftovers(out: Path) -> tuple[str, ...]:
    """Remove the staging folders that killed builds left in out (or beside it, where older versions staged).

    Only a folder that is provably feedpub's own and abandoned goes: named as feedpub names
    them, holding its marker, made on this host by a process that no longer runs (or by
    this one, cut short earlier). Return a sentence for each folder removed, and for each
    that looks like a leftover but cannot be told from one in use (left alone).
    """
    said = []
    for name in _names(out):
        m = _STAGE_NAME.match(name)
        if m is not None:
            said += _drop_abandoned(out / name, int(m[1]), out / name / STAGE_MARKER)
    for name in _names(out.parent):
        m = _OLD_SIBLING.match(name)
        if m is not None and m[1] == out.name:  # a staged or a retired output folder: both hold the marker
            said += _drop_abandoned(out.parent / name, int(m[2]), out.parent / name / MARKER)
    return tuple(said)


def _names(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _drop_abandoned(folder: Path, pid: int, marker: Path) -> list[str]:
    """Remove folder if marker says this host made it and process pid is gone; return what to tell the user."""
    fields = _marker_fields(marker)
    if fields is None:
        return [f"{folder} looks like a staging folder a stopped build left, but holds no {marker.name}: "
                "left alone (delete it if it is not yours)"]
    host = fields.get("host", socket.gethostname())  # a marker without a host is this host's (older versions)
    if host != socket.gethostname() or (pid != os.getpid() and alive(pid)):
        if host == socket.gethostname():
            return []  # a build running now
        return [f"{folder} is the staging folder of a build on host {host}: left alone "
                "(delete it when no build runs there)"]
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        return [f"{folder}, left by a stopped build (process {pid}), could not be removed: delete it"]
    return [f"removed {folder}: the staging folder of a build that was stopped (process {pid})"]


def _marker_fields(marker: Path) -> dict[str, str] | None:
    """Return the 'key value' lines of a staging folder's marker, or None when it cannot be read."""
    try:
        text = marker.read_text(encoding="utf-8", errors="replace") if marker.is_file() else None
    except OSError:
        return None
    return None if text is None else dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def alive(pid: int) -> bool:
    """Whether a process pid runs on this host (on systems where that cannot be asked, assume so)."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it runs, as another user
        return True
    return True


def write_outputs(outputs: Iterable[Output | Kept], out: Path) -> WriteReport:
    """Make out hold exactly outputs; replace it atomically, or leave it untouched.

    A Kept output is the file out already holds (Previous.holds said so): it is linked into
    the new folder, never read or rewritten.
    """
    with Staging(out) as stage:
        stage.add(outputs)
        return stage.commit()


class Staging:
    """A build's changed outputs, staged inside the output folder as they come, put in by commit().

    Outputs are written as they are added, so that a build never holds all its files at
    once (an archive's pages, feeds full of long articles). Only files that differ from the
    output folder's are staged: a build that changes nothing writes nothing, and a rebuild
    after one edit of a 50,000-page site stages a handful of files, not the whole site.
    The staging folder (``.feedpub-stage-<pid>``) lies inside the output folder, so every
    move is a rename on one file system, even when the output folder is a mount point.
    Leaving the ``with`` block without commit() (an error: a bad document, a template
    error, a full disk while staging) removes the staged files, and the output folder is as
    it was. commit() first refuses outputs that clash (:func:`clashes`), then moves the
    staged files in, each replacing its old file atomically (``os.replace``), and removes the
    files no output has any more. Every move is noted, so a move that fails (a read-only
    folder, a full disk) undoes the ones before it: the old files come back, same bytes and
    inode. Only a build killed *during* commit, or a failure that cannot be undone either,
    leaves a mix of old and new files; the error names the new ones, and the next build
    repairs them, as their stats no longer match what the cache recorded. A staging folder a
    killed build left is removed by the next one (:func:`leftovers`).
    """

    def __init__(self, out: Path, held: Later[dict[str, Held]] | None = None,
                 known: Mapping[str, Written] | None = None, cleared: Set[str] = frozenset()) -> None:
        """Stage into out; held: what existing(out) gives, if it is being found already.

        known: what the build cache says the last build wrote (a kept file's stat is reused from it).
        cleared: paths the caller found free of clashes (with :func:`clashes`): when the outputs
        added are exactly those, commit() does not look for clashes again (a rebuild of 56,000
        files spent ~0.05 s doing so twice).
        """
        _guard(out)
        self._out = out
        self.notices = leftovers(out)  # said to the user: what killed builds had left, removed
        self._old = held.result() if held is not None else existing(out)
        self._known = known or {}
        self._kept: set[str] = set()
        self._fresh = not (out / MARKER).exists()  # a new output folder: nothing in it to replace
        self._made_out = False  # whether staging made the output folder (a failed build removes it again)
        self._keys: dict[str, bytes] = {}  # every output added: path -> key
        self._cleared = cleared
        self._written: list[str] = []
        self._unchanged: list[str] = []
        self._stage: str | None = None
        self._folders: set[str] = set()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self._drop_stage()
        if self._made_out:  # a failed first build leaves no empty output folder behind
            with contextlib.suppress(OSError):
                self._out.rmdir()
            self._made_out = False

    def _drop_stage(self) -> None:
        if self._stage is not None:
            shutil.rmtree(self._stage, ignore_errors=True)
            self._stage = None

    def add(self, outputs: Iterable[Output | Kept]) -> None:
        """Add outputs: staged now if they differ from the output folder's files, else left as they are."""
        for o in outputs:
            if isinstance(o, Kept):  # a kept file is one the output folder holds: its path was checked
                self.keep((o.path,), o.key)
                continue
            self.note([self._stage_one(o)])

    def keep(self, paths: Iterable[str], key: bytes) -> None:
        """Add the files of an output the output folder holds as they are (Previous.holds() said so) under key.

        What add() does with Kept outputs, without an object per file: a rebuild of a large
        archive keeps almost every one of its 56,000 files.
        """
        for path in paths:
            self._claim(path, key)
            if path not in self._old:  # Previous.holds() saw it: the folder changed under the build
                raise OutputError([Problem(str(self._out), None, f"{path} disappeared from the output "
                                           "folder during the build; build again")])
            self._unchanged.append(path)
            self._kept.add(path)

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
        if old is not None and old.size >= 0 and _same(os.path.join(self._out, o.path), o.data):  # -1: a link
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
        """Put the staged files into the output folder, remove what is gone; return what the write did.

        Nothing moves while two outputs clash (the build names their documents before it
        stages anything: this is the guarantee, for every caller).
        """
        removed = tuple(sorted(self._old.keys() - self._keys.keys()))
        if self._fresh or self._written or removed:  # else nothing moves, and nothing can clash that did not before
            found = [] if self._keys.keys() == self._cleared else clashes([(path, None) for path in self._keys])
            if found:
                raise OutputError([Problem("output", None, f"{c}: nothing was written") for c in found])
            self._start()
            self._move_in(removed)
        self._made_out = False
        return WriteReport(tuple(sorted(self._written)), tuple(sorted(self._unchanged)), removed, self._stats())

    def _start(self) -> None:
        """Make the staging folder (once), and the output folder if there is none."""
        if self._stage is not None:
            return
        out = self._out
        stage = out / f"{STAGE_PREFIX}{os.getpid()}"
        try:
            if not out.is_dir():
                out.mkdir(parents=True)
                self._made_out = True
            shutil.rmtree(stage, ignore_errors=True)  # this process's: an earlier build of it that was cut short
            stage.mkdir()
            (stage / STAGE_MARKER).write_text(f"feedpub staging folder\nhost {socket.gethostname()}\n"
                                              f"pid {os.getpid()}\n", encoding="utf-8")
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
            # Most folders hold one article page and their parent exists already: one mkdir,
            # not makedirs' stat of the parent first (file system calls are what a cold build
            # of many pages spends most of its system time on).
            try:
                os.mkdir(folder)
            except OSError:  # a parent missing too, or made by another process: makedirs decides
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def _put(self, o: Output) -> None:
        try:
            fd = os.open(self._target(o.path), _NEW_FILE, 0o666)  # no buffered file object: its fstat, ioctl, lseek
            try:
                view = memoryview(o.data)
                while view:  # a write may be short (a signal)
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
        except OSError as e:
            raise OutputError([Problem(str(self._out), None, f"cannot write output: {e}")]) from None

    def _move_in(self, removed: tuple[str, ...]) -> None:
        """Move the staged files in and the removed ones out, noting each move; undo them all on an error."""
        assert self._stage is not None
        moves = _Moves(str(self._out), self._stage)
        try:
            if self._fresh:  # an empty folder: the staged folders move in whole, the marker first
                moves.add_tree(MARKER)
                for name in sorted(os.listdir(self._stage)):
                    if name not in (STAGE_MARKER, MARKER):
                        moves.add_tree(name)
            else:
                for path in removed:
                    moves.remove(os.path.join(self._out, path))
                for path in self._written:
                    moves.replace(path)
                moves.prune()
        except OSError as e:
            raise OutputError([Problem(str(self._out), None, f"cannot write output: {e}; {moves.undo()}")]) from None
        finally:
            self._drop_stage()

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
            files[path] = Written(key, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        return files


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class _Moves:
    """The moves of one commit, each noted as it is done so that all of them can be undone.

    An old file that a new one replaces is first linked into the staging folder (it stays
    in place, so a reader never finds the path missing), or moved there where links are not
    supported; a removed file is moved there. Undoing puts them back with a rename: the old
    bytes, inode and mtime.
    """

    def __init__(self, top: str, stage: str) -> None:
        self._top = top
        self._stage = stage
        self._aside = os.path.join(stage, _ASIDE)
        self._undo: list[tuple[str, str, str]] = []  # (what, path, the old file set aside) to undo, in order
        self._folders: set[str] = set()
        self._set = 0  # files set aside so far (each gets a number as its name)
        self._emptied: set[str] = set()  # folders that removed files were in

    def _set_aside(self, path: str, *, keep: bool) -> str | None:
        """Keep the old file at path in the staging folder (keep: by a link, leaving it in place); None if none."""
        if not self._set:
            os.makedirs(self._aside, exist_ok=True)
        self._set += 1
        aside = os.path.join(self._aside, str(self._set))
        if keep:
            try:
                os.link(path, aside, follow_symlinks=False)
                return aside
            except FileNotFoundError:
                return None
            except OSError:  # no hard links on this file system: move it aside instead
                pass
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return None
        return aside

    def add_tree(self, name: str) -> None:
        """Move a file or folder of the staging folder's top into the (empty) output folder."""
        target = os.path.join(self._top, name)
        os.rename(os.path.join(self._stage, name), target)
        self._undo.append(("tree", target, ""))

    def remove(self, path: str) -> None:
        """Move a file of the output folder aside (its folder goes too if prune() finds it empty)."""
        aside = self._set_aside(path, keep=False)
        if aside is not None:
            self._undo.append(("restore", path, aside))
            self._emptied.add(os.path.dirname(path))

    def prune(self) -> None:
        """Remove the folders that removed files left empty (last: the old folders stay until all moved)."""
        for folder in sorted(self._emptied, reverse=True):
            _prune(folder, self._top)

    def replace(self, rel: str) -> None:
        """Put the staged file rel in, over the old one if there is one."""
        target = os.path.join(self._top, rel)
        self._make_folders(os.path.dirname(target))
        if os.path.isdir(target) and not os.path.islink(target):  # a folder whose files were all removed
            self._unfolder(target)
        aside = self._set_aside(target, keep=True)
        try:
            os.replace(os.path.join(self._stage, rel), target)
        except OSError:
            if aside is not None and not os.path.lexists(target):  # moved aside, not replaced: undone below
                self._undo.append(("restore", target, aside))
            raise
        self._undo.append(("restore", target, aside) if aside is not None else ("remove", target, ""))

    def _unfolder(self, target: str) -> None:
        """Remove the folder at target, which removed files emptied, so that a file can take its place."""
        inside = target + os.sep
        for folder in sorted((f for f in self._emptied if f == target or f.startswith(inside)), reverse=True):
            _prune(folder, os.path.dirname(target))
        if not os.path.isdir(target):
            self._undo.append(("unfolder", target, ""))

    def _make_folders(self, folder: str) -> None:
        """Make folder and its missing parents below the output folder, noting each one made."""
        if folder in self._folders:
            return
        missing = []
        at = folder
        while at != self._top and not os.path.isdir(at):
            missing.append(at)
            at = os.path.dirname(at)
        for f in reversed(missing):
            os.mkdir(f)
            self._undo.append(("folder", f, ""))
        self._folders.add(folder)

    def undo(self) -> str:
        """Undo every move, last first; return what to tell the user about the output folder now."""
        failed: list[str] = []
        why = ""
        for what, path, aside in reversed(self._undo):
            try:
                _undo_one(what, path, aside)
            except OSError as e:
                if what != "folder":
                    failed.append(os.path.relpath(path, self._top))
                    why = why or str(e)
        if not failed:
            return "nothing in the output folder was changed"
        return (f"undoing the moves failed too ({why}): {_listed(sorted(failed))} in {self._top} may be from this "
                "failed build (or missing); the next build that succeeds makes them again")


def _undo_one(what: str, path: str, aside: str) -> None:
    """Undo one noted move (raise OSError when it cannot be undone)."""
    if what == "restore":
        os.makedirs(os.path.dirname(path), exist_ok=True)  # a removed file's folder was pruned
        os.replace(aside, path)
    elif what == "remove":
        os.unlink(path)
    elif what == "tree":
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    elif what == "unfolder":
        os.mkdir(path)
    else:
        os.rmdir(path)


def _listed(paths: list[str], most: int = 20) -> str:
    """Return paths as a list to read, the first most of them."""
    shown = ", ".join(paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")
