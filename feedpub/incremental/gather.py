"""Stages 1–3 at archive scale: load and normalise through the cache and both cores, render what is shown.

The result is exactly what the plain stages give one document at a time (``load.read`` →
``normalise`` → ``content.render``), only faster:

- a document whose size and mtime match its catalogue record in the build cache is not read
  at all: the record is all that choosing entries needs (:mod:`feedpub.incremental.catalogue`);
- the others are read in a pool of forked worker processes, in chunks merged back in file
  order, so the output is byte-identical to a single-process build. Each worker sends back
  a document's record and the parts of its archive entry (:data:`feedpub.outputs.archive.Parts`),
  not its entry: the archive pages of a cold build are then a join of strings;
- the few documents an output shows in full are read again when it is made
  (:func:`render_all`, :func:`parts_of`), their bodies rendered unless the cache has them.

Small inputs stay in one process, where a pool costs more than it saves.
"""

from __future__ import annotations

import copyreg
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.incremental import cache, catalogue, workers
from feedpub.incremental.catalogue import Record
from feedpub.model import Entry, Rendered
from feedpub.outputs import archive
from feedpub.render import content
from feedpub.sources import dates, load
from feedpub.sources.normalise import normalise


def _read_only(d: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(d)


# Entries cross the pool's process boundary pickled; their read-only mappings pickle as dicts.
copyreg.pickle(MappingProxyType, lambda m: (_read_only, (dict(m),)))

PARALLEL_READS = 1500  # below this many changed documents a pool costs more than it saves
PARALLEL_RENDERS = 120
PARALLEL_REREADS = 600  # documents read again for archive pages: no Markdown, so more per pool


@dataclass(frozen=True)
class Found:
    """Every document of the source folder: a record for each valid one, problems for the others."""

    records: list[Record]  # in path order when every document was read, else in no particular order
    problems: list[Problem]  # in path order
    parts: dict[str, archive.Parts]  # archive entry parts of the documents read in this build, by rel


def _read_one(rel: str, name: str, config: Config) -> tuple[catalogue.Row, archive.Parts] | tuple[Problem, ...]:
    """Read one document: its record (as a row: cheap to send back) and archive parts, or its problems."""
    try:
        data, st = load.read_bytes(name, rel, config.limits)
        # source / rel, not Path(name): pathlib then parses the relative part only
        doc = load.from_bytes(data, config.source / rel, rel, st.st_mtime, config.limits)
        entry = normalise(doc, config)
    except SourceError as e:
        return tuple(e.problems)
    micros = entry.micros
    return (catalogue.row_of(entry, st.st_size, st.st_mtime_ns, data, micros),
            archive.parts(entry, config, content.lead_summary(entry, doc, config), micros))


def _read_range(job: tuple[Config, Sequence[tuple[str, str]]], indexes: range) -> list[Any]:
    config, found = job
    return [_read_one(*found[i], config) for i in indexes]


def _still_valid(record: Record, config: Config) -> bool:
    """Whether a record's inferred date still holds (git history may have grown)."""
    if record.date_source not in ("git", "mtime"):
        return True
    if not dates.git_first_commit_dates(config.source):  # not in git: mtime is in the record's key
        return record.date_source == "mtime"
    found = dates.from_git(config.source / record.rel, config.source)
    if found is None:
        return record.date_source == "mtime"
    return record.date_source == "git" and record.date == found.astimezone(config.tz)


def read_catalogue(config: Config, store: cache.BuildCache,
                   meanwhile: Callable[[], None] | None = None) -> Found:
    """Return a record for every document, reading only those the cache does not know as they are.

    Problems keep file order (records need not: select orders them); the cache's catalogue
    is updated (written when it closes). When a pool of workers reads, this process runs
    meanwhile() as they start.
    """
    # Listing and stat-ing every document (~0.2 s for 50,000) is done by another process
    # while this one decodes the catalogue (~0.1 s): a rebuild's two largest steps at once.
    listed = workers.start(functools.partial(load.listing, config.source),
                           background=store.has_catalogue() and workers.count(config.workers) > 1)
    known = store.catalogue()
    if not known:
        del listed  # a cold build reads every document (and never needed the listing)
        return _read_all(config, store, meanwhile)
    # only the documents to read need file order (for their problems'), and they are sorted
    # below; the records' order changes no output (select sorts them)
    found = listed.result()
    outcome: list[Record | tuple[Problem, ...] | None] = [None] * len(found)
    missing: list[int] = []
    matched = 0  # documents the cache knows that are still there
    get, inferred = known.get, ("git", "mtime")
    for i, (rel, _path, size, mtime_ns) in enumerate(found):
        record = get(rel)
        if record is not None:
            matched += 1
            if (size == record.size and mtime_ns == record.mtime_ns
                    and (record.date_source not in inferred or _still_valid(record, config))):
                outcome[i] = record
                continue
        missing.append(i)
    missing.sort(key=lambda i: found[i][0])

    job = (config, [found[i][:2] for i in missing])
    chunks = workers.imap(_read_range, job, len(missing), workers.count(config.workers), PARALLEL_READS,
                          meanwhile=meanwhile)
    parts: dict[str, archive.Parts] = {}
    fresh: list[Record] = []
    at = 0
    for chunk in chunks:
        read = [(missing[at + k], result) for k, result in enumerate(chunk)]
        at += len(chunk)
        valid = [(i, result) for i, result in read if result and isinstance(result[0], tuple)]
        made = catalogue.from_rows([result[0] for _i, result in valid])
        for (i, result), record in zip(valid, made, strict=True):
            parts[record.rel] = result[1]
            outcome[i] = record
        fresh += made
        for i, result in read:
            if outcome[i] is None:
                outcome[i] = result  # its problems

    records = [item for item in outcome if isinstance(item, Record)]
    problems: list[Problem] = []
    for i in missing:  # in file order
        item = outcome[i]
        if item is not None and not isinstance(item, Record):
            problems.extend(item)
    # forget documents that are gone, or that were read again and are not valid now
    gone = []
    if matched < len(known):
        there = {f[0] for f in found}
        gone = [rel for rel in known if rel not in there]
    store.update(fresh, [*gone, *(found[i][0] for i in missing if not isinstance(outcome[i], Record))])
    return Found(records, problems or _nothing_found(config, records), parts)


_Shard = tuple[bytes | None, list[catalogue.Row], list[archive.Parts], list[tuple[int, Any]]]


def _read_shards(job: tuple[Config, Sequence[tuple[str, str]], Sequence[Sequence[int]]],
                 indexes: range) -> list[_Shard]:
    """Read every document of some catalogue shards: per shard, its encoding, its parts and its problems.

    The shard's records come back encoded (rows only if a field cannot be), cheaper to send
    and to read than rows, and the same bytes the build cache stores.
    """
    config, found, shards = job
    out: list[_Shard] = []
    for s in indexes:
        rows: list[catalogue.Row] = []
        parts: list[archive.Parts] = []
        bad: list[tuple[int, Any]] = []
        for i in shards[s]:
            result = _read_one(*found[i], config)
            if result and isinstance(result[0], tuple):
                rows.append(result[0])
                parts.append(result[1])
            else:
                bad.append((i, result))
        try:
            out.append((catalogue.encode_rows(rows), [], parts, bad))
        except ValueError:
            out.append((None, rows, parts, bad))
    return out


def _read_all(config: Config, store: cache.BuildCache, meanwhile: Callable[[], None] | None) -> Found:
    """Read every document (a cold build), shard by shard of the catalogue, in a pool when many."""
    found = load.discover_rel(config.source)
    shards: list[list[int]] = [[] for _ in range(cache.SHARDS)]
    for i, (rel, _path) in enumerate(found):
        shards[cache.shard_of(rel)].append(i)
    threshold = 1 if len(found) >= PARALLEL_READS else cache.SHARDS + 1
    results = workers.imap(_read_shards, (config, found, shards), cache.SHARDS, workers.count(config.workers),
                           threshold, chunk=1, smallest=1, meanwhile=meanwhile)
    records: list[Record] = []
    parts: dict[str, archive.Parts] = {}
    failed: list[tuple[int, Any]] = []
    for s, (data, rows, shard_parts, bad) in enumerate(result for chunk in results for result in chunk):
        made = catalogue.decode(data) if data is not None else catalogue.from_rows(rows)
        parts.update(zip([r.rel for r in made], shard_parts, strict=True))
        records += made
        failed += bad
        if data is not None:
            store.put_shard(s, data, made)
        else:
            store.update(made, ())
    failed.sort(key=lambda item: item[0])  # file order
    problems = [p for _i, these in failed for p in these]
    return Found(records, problems or _nothing_found(config, records), parts)


def _nothing_found(config: Config, records: Sequence[Record]) -> list[Problem]:
    """Return the problem of a build with no document at all (none when there are records)."""
    if records:
        return []
    if not config.source.is_dir():
        return [Problem(str(config.source), None, "source folder not found")]
    return [Problem(str(config.source), None, "no documents found (.md, .markdown or .txt)")]


# --- documents read again, in full -------------------------------------------------------


def whole(record: Record, config: Config) -> Entry:
    """Read the entry of a catalogue record again (as it is in the file now)."""
    return normalise(load.read(config.source / record.rel, config.source, config.limits, rel=record.rel), config)


def _parts_range(job: tuple[Config, Sequence[Record]], indexes: range) -> list[archive.Parts]:
    config, todo = job
    made = []
    for i in indexes:
        doc = load.read(config.source / todo[i].rel, config.source, config.limits, rel=todo[i].rel)
        entry = normalise(doc, config)
        made.append(archive.parts(entry, config, content.lead_summary(entry, doc, config)))
    return made


def parts_of(records: Sequence[Record], config: Config) -> dict[str, archive.Parts]:
    """Return the archive entry parts of documents read again (in a pool when there are many)."""
    made = workers.run(_parts_range, (config, records), len(records), workers.count(config.workers),
                       PARALLEL_REREADS)
    return {r.rel: p for r, p in zip(records, made, strict=True)}


def _render_range(job: tuple[Config, Sequence[Entry | Record], frozenset[int]],
                  indexes: range) -> list[tuple[Entry, str, str]]:
    config, todo, cached = job
    out = []
    for i in indexes:
        item = todo[i]
        if isinstance(item, Entry):
            r = content.render(item, config)
            out.append((item, r.content_html, r.summary))
            continue
        doc = load.read(config.source / item.rel, config.source, config.limits, rel=item.rel)
        entry = normalise(doc, config)
        if i in cached:  # only the entry is wanted: its body comes from the cache
            out.append((entry, "", ""))
        else:
            r = content.render(entry, config, doc)
            out.append((entry, r.content_html, r.summary))
    return out


def render_all(items: Iterable[Entry | Record], config: Config, store: cache.BuildCache,
               progress: Callable[[int, int], None] | None = None,
               settle: Callable[[Entry], Entry] | None = None) -> dict[str, Rendered]:
    """Render each distinct entry once, keyed by id: cached bodies reused, the rest in a pool.

    A catalogue record is read again for its entry; settle then gives that entry the values
    the build settled (category name, 'updated'). A body is cached by the document's
    fingerprint, so a touched but unchanged file keeps it.
    """
    distinct: dict[str, Entry | Record] = {}
    for x in items:
        distinct.setdefault(x.id, x)
    todo = list(distinct.values())
    keys = {x.id: (x.rel, x.fingerprint) for x in todo if isinstance(x, Record)} if store.enabled else {}
    stored = store.bodies(keys.values())
    cached = frozenset(i for i, x in enumerate(todo) if keys.get(x.id) in stored)
    if len(todo) - len(cached) >= PARALLEL_RENDERS:
        content.prepare(config)  # parser and cleaner built once, shared by the forked workers
    made = workers.run(_render_range, (config, todo, cached), len(todo), workers.count(config.workers),
                       PARALLEL_RENDERS)
    fresh: dict[tuple[str, bytes], tuple[str, str]] = {}
    result: dict[str, Rendered] = {}
    for i, (x, (entry, made_content, made_summary)) in enumerate(zip(todo, made, strict=True)):
        key = keys.get(x.id)
        html, summary = made_content, made_summary
        if key is not None and i in cached:
            html, summary = stored[key]
        elif key is not None and (entry.id, entry.date) == (x.id, x.date):  # not edited since it was listed
            fresh[key] = (html, summary)
        result[x.id] = Rendered(settle(entry) if settle is not None else entry, html, summary)
        if progress is not None:
            progress(i + 1, len(todo))
    store.save_bodies(fresh)
    return result


def read_entries(config: Config) -> tuple[list[Entry], list[Problem]]:
    """Load and normalise every document, in file order (no cache: for check and tools)."""
    found = load.discover_rel(config.source)
    job = (config, found)
    made = workers.run(_entries_range, job, len(found), workers.count(config.workers), PARALLEL_READS)
    entries: list[Entry] = []
    problems: list[Problem] = []
    for item in made:
        if isinstance(item, Entry):
            entries.append(item)
        else:
            problems.extend(item)
    if not entries and not problems:
        problems += _nothing_found(config, [])
    return entries, problems


def _entries_range(job: tuple[Config, Sequence[tuple[str, str]]], indexes: range) -> list[Entry | tuple[Problem, ...]]:
    config, found = job
    out: list[Entry | tuple[Problem, ...]] = []
    for i in indexes:
        rel, name = found[i]
        try:
            out.append(normalise(load.read(Path(name), config.source, config.limits, rel=rel), config))
        except SourceError as e:
            out.append(tuple(e.problems))
    return out
