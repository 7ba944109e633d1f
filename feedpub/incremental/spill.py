"""Entries and bodies made while a build reads its documents, kept on disk until its outputs are made.

A build reads each document it does not know once, for the catalogue. When the site has
article pages (every published body is shown), the process that reads and normalises a
document also renders its body then and spills the entry and body here; the page and feed
jobs made later in the same build read them back instead of reading, normalising and
rendering the document a second time. Neighbour links and settled category names need
every document first, so the pages cannot be made in that first pass itself.

Bodies go to disk, not memory: a build of 50,000 documents would otherwise hold every body
of the archive at once, and its memory would grow with the length of the articles. Each
process appends to a file of its own (no locks, no shared offsets); this process keeps only
where each document's bytes are. The folder is a temporary one inside feedpub's cache folder
(the system's temporary folder when the build keeps no cache) and is removed when the build
ends, whatever happens. Nothing here outlives the build, so nothing here can go stale.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import marshal
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

from feedpub import write
from feedpub.model import Entry
from feedpub.records import FROM_ENTRY, Record, when_from, when_text


def _read_only(d: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(d)


# Entries are pickled across the pool's process boundary (gather); their read-only mappings
# pickle as dicts.
copyreg.pickle(MappingProxyType, lambda m: (_read_only, (dict(m),)))

Where = tuple[str, int, int]  # file name in the spill folder, offset, length
Spilled = tuple[Entry, str, str]  # the entry as read, its sanitized body, its summary

# What is spilled of an entry: only the fields its catalogue record does not hold (the page
# and feed jobs that read it back have the record), plus the entry's own summary, which the
# record replaces by the listing's. Every other field is rebuilt from the record, so a spill
# costs a few µs where pickling the whole entry (its datetimes, zones and nested
# dataclasses) cost ~75 µs written and read. Values are marshalled: plain types only, each
# field turned into one and back by its codec below (a new Entry field that is neither in
# the record nor plain makes marshal refuse it: the tests spill every field).
_OWN = tuple(f.name for f in dataclasses.fields(Entry) if f.name not in FROM_ENTRY or f.name == "summary")
_Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]  # (to a marshal value, back)
_AS_IS: _Codec = (lambda v: v, lambda v: v)
_CODECS: dict[str, _Codec] = {
    "lines": (dict, MappingProxyType),
    "expires": (lambda d: None if d is None else when_text(d), lambda t: None if t is None else when_from(t)),
    "summary": (str, str),  # str(): a str subclass is no marshal type
}
_ENCODE = tuple(_CODECS.get(name, _AS_IS)[0] for name in _OWN)
_DECODE = tuple(_CODECS.get(name, _AS_IS)[1] for name in _OWN)


def encode(made: Spilled) -> bytes:
    """Return what is spilled of an entry and its body: the fields its record lacks, the body, the summary."""
    entry, html, summary = made
    own = tuple(code(getattr(entry, name)) for code, name in zip(_ENCODE, _OWN, strict=True))
    return marshal.dumps((own, str(html), str(summary)))


def decode(record: Record, data: bytes) -> Spilled:
    """Return the entry, body and summary spilled for record's document (the entry rebuilt from both)."""
    own, html, summary = marshal.loads(data)  # noqa: S302 - this build's own bytes, in its own folder
    values = {name: getattr(record, name) for name in FROM_ENTRY}
    values.update(zip(_OWN, (code(v) for code, v in zip(_DECODE, own, strict=True)), strict=True))
    return Entry(**values), html, summary


class Spill:
    """One build's spilled entries and bodies, by document (path relative to the source)."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder  # None: nothing is spilled (the build renders bodies when they are shown)
        self._where: dict[str, Where] = {}
        self._fd = -1  # this process's file to append to, and its name, size and owner
        self._name = ""
        self._size = 0
        self._pid = 0
        self._readers: dict[str, int] = {}

    @property
    def enabled(self) -> bool:
        """Whether documents read now should have their bodies rendered and spilled."""
        return self.folder is not None

    def put(self, rel: str, made: Spilled) -> tuple[str, Where]:
        """Write one document's entry and body (in whichever process read it); return where they are.

        A forked worker inherits its parent's state: it opens a file of its own on its first put.
        """
        assert self.folder is not None  # only called when enabled
        if self._pid != os.getpid():
            self._pid, self._name, self._size = os.getpid(), f"{os.getpid()}.bin", 0
            path = os.path.join(self.folder, self._name)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._size = os.fstat(self._fd).st_size
        data = encode(made)
        where = (self._name, self._size, len(data))
        view = memoryview(data)
        while view:  # a write may be short (a signal, a full pipe-like file system)
            view = view[os.write(self._fd, view):]
        self._size += len(data)
        return rel, where

    def note(self, found: Iterable[tuple[str, Where]]) -> None:
        """Remember where documents' entries and bodies are (in this process, as workers report them)."""
        self._where.update(found)

    def get(self, record: Record) -> Spilled | None:
        """Return the entry and body of record's document as this build read them, or None when not spilled.

        record: the document's catalogue record from this build (its entry is rebuilt from it).
        """
        where = self._where.get(record.rel)
        if where is None:
            return None
        name, offset, length = where
        fd = self._readers.get(name)
        if fd is None:  # pread does not move a shared offset: a descriptor inherited by a fork is fine
            fd = self._readers[name] = os.open(os.path.join(str(self.folder), name), os.O_RDONLY)
        return decode(record, os.pread(fd, length, offset))

    def __contains__(self, rel: str) -> bool:
        return rel in self._where

    def close(self) -> None:
        """Close every file and remove the folder."""
        for fd in (self._fd, *self._readers.values()):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd, self._pid, self._readers = -1, 0, {}
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


DISABLED = Spill(None)
PREFIX = "spill-"


def _drop_abandoned(folder: Path) -> None:
    """Remove the spill folders of builds on this host that were killed (their process is gone).

    A killed build cannot remove its own; left there, they would fill the cache folder.
    """
    host = socket.gethostname()
    for found in folder.glob(f"{PREFIX}*"):
        name_host, _, rest = found.name[len(PREFIX):].rpartition("-")[0].rpartition("-")
        if name_host == host and rest.isdigit() and int(rest) != os.getpid() and not write.alive(int(rest)):
            shutil.rmtree(found, ignore_errors=True)


@contextlib.contextmanager
def opened(enabled: bool, beside: Path | None) -> Iterator[Spill]:
    """Open a build's spill (a temporary folder in beside, else the system's), removed when the block ends."""
    if not enabled:
        yield DISABLED
        return
    where = beside if beside is not None and beside.is_dir() else None
    if where is not None:
        _drop_abandoned(where)
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{socket.gethostname()}-{os.getpid()}-", dir=where)
    spill = Spill(folder)
    try:
        yield spill
    finally:
        spill.close()
