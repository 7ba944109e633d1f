"""Job keys, and what make() is given: every job's declared inputs, one way for every kind.

A kind declares what a job's files depend on (:mod:`feedpub.outputs.protocol`); this module
alone turns the declaration into the job's key, and gives make() those inputs and no others.
Nothing here knows any kind. A key hashes:

- the kind, the job's paths and the cache context (feedpub's code and libraries);
- the plan, walked: text, numbers, dates, tuples, mappings and frozen dataclasses by value
  (a dataclass field with ``compare=False`` is not part of the plan's identity, so not of
  its key), records by their fingerprints and the values the build settled for them
  (category names, ``updated`` ties: :meth:`feedpub.select.Selection.token`, once per record);
- each declared setting's value, each declared file's path, size, mtime and ctime, each declared
  template's name and the bytes of the file it is read from, and the build time if declared.

Settings and templates are hashed once per build for each distinct declaration, and a file
is stat'ed at most once per build (:class:`Stats`), however many jobs declare it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import operator
import os
import stat
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, cast

from feedpub import places
from feedpub.config import NO_OUTPUT, Config, setting_text
from feedpub.outputs.protocol import EVERY, NOT_A_FILE, Build, File, Given, Inputs, Job
from feedpub.records import Record
from feedpub.render import templating
from feedpub.select import Selection


class UndeclaredInputError(AssertionError):
    """A make() read a setting its job did not declare: a bug in that kind (its key would miss the setting)."""


class Stats:
    """The files jobs declare, each stat'ed at most once a build (many entries share one image)."""

    def __init__(self, inside: Path | None = None, skip: Path | None = None) -> None:
        """inside: the folder the files must really be in (links resolved), none of them in skip (the output)."""
        self._known: dict[str, File] = {}
        self._inside = None if inside is None else str(inside)
        self._skip = None if skip is None else str(skip)

    def __call__(self, path: str) -> File:
        """Return path's size and mtime as this build first saw them (NOT_A_FILE: missing, not a regular file,
        or not really inside the folder).
        """
        found = self._known.get(path)
        if found is None:
            try:
                st = os.stat(path)
            except (OSError, ValueError):  # missing, or a name the file system refuses
                found = File(path, NOT_A_FILE, 0, 0)
            else:
                regular = stat.S_ISREG(st.st_mode) and (
                    self._inside is None or places.inside(path, self._inside, self._skip))
                found = (File(path, st.st_size, st.st_mtime_ns, st.st_ctime_ns) if regular
                         else File(path, NOT_A_FILE, 0, 0))
            self._known[path] = found
        return found


_RECORD, _TEXT, _SEQUENCE, _PLAIN, _DATACLASS, _TUPLE, _MAPPING = range(7)
_HOW: dict[type, int] = {Record: _RECORD, str: _TEXT, tuple: _SEQUENCE, list: _SEQUENCE, int: _PLAIN,
                         float: _PLAIN, bool: _PLAIN, type(None): _PLAIN, bytes: _PLAIN, datetime: _PLAIN,
                         date: _PLAIN}
_FIELDS: dict[type, tuple[bytes, Callable[[Any], tuple[Any, ...]]]] = {}


def encode(value: Any, out: list[bytes], records: list[Record]) -> None:
    """Append a plan's bytes to out and its records to records (hashed apart: see Keys).

    Every value is typed and its length told, so two different plans never join to the
    same bytes. A datetime is written with its zone: two zones at one offset may print apart.
    """
    t = type(value)
    how = _HOW.get(t)
    if how is None:
        how = _classify(t)
    if how == _TEXT:
        data = value.encode("utf-8", "surrogatepass")
        out.append(b"s%d:%s" % (len(data), data))
    elif how == _RECORD:
        records.append(value)
        out.append(b"r")
    elif how in (_DATACLASS, _SEQUENCE, _TUPLE):
        if t is tuple and _marshalled(value, out):  # plain values only (a neighbour's URL and title)
            return
        if how == _DATACLASS:
            name, values = _FIELDS[t]
            out.append(name)
            value = values(value)
        else:
            # a tuple and a list of the same items apart, as marshal tells them; a named tuple by its name
            opening = (b"(" if t is tuple else b"[") if how == _SEQUENCE else t.__qualname__.encode() + b"("
            out.append(b"%s%d" % (opening, len(value)))
        for item in value:
            kind = type(item)
            if kind is str:  # most items: no call
                data = item.encode("utf-8", "surrogatepass")
                out.append(b"s%d:%s" % (len(data), data))
            elif kind is Record:
                records.append(item)
                out.append(b"r")
            elif kind is not tuple or not _marshalled(item, out):  # a tuple of plain values: at once
                encode(item, out, records)
    elif how == _PLAIN:
        out.append(b"%s;" % repr(value).encode())
    else:  # a mapping, in its own order
        out.append(b"{%d" % len(value))
        for k, v in value.items():
            encode(k, out, records)
            encode(v, out, records)


def _marshalled(value: tuple[Any, ...], out: list[bytes]) -> bool:
    """Append a tuple of plain values (text, numbers, bytes, None, such tuples) at C speed; False if it holds more.

    marshal's version 0 writes each value by its type and length, never by reference (later
    versions mark shared and interned objects, which vary from run to run), and refuses
    anything else, subclasses included (a record, a named tuple, a datetime): those tuples
    are encoded item by item. Walking a tuple in Python cost most of an article page's key.
    """
    try:
        data = marshal.dumps(value, 0)
    except ValueError:  # unmarshallable: holds a record, a dataclass, a datetime…
        return False
    out.append(b"m%d:%s" % (len(data), data))
    return True


def _classify(t: type) -> int:
    """Return how values of type t are encoded (remembered per type)."""
    if dataclasses.is_dataclass(t):
        # only the fields that are part of the value's identity (compared): a field with
        # compare=False is not part of the key
        names = [f.name for f in dataclasses.fields(t) if f.compare]
        get = operator.attrgetter(*names) if len(names) > 1 else lambda v: tuple(getattr(v, n) for n in names)
        _FIELDS[t] = (f"{t.__qualname__}{{{len(names)}".encode(), get)
        how = _DATACLASS
    elif issubclass(t, tuple):  # named tuples (File)
        how = _TUPLE
    elif issubclass(t, Mapping):
        how = _MAPPING
    elif issubclass(t, PurePath | datetime | date | bytes | int | float | str):
        how = _PLAIN
    else:
        raise TypeError(f"a job's plan holds a {t.__qualname__}: plans hold frozen dataclasses, tuples, "
                        "mappings, records and plain values, which keys know how to hash")
    _HOW[t] = how
    return how


def settings_of(names: tuple[str, ...], config: Config) -> tuple[str, ...]:
    """Return the settings a declaration names (EVERY: each that can change an output's bytes)."""
    if names == EVERY:
        return tuple(f.name for f in dataclasses.fields(config) if f.name not in NO_OUTPUT)
    return names


class Keys:
    """The keys of one build's jobs."""

    def __init__(self, build: Build) -> None:
        self._build = build
        self._head = f"{build.context}\0".encode()
        self._settings: dict[tuple[str, ...], bytes] = {}
        self._templates: dict[tuple[str, ...], bytes] = {}
        # by the declaration's id (it is kept alive here, so the id stays its own): most jobs
        # of a kind share one Inputs value, and hashing it as a dict key costs more than this
        self._declared: dict[int, tuple[Inputs, bytes]] = {}
        # each record's token (Selection.token), by the record's id (the build holds every
        # record while it plans): a record is shown by its page, its archive page, two or more
        # listing pages and the sitemap, and making its token was most of keying a listing page
        self._tokens: dict[int, bytes] = {}

    def __call__(self, job: Job[Any]) -> bytes:
        """Return the key of a job: its declared inputs, hashed."""
        paths = job.paths
        where = paths[0] if len(paths) == 1 else "\0".join(paths)
        out = [self._head, b"%s\0%s\0" % (job.kind.encode(), where.encode("utf-8", "surrogatepass"))]
        records: list[Record] = []
        encode(job.plan, out, records)
        declared = job.inputs
        known = self._declared.get(id(declared))
        out.append(known[1] if known is not None else self._hash_declared(declared))
        if records:
            tokens = self._tokens
            out.append(b"R%d\0" % len(records))
            out += [tokens.get(id(r)) or self._token(r) for r in records]
        return hashlib.blake2b(b"".join(out), digest_size=16).digest()

    def _token(self, record: Record) -> bytes:
        found = self._tokens[id(record)] = self._build.chosen.token(record, record.fingerprint)
        return found

    def _hash_declared(self, declared: Inputs) -> bytes:
        out = [self._settings.get(declared.settings) or self._hash_settings(declared.settings)]
        for f in declared.files:
            out.append(b"f%s\0%d\0%d\0%d\0" % (f.path.encode("utf-8", "surrogatepass"), f.size, f.mtime_ns, f.ctime_ns))
        if declared.templates:
            out.append(self._templates.get(declared.templates) or self._hash_templates(declared.templates))
        if declared.now:
            out.append(b"now " + self._build.now.isoformat().encode())
        part = b"".join(out)
        self._declared[id(declared)] = (declared, part)
        return part

    def _hash_settings(self, names: tuple[str, ...]) -> bytes:
        config = self._build.config
        text = "".join(f"{name}={setting_text(config, name)}\n" for name in settings_of(names, config))
        found = self._settings[names] = b"S" + hashlib.blake2b(text.encode(), digest_size=16).digest()
        return found

    def _hash_templates(self, names: tuple[str, ...]) -> bytes:
        h = hashlib.blake2b(digest_size=16)
        for name in names:
            path = templating.template_file(self._build.config, name)
            h.update(f"{name}\0{path}\0".encode())
            if path is not None:
                h.update(path.read_bytes())
        found = self._templates[names] = b"T" + h.digest()
        return found


class _Settings:
    """A configuration that answers only the settings a job declared."""

    __slots__ = ("_config", "_kind", "_names")

    def __init__(self, config: Config, names: frozenset[str], kind: str) -> None:
        self._config, self._names, self._kind = config, names, kind

    def __getattr__(self, name: str) -> Any:
        if name in self._names:
            return getattr(self._config, name)
        if name.startswith("__"):  # copy, pickle and friends probing for protocols
            raise AttributeError(name)
        raise UndeclaredInputError(f"kind {self._kind!r}: make() read the setting {name!r}, "
                                   "which its job does not declare")


class Givens:
    """What make() is given for each job of one build: its declared inputs only."""

    def __init__(self, build: Build) -> None:
        self._build = build
        self._settled: Selection[Record] = Selection((), build.chosen.names, build.chosen.tied)
        self._views: dict[tuple[str, tuple[str, ...]], Config] = {}

    def __call__(self, job: Job[Any]) -> Given:
        """Return what make() may read for job."""
        declared = job.inputs
        return Given(self._config(job.kind, declared.settings), self._settled,
                     self._build.now if declared.now else None)

    def _config(self, kind: str, names: tuple[str, ...]) -> Config:
        if names == EVERY:
            return self._build.config
        view = self._views.get((kind, names))
        if view is None:
            view = self._views[(kind, names)] = cast(Config, _Settings(self._build.config, frozenset(names), kind))
        return view

