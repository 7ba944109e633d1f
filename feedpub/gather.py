"""Stages 1–3 at archive scale: load, normalise and render through the cache and both cores.

The result is exactly what the plain stages give one document at a time (``load.read`` →
``normalise`` → ``render.render``), only faster: unchanged documents come from the build
cache (:mod:`feedpub.cache`), and when many changed they are parsed in a pool of forked
worker processes, in chunks merged back in file order, so the output is byte-identical to a
single-process build. Small inputs stay in one process, where a pool costs more than it saves.
"""

from __future__ import annotations

import copyreg
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from feedpub import cache, dates, load, render, workers
from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.model import Entry, Rendered
from feedpub.normalise import normalise, source_path

PARALLEL_READS = 1500  # below this many changed documents a pool costs more than it saves
PARALLEL_RENDERS = 120


def _read_only(d: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(d)


# Entries cross the pool's process boundary pickled; their read-only mappings pickle as dicts.
copyreg.pickle(MappingProxyType, lambda m: (_read_only, (dict(m),)))


@dataclass(frozen=True)
class _Read:
    """One document's outcome: its entry (or, with a cache, its cache rows), or its problems."""

    rel: str
    entry: Entry | None  # without a cache; with one, the entry is made from ``row``
    row: cache.Row | None  # its rows for the cache, made here so workers share that work too
    problems: tuple[Problem, ...]


def _read_range(job: tuple[Config, list[tuple[str, str]], str], indexes: range) -> list[_Read]:
    config, found, context = job
    return [_read_one(*found[i], config, context) for i in indexes]


def _read_one(rel: str, name: str, config: Config, context: str) -> _Read:
    """Read one document; with a cache context, return its cache rows instead of its entry.

    Rows, not entries, cross back from a worker: a list and two strings unpickle much faster
    than an entry, and the parent makes its entry from them (``cache.row_entry``).
    """
    path = Path(name)
    try:
        st = os.stat(name)  # before reading: a later edit misses next time
        size, mtime_ns = cache.stat_key(st)
    except OSError:
        st, (size, mtime_ns) = None, (-1, -1)
    try:
        entry = normalise(load.read(path, config.source, config.limits, rel=rel, stat=st), config)
    except SourceError as e:
        return _Read(rel, None, None, e.problems)
    if not context or size < 0:
        return _Read(rel, entry, None, ())
    return _Read(rel, None, cache.make_row(rel, size, mtime_ns, context, entry), ())


def _still_valid(entry: Entry, config: Config) -> bool:
    """Whether a cached entry's inferred date still holds (git history may have grown)."""
    if entry.date_source not in ("git", "mtime"):
        return True
    if not dates.git_first_commit_dates(config.source):  # not in git: mtime is in the row key
        return entry.date_source == "mtime"
    found = dates.from_git(source_path(entry, config), config.source)
    if found is None:
        return entry.date_source == "mtime"
    return entry.date_source == "git" and entry.date == found.astimezone(config.tz)


def read_entries(config: Config, store: cache.BuildCache) -> tuple[list[Entry], list[Problem]]:
    """Load and normalise every document, unchanged ones from the cache; keep file order.

    An unchanged document's entry is rebuilt from the cache's index with only the fields that
    choosing entries needs; the rest is read from the cache (or the document) when an output
    first asks for it, so a rebuild of a large archive decodes little besides what it shows.
    """
    found = load.discover_rel(config.source)
    known = store.index()
    outcome: list[Entry | _Read | None] = [None] * len(found)
    missing: list[int] = []
    stat, stat_of, deferred = os.stat, cache.stat_of, cache.deferred_entry
    for i, (rel, path) in enumerate(found):
        row = known.get(rel)
        if row is not None:
            try:
                if cache.stat_key(stat(path)) == stat_of(row):
                    fingerprint = cache.fingerprint_of(row)
                    entry = deferred(rel, row, functools.partial(_whole, store, config, rel, fingerprint))
                    if _still_valid(entry, config):
                        outcome[i] = entry
                        store.fingerprints[rel] = fingerprint
                        continue
            except (OSError, ValueError):
                pass  # gone, or a row that does not decode: read the file
        missing.append(i)
    seen = {rel for rel, _path in found}
    gone = [rel for rel in known if rel not in seen]
    del known, seen

    job = (config, [found[i] for i in missing], store.context if store.enabled else "")
    chunks = workers.imap(_read_range, job, len(missing), workers.count(config.workers), PARALLEL_READS)
    at = 0
    for chunk in chunks:
        rows_now: dict[str, cache.Row] = {}
        for r in chunk:
            if r.row is not None:
                rows_now[r.rel] = r.row
                outcome[missing[at]] = cache.row_entry(r.rel, r.row)
            else:
                outcome[missing[at]] = r if r.entry is None else r.entry
            at += 1
        store.save(rows_now, (), {})  # as they come: the archive's JSON is never all in memory

    entries: list[Entry] = []
    problems: list[Problem] = []
    for item in outcome:
        if isinstance(item, Entry):
            entries.append(item)
        elif item is not None:
            problems.extend(item.problems)
    store.save({}, gone, {})
    if not entries and not problems:
        problems.append(Problem(str(config.source), None, "no documents found (.md, .markdown or .txt)"))
    return entries, problems


def _whole(store: cache.BuildCache, config: Config, rel: str, fingerprint: bytes) -> Entry:
    """Return the whole entry of an unchanged document: from the cache, else from the document."""
    entry = store.full_entry(rel, fingerprint)
    if entry is None:  # the row went missing or bad after the index was read: read the source
        entry = normalise(load.read(config.source / rel, config.source, config.limits, rel=rel), config)
    return entry


def _render_range(job: tuple[Config, Sequence[Entry]], indexes: range) -> list[tuple[str, str]]:
    config, todo = job
    out = []
    for i in indexes:
        r = render.render(todo[i], config)
        out.append((r.content_html, r.summary))
    return out


def render_all(entries: Iterable[Entry], config: Config, store: cache.BuildCache,
               progress: Callable[[int, int], None] | None = None) -> dict[str, Rendered]:
    """Render each distinct entry once, keyed by id: cached bodies reused, the rest in a pool.

    A body is cached under its file's content hash, so a touched but unchanged file keeps it.
    """
    distinct: dict[str, Entry] = {}
    for e in entries:
        distinct.setdefault(e.id, e)
    keys = {i: (e.rel, _digest(e.rel, config) if store.enabled else b"") for i, e in distinct.items()}
    cached = store.bodies(k for k in keys.values() if k[1])
    todo: Sequence[Entry] = [e for e in distinct.values() if keys[e.id] not in cached]

    if len(todo) >= PARALLEL_RENDERS:
        render.prepare(config)  # parser and cleaner built once, shared by the forked workers
    made = workers.run(
        _render_range, (config, todo), len(todo), workers.count(config.workers), PARALLEL_RENDERS
    )
    fresh: dict[tuple[str, bytes], tuple[str, str]] = {}
    for done, (e, body) in enumerate(zip(todo, made, strict=True), start=1):
        fresh[keys[e.id]] = body
        if progress is not None:
            progress(done, len(todo))
    store.save({}, (), {k: v for k, v in fresh.items() if k[1] and _unchanged_since(k, config)})
    bodies = {**cached, **fresh}
    return {i: Rendered(e, *bodies[keys[i]]) for i, e in distinct.items()}


def _digest(rel: str, config: Config) -> bytes:
    try:
        return cache.content_hash((config.source / rel).read_bytes())
    except OSError:
        return b""  # not cached; rendering it reports the problem


def _unchanged_since(key: tuple[str, bytes], config: Config) -> bool:
    """Whether the file still has the content hash its body is filed under (no race with an edit)."""
    return _digest(key[0], config) == key[1]
