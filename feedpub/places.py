"""What a build may read and write: the one module that decides.

Written: the output folder (replaced wholesale by every build) and the build cache. Read:
the source folder, the static folder and the templates folder. :func:`check` refuses, before
anything is read or written, folders that would make a build destroy or publish what it
should not:

- nothing is, or lies inside, the output folder (a build replaces it, and would delete the
  documents as "files this build no longer makes");
- the cache is, or lies inside, none of the others (it would be deleted, published or read
  as input);
- the source folder is not, nor lies inside, the static folder (its documents, drafts too,
  would be copied as they are).

The output folder may lie inside the source or static folder (a Jekyll or Eleventy site
folder holds its own output): every walk below skips it, so it is never read back. The cache
may hold the others (it writes only a file of its own).

A walk (:class:`Walk`) reads only regular files: a FIFO, socket or device is never opened
(a FIFO named ``x.md`` would block the build forever), and a symbolic link is followed only
when it leads to a file inside the folder walked (the source folder for documents and the
files beside them, page bundles included; the static folder for its copy): a link to
``/etc/passwd`` is never published. Symbolic links to folders are not entered: one leading
inside is read where it really is, one leading outside is refused. Each refused entry is
noted with why, and the build warns. :func:`open_regular` is the second guard, at the moment
of reading: it opens regular files only, and never blocks.
"""

from __future__ import annotations

import os
import stat as st
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from feedpub.errors import ConfigError, Problem

if TYPE_CHECKING:
    from feedpub.config import Config

_KINDS = ((st.S_ISFIFO, "a FIFO (named pipe)"), (st.S_ISSOCK, "a socket"), (st.S_ISCHR, "a character device"),
          (st.S_ISBLK, "a block device"), (st.S_ISDIR, "a folder"))


def kind_of(mode: int) -> str:
    """Name the kind of a file that is not a regular file ("a FIFO (named pipe)", "a socket", …)."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


# --- where a build writes ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Place:
    key: str  # the config key that sets it
    path: Path  # resolved: symbolic links and '..' gone

    @property
    def name(self) -> str:
        return "the cache folder" if self.key == "cache_dir" else f"'{self.key}'"


def _places(config: Config, cache_root: Path | None) -> list[_Place]:
    found = [_Place("source", config.source), _Place("out", config.out)]
    if config.static_dir is not None:
        found.append(_Place("static_dir", config.static_dir))
    if config.templates_dir is not None:
        found.append(_Place("templates_dir", config.templates_dir))
    if cache_root is not None:
        found.append(_Place("cache_dir", cache_root))  # or FEEDPUB_CACHE_DIR, or the user's cache folder
    return [_Place(p.key, Path(os.path.realpath(p.path))) for p in found]


def _why(inner: _Place, outer: _Place) -> str | None:
    """Return why inner may not lie inside (or be) outer, or None when it may."""
    if outer.key == "out":
        return ("a build replaces the output folder, and would delete what is inside it; "
                "choose an output folder outside the others")
    if inner.key == "cache_dir":
        return ("feedpub writes its cache nowhere it reads or publishes; choose another cache_dir "
                "(or FEEDPUB_CACHE_DIR)")
    if inner.key == "source" and outer.key == "static_dir":
        return "the static folder is copied as it is: the documents, drafts too, would be published as files"
    return None


def check(config: Config, cache_root: Path | None = None) -> None:
    """Raise ConfigError naming both folders where one lies inside another that it may not.

    cache_root: the folder of build caches, when the build keeps one. Paths are compared as
    they really are (symbolic links and '..' resolved). No line is named: a folder may come
    from an option that overrides the file.
    """
    places = _places(config, cache_root)
    where = str(config.config_path) if config.config_path is not None else "feedpub"
    problems = [Problem(where, None, message) for i, inner in enumerate(places)
                for j, outer in enumerate(places) if i != j
                if (message := _clash(inner, outer, first=i < j)) is not None]
    if problems:
        raise ConfigError(problems)


def _clash(inner: _Place, outer: _Place, *, first: bool) -> str | None:
    """Say why inner may not lie in outer, or None when it may or does not.

    first: whether inner comes before outer, so that two places that are one folder are
    named once per pair.
    """
    if not inner.path.is_relative_to(outer.path):
        return None
    if inner.path != outer.path:
        why = _why(inner, outer)
        return None if why is None else (f"{inner.name} ({inner.path}) is inside "
                                         f"{outer.name} ({outer.path}): {why}")
    if not first:
        return None
    why = _why(inner, outer) or _why(outer, inner)
    return None if why is None else f"{inner.name} and {outer.name} are one folder ({inner.path}): {why}"


# --- what a build reads -----------------------------------------------------------------------

def inside(path: str, top: str, skip: str | None = None) -> bool:
    """Whether path, links and '..' resolved, lies inside the folder top (also resolved) and not inside skip.

    For a file named by a document (an entry's image) rather than met by a walk: the same
    rule as :class:`Walk`, so a feed never tells the size of a file outside the source.
    """
    real = os.path.realpath(path)
    if not real.startswith(os.path.realpath(top).rstrip(os.sep) + os.sep):
        return False
    if skip is None:
        return True
    skipped = os.path.realpath(skip)
    return real != skipped and not real.startswith(skipped.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class Refused:
    """An entry of a folder that is not read, and why."""

    rel: str  # POSIX path below the folder walked
    why: str

    def __str__(self) -> str:
        return f"{self.rel}: {self.why}"


_Listing = tuple[list[str], list[str], dict[str, os.DirEntry[str]], dict[str, os.DirEntry[str]]]


def _listing(folder: str) -> _Listing | None:
    """List folder, hidden entries left out: its folders, its other entries, those of these that are
    neither folders nor regular files, and its links to folders (also among the folders); None
    when it cannot be listed.
    """
    dirs: list[str] = []
    files: list[str] = []
    special: dict[str, os.DirEntry[str]] = {}
    links: dict[str, os.DirEntry[str]] = {}
    try:
        with os.scandir(folder) as it:
            for e in it:
                name = e.name
                if name[0] == ".":
                    continue
                if e.is_file(follow_symlinks=False):
                    files.append(name)
                elif e.is_dir(follow_symlinks=False):
                    dirs.append(name)
                elif e.is_symlink() and _is_dir(e):
                    dirs.append(name)  # pruned by name like a folder, then dropped by Walk._deeper
                    links[name] = e
                else:
                    files.append(name)
                    special[name] = e
    except OSError:
        return None
    return dirs, files, special, links


class Walk:
    """One walk of a folder that reads only what may be read; notes what it refuses.

    Iterate it as ``os.walk`` (top down; prune ``dirs`` in place): it yields ``(folder,
    prefix, dirs, files)`` with prefix the folder's POSIX path below the top ("" or "a/b/").
    ``files`` names every entry that is not a folder, hidden ones left out; ask :meth:`look`
    about each one before reading it. ``dirs`` names the folders and the links to folders;
    after the caller prunes it, a link among them is dropped (refused when it leads outside).
    """

    def __init__(self, top: Path | str, what: str, skip: Sequence[Path | None] = ()) -> None:
        self.top = str(top)
        self.what = what  # how warnings name the folder: "the source folder", "static_dir"
        self.real = os.path.realpath(self.top)
        self._real_sep = self.real.rstrip(os.sep) + os.sep
        self.skip = frozenset(os.path.realpath(f) for f in skip if f is not None)  # never entered
        self.refused: list[Refused] = []
        # of the folder last yielded: its path with a separator, its prefix, and its entries
        # that are neither folders nor regular files (nearly always none)
        self._where = ""
        self._prefix = ""
        self._special: dict[str, os.DirEntry[str]] = {}

    def _inside(self, target: str) -> bool:
        return target == self.real or target.startswith(self._real_sep)

    def _refuse(self, rel: str, why: str) -> None:
        self.refused.append(Refused(rel, why))

    def __iter__(self) -> Iterator[tuple[str, str, list[str], list[str]]]:
        # scandir, not os.walk: an entry's type comes with its name (no system call), and this
        # runs once per file of an archive
        stack = [(self.top, "", self.real)]
        while stack:
            folder, prefix, real = stack.pop()
            listed = _listing(folder)
            if listed is None:
                continue  # gone or unreadable since it was listed: nothing in it to read
            dirs, files, special, links = listed
            self._where = folder if folder.endswith(os.sep) else folder + os.sep
            self._prefix, self._special = prefix, special
            yield folder, prefix, dirs, files
            stack.extend(reversed(self._deeper(prefix, real, dirs, links)))

    def _deeper(self, prefix: str, real: str, dirs: list[str],
                links: dict[str, os.DirEntry[str]]) -> list[tuple[str, str, str]]:
        """Return the folders to walk below the one last yielded, in order; refuse links outside."""
        deeper = []
        for name in dirs:
            link = links.get(name)
            if link is not None:
                target = os.path.realpath(link.path)
                if not self._inside(target):
                    self._refuse(prefix + name + "/", f"a symbolic link to {target}, a folder outside "
                                 f"{self.what}: not read")
                continue  # one inside is read where it really is
            inner = os.path.join(real, name)
            if inner not in self.skip:
                deeper.append((self._where + name, f"{prefix}{name}/", inner))
        return deeper

    def look(self, name: str, *, stat: bool = True) -> tuple[bool, os.stat_result | None]:
        """Return whether entry name of the folder last yielded may be read, and its stat.

        What may not be read is noted with why. The stat is None when not asked for (stat=False:
        a regular file then costs no system call) or when nothing is there: a file gone since
        the listing, or a link inside to nothing, may still be read, and reading it names the
        problem.
        """
        if name in self._special:
            return self._other(name)
        if not stat:
            return True, None
        try:
            found = os.lstat(self._where + name)
        except OSError:
            return True, None  # gone since the listing: reading it says so
        return (True, found) if st.S_ISREG(found.st_mode) else self._other(name)

    def _other(self, name: str) -> tuple[bool, os.stat_result | None]:
        """Look at an entry that is not a regular file: a link is followed if it stays inside."""
        path, rel = self._where + name, self._prefix + name
        try:
            mode = os.lstat(path).st_mode
            if not st.S_ISLNK(mode):
                self._refuse(rel, f"{kind_of(mode)} in {self.what}, not a regular file: not read")
                return False, None
            target = os.path.realpath(path)
            if not self._inside(target):
                self._refuse(rel, f"a symbolic link to {target}, outside {self.what}: not read")
                return False, None
            found = os.stat(target)
        except FileNotFoundError:
            return True, None  # a link inside to nothing, or gone since the listing: reading it says so
        except OSError as err:
            self._refuse(rel, f"cannot be read ({err.strerror or err}) in {self.what}: not read")
            return False, None
        if not st.S_ISREG(found.st_mode):
            self._refuse(rel, f"a symbolic link in {self.what} to {kind_of(found.st_mode)}, not a regular file: "
                         "not read")
            return False, None
        return True, found


def _is_dir(e: os.DirEntry[str]) -> bool:
    """Whether a link leads to a folder (a broken one does not)."""
    try:
        return e.is_dir()
    except OSError:
        return False


_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def open_regular(path: str | Path, known: os.stat_result | None = None) -> tuple[int, os.stat_result]:
    """Open a regular file for reading; return its descriptor and stat; raise OSError otherwise.

    known: the stat a walk took (saves a system call). The file is stat-ed before it is opened
    (a device is never opened: opening some has effects), opened without blocking (a FIFO
    swapped in meanwhile cannot hang the build) and checked again once open.
    """
    before = known if known is not None else os.stat(path)
    if not st.S_ISREG(before.st_mode):
        raise OSError(0, f"{kind_of(before.st_mode)}, not a regular file")
    fd = os.open(path, _READ_FLAGS)
    try:
        now = os.fstat(fd)
        if not st.S_ISREG(now.st_mode):
            raise OSError(0, f"{kind_of(now.st_mode)}, not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, now
