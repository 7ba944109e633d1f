"""Load and normalise at archive scale: a record per document, through the build cache and every core.

The result is exactly what the plain stages give one document at a time
(``sources.load.read`` → ``sources.normalise.normalise`` → ``records.record_of``), only faster:

- a document whose size and mtime match its record in the build cache is not read at all:
  the record is all that choosing and listing entries need (:mod:`feedpub.records`);
- the others are read in a pool of forked worker processes, in chunks that come back
  encoded (the columns the build cache stores) and are merged in file order, so the output
  is byte-identical to a single-process build;
- the few documents an output shows in full are read again when it is made
  (:func:`render_all`), their bodies rendered unless the cache has them.

Small inputs stay in one process, where a pool costs more than it saves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from feedpub.config import Config
from feedpub.errors import NotAPost, Problem, SourceError
from feedpub.incremental import cache, catalogue, workers
from feedpub.incremental.spill import DISABLED, Spill, Where
from feedpub.model import Entry, Rendered
from feedpub.places import Refused
from feedpub.records import Record, record_of
from feedpub.render import content
from feedpub.sources import load
from feedpub.sources.dates import UNDATED, SourceContext
from feedpub.sources.fields.status import TEMPLATE_ONLY
from feedpub.sources.normalise import normalise

_T = TypeVar("_T")
PARALLEL_READS = 1500  # below this many changed documents a pool costs more than it saves
PARALLEL_SPILLS = 400  # the same when each document read is also rendered (about twice the work)
PARALLEL_RENDERS = 120


@dataclass(frozen=True)
class Found:
    """Every document of the source folder: a record for each valid one, problems for the others."""

    records: list[Record]  # in no particular order (select orders them)
    problems: list[Problem]  # in path order
    pages: list[NotAPost] = field(default_factory=list)  # documents left out as pages of the site, not posts
    refused: Sequence[Refused] = ()  # what may not be read (a link leading outside, a FIFO…), in path order


def sources(config: Config) -> SourceContext:
    """Return the context a build's documents are dated in: an undated embedded seed takes the seeds' newest date."""
    return SourceContext(config, seed_date=newest_dated)


def newest_dated(config: Config) -> datetime | None:
    """Return the newest date the published documents of config.source carry themselves (None: no such date).

    Every document is read: only for the embedded seeds, a dozen documents.
    """
    quiet = SourceContext.of(config)  # no seed_date: dating these asks nothing of this function
    found = []
    for rel, name in load.discover_rel(config.source, rules=load.Rules.of(config)):
        try:
            entry = normalise(load.read(Path(name), config.source, rel=rel), config, quiet)
        except SourceError:
            continue
        if entry.date_source not in UNDATED and not entry.draft:
            found.append(entry.date)
    return max(found, default=None)


def record_or_problems(rel: str, name: str, config: Config, context: SourceContext | None = None, *,
                       find_pages: bool = True, spill: Spill = DISABLED,
                       ) -> Record | tuple[Problem, ...]:
    """Return one document's record, or its problems (see normalise for find_pages).

    With an enabled spill, the body is rendered now, once, and the entry and body spilled for
    the outputs of this build (spill.put's place is noted by the caller: see _read_groups).
    """
    read = _read_one(rel, name, config, context or sources(config), find_pages, spill)
    return read.record if read.record is not None else read.problems


class _Read(NamedTuple):
    """One document read: its record (None: it has problems), and where its entry and body were spilled."""

    record: Record | None
    problems: tuple[Problem, ...] = ()
    spilled: tuple[str, Where] | None = None


def _read_one(rel: str, name: str, config: Config, context: SourceContext, find_pages: bool, spill: Spill) -> _Read:
    """Read one document for the catalogue (and, with an enabled spill, render and spill its body)."""
    try:
        data, st = load.read_bytes(name, rel, config.limits)
        # source / rel, not Path(name): pathlib then parses the relative part only
        doc = load.from_bytes(data, config.source / rel, rel, st.st_mtime, config.limits)
        entry = normalise(doc, config, context, find_pages=find_pages)
    except SourceError as e:
        return _Read(None, tuple(e.problems))
    if spill.enabled:  # its page will show the whole body: render it once, now
        r = content.render(entry, config, doc)
        where = spill.put(rel, (entry, r.content_html, r.summary))
        return _Read(record_of(entry, st.st_size, st.st_mtime_ns, st.st_ctime_ns, data, summary=r.summary), (), where)
    # the archive lists every entry with text: the document's summary, else its first paragraph
    summary = content.lead_summary(entry, doc, config)
    return _Read(record_of(entry, st.st_size, st.st_mtime_ns, st.st_ctime_ns, data, summary=summary))


_Chunk = tuple[bytes | None, list[Record], list[tuple[int, tuple[Problem, ...]]], list[tuple[str, Where]]]


def _read_groups(job: tuple[Config, SourceContext, Sequence[tuple[str, str]], Sequence[Sequence[int]], Spill],
                 indexes: range) -> list[_Chunk]:
    """Read every document of some groups: per group, its records encoded, its problems by index, and what it spilled.

    The records come back encoded (as they are only if one cannot be), cheaper to send and to
    read than pickled records, and the same bytes the build cache stores.
    """
    config, context, found, groups, spill = job
    out: list[_Chunk] = []
    for g in indexes:
        records: list[Record] = []
        bad: list[tuple[int, tuple[Problem, ...]]] = []
        spilled: list[tuple[str, Where]] = []
        for i in groups[g]:
            read = _read_one(*found[i], config, context, True, spill)
            if read.record is None:
                bad.append((i, read.problems))
                continue
            records.append(read.record)
            if read.spilled is not None:
                spilled.append(read.spilled)
        try:
            out.append((catalogue.encode(records), [], bad, spilled))
        except ValueError:
            out.append((None, records, bad, spilled))
    return out


def _read(config: Config, context: SourceContext, found: Sequence[tuple[str, str]], groups: Sequence[Sequence[int]],
          shared: catalogue.Shared, meanwhile: Callable[[], None] | None,
          keep: Callable[[int, bytes | None, list[Record]], None], spill: Spill) -> list[Problem]:
    """Read the documents of every group (in a pool when many); hand each group's records to keep.

    Return the problems, in file order.
    """
    n = sum(map(len, groups))
    pool = n >= (PARALLEL_SPILLS if spill.enabled else PARALLEL_READS)
    results = workers.imap(_read_groups, (config, context, found, groups, spill), len(groups),
                           workers.count(config.workers), 1 if pool else len(groups) + 1,
                           chunk=1 if pool else max(len(groups), 1), smallest=1, meanwhile=meanwhile)
    failed: list[tuple[int, tuple[Problem, ...]]] = []
    for g, (data, records, bad, spilled) in enumerate(result for part in results for result in part):
        keep(g, data, catalogue.decode(data, shared) if data is not None else records)
        spill.note(spilled)
        failed += bad
    failed.sort(key=lambda item: item[0])  # file order
    return [p for _i, these in failed for p in these]


def read_catalogue(config: Config, store: cache.BuildCache, shared: catalogue.Shared, context: SourceContext,
                   meanwhile: Callable[[], None] | None = None, spill: Spill = DISABLED) -> Found:
    """Return a record for every document, reading only those the cache does not know as they are.

    The cache's catalogue is updated (written when it flushes). When a pool of workers reads,
    this process runs meanwhile() as they start. With an enabled spill, a cold build (no
    catalogue) renders every document's body as it reads it, and spills it with its entry
    (see :mod:`feedpub.incremental.spill`).
    """
    # Listing and stat-ing every document is done by another process while this one decodes
    # the catalogue: a rebuild's two largest steps at once (see docs/performance.md).
    listed = workers.start(functools.partial(_listed, config.source, load.Rules.of(config)),
                           background=store.has_catalogue() and workers.count(config.workers) > 1)
    known = store.catalogue(shared)
    if not known:
        del listed  # a cold build reads every document (and never needed the listing)
        return _read_all(config, context, store, shared, meanwhile, spill)
    found, refused = _unlisted(listed.result())
    kept, missing, matched = _known_or_missing(found, known, context)
    fresh: list[Record] = []

    def keep(_group: int, _data: bytes | None, records: list[Record]) -> None:
        fresh.extend(records)

    size = max(PARALLEL_READS // 8, 1)
    groups = [range(i, min(i + size, len(missing))) for i in range(0, len(missing), size)]
    # not spilled: what a rebuild reads again was mostly touched, not changed, and the build
    # cache has its body (a page is remade only when its document or a neighbour changed)
    problems = _read(config, context, missing, groups, shared, meanwhile, keep, DISABLED)
    store.update(fresh, _forgotten(found, known, matched, missing, fresh))
    return _found(config, context, kept + fresh, problems, refused)


_LISTED_FORMS = ("q", "q", "q")  # size, mtime_ns, ctime_ns


def _listed(source: Path, rules: load.Rules) -> tuple[bytes, bytes, list[Refused]]:
    """Return the source's documents (load.listing) as columns: what the listing process sends back.

    Two tables: the relative paths with each document's stat, and the file system paths. A
    pickle of 50,000 (rel, path, size, mtime) rows took ~0.1 s to read here, where the build
    waits for it (the output folder's listing is sent the same way: context._listed).
    """
    found, refused = load.listing(source, rules)
    rels, paths, *stats = [*zip(*found, strict=True)] or [(), (), (), (), ()]
    return (catalogue.encode_table(rels, *zip(_LISTED_FORMS, stats, strict=True)),
            catalogue.encode_table(paths), refused)


def _unlisted(listed: tuple[bytes, bytes, list[Refused]]) -> tuple[list[load.Listed], list[Refused]]:
    """Return the listing _listed() encoded, as load.listing returns it."""
    named, placed, refused = listed
    rels, (sizes, mtimes, ctimes) = catalogue.decode_table(named, _LISTED_FORMS)
    paths, _none = catalogue.decode_table(placed, ())
    return list(zip(rels, paths, sizes, mtimes, ctimes, strict=True)), refused


def _forgotten(found: Sequence[load.Listed], known: dict[str, Record], matched: int,
               read: Sequence[tuple[str, str]], fresh: Sequence[Record]) -> list[str]:
    """Return the documents the cache forgets: gone from the source, or read again and not valid now."""
    there = {f[0] for f in found} if matched < len(known) else set()
    gone = [rel for rel in known if rel not in there] if there else []
    valid = {r.rel for r in fresh}
    return [*gone, *(rel for rel, _path in read if rel not in valid)]


def _known_or_missing(found: Iterable[load.Listed], known: dict[str, Record], context: SourceContext,
                      ) -> tuple[list[Record], list[tuple[str, str]], int]:
    """Return the records the cache has of documents as they are, the documents to read, and how many it knew.

    found: each document listed, with its stat. The documents to read (new,
    changed, or dated by git or mtime when that date moved) are in file order.
    """
    kept: list[Record] = []
    missing: list[tuple[str, str]] = []
    matched = 0  # documents the cache knows that are still there
    get = known.get
    for rel, path, size, mtime_ns, ctime_ns in found:
        record = get(rel)
        if record is not None:
            matched += 1
            if (size == record.size and mtime_ns == record.mtime_ns and ctime_ns == record.ctime_ns
                    and _still_valid(record, context)):
                kept.append(record)
                continue
        missing.append((rel, path))
    missing.sort()  # only the documents read need file order (for their problems)
    return kept, missing, matched


def _still_valid(record: Record, context: SourceContext) -> bool:
    """Whether a record's inferred date still holds (git history may have grown)."""
    if record.date_source not in ("git", "mtime"):
        return True
    config = context.config
    if not context.git_dates:  # not in git: mtime is in the record's key
        return record.date_source == "mtime"
    found = context.git_date(config.source / record.rel)
    if found is None:
        return record.date_source == "mtime"
    return record.date_source == "git" and record.date == found.astimezone(config.tz)


def _read_all(config: Config, context: SourceContext, store: cache.BuildCache, shared: catalogue.Shared,
              meanwhile: Callable[[], None] | None, spill: Spill) -> Found:
    """Read every document (a cold build), shard by shard of the catalogue, in a pool when many."""
    found, refused = load.documents(config.source, rules=load.Rules.of(config))
    shards: list[list[int]] = [[] for _ in range(cache.SHARDS)]
    for i, (rel, _path) in enumerate(found):
        shards[cache.shard_of(rel)].append(i)
    records: list[Record] = []

    def keep(shard: int, data: bytes | None, made: list[Record]) -> None:
        records.extend(made)
        if data is not None:
            store.put_shard(shard, data, made)
        else:
            store.update(made, ())

    problems = _read(config, context, found, shards, shared, meanwhile, keep, spill)
    return _found(config, context, records, problems, refused)


def _found(config: Config, context: SourceContext, records: list[Record], problems: list[Problem],
           refused: Sequence[Refused]) -> Found:
    """Return what was found, the pages (not posts) told apart from the other problems."""
    again = functools.partial(_record_again, config=config, context=context)
    made, problems, pages = pages_apart(problems, (r.date_source for r in records), again)
    records += made
    return Found(records, problems or _nothing_found(config, records), pages, refused)


def _record_again(rel: str, config: Config, context: SourceContext) -> tuple[Record | None, tuple[Problem, ...]]:
    result = record_or_problems(rel, str(config.source / rel), config, context, find_pages=False)
    return (result, ()) if isinstance(result, Record) else (None, result)


def pages_apart(problems: list[Problem], date_sources: Iterable[str],
                again: Callable[[str], tuple[_T | None, tuple[Problem, ...]]],
                ) -> tuple[list[_T], list[Problem], list[NotAPost]]:
    """Tell the pages of the site (NotAPost) from the other problems of a source's documents.

    Where most documents carry their own date, a page is left out (returned last, for a
    warning); elsewhere nothing tells a page from an undated post, so each is read again as any
    document: again(rel) gives its entry (or None) and its problems. Return (what was read again, the
    other problems in path order, the pages left out).
    """
    pages = [p for p in problems if isinstance(p, NotAPost)]
    if not pages:
        return [], problems, []
    rest = [p for p in problems if not isinstance(p, NotAPost)]
    if mostly_dated(date_sources, len(pages)):
        return [], rest, pages
    made: list[_T] = []
    for page in pages:
        result, problems_again = again(page.path)
        if result is not None:
            made.append(result)
        rest += problems_again
    rest.sort(key=lambda p: p.path)  # stable: a document's own problems keep their order
    return made, rest, []


def mostly_dated(date_sources: Iterable[str], pages: int) -> bool:
    """Whether most documents of a source carry their own date (pages: those found to look like pages).

    Only there is an undated document without text a page: in a folder of notes that git or the
    file time dates, it is one more note.
    """
    found = list(date_sources)
    dated = sum(1 for s in found if s not in UNDATED)
    return dated * 2 > len(found) + pages


def without_text(records: Iterable[Record]) -> list[Problem]:
    """Return a warning for each record whose body was template tags alone (published with no text)."""
    return [Problem(r.rel, r.template_only, TEMPLATE_ONLY) for r in records if r.template_only]


def _nothing_found(config: Config, records: Sequence[Record]) -> list[Problem]:
    """Return the problem of a build with no document at all (none when there are records)."""
    if records:
        return []
    if not config.source.is_dir():
        return [Problem(str(config.source), None, "source folder not found")]
    return [Problem(str(config.source), None, "no documents found (.md, .markdown or .txt)")]


# --- documents read again, in full -------------------------------------------------------


def whole(record: Record, config: Config, context: SourceContext | None = None) -> Entry:
    """Read the entry of a catalogue record again (as it is in the file now)."""
    return normalise(load.read(config.source / record.rel, config.source, config.limits, rel=record.rel), config,
                     context or sources(config))


def _render_range(job: tuple[Config, SourceContext, Sequence[Entry | Record], frozenset[int]],
                  indexes: range) -> list[tuple[Entry, str, str]]:
    config, context, todo, cached = job
    out = []
    for i in indexes:
        item = todo[i]
        if isinstance(item, Entry):
            r = content.render(item, config)
            out.append((item, r.content_html, r.summary))
            continue
        doc = load.read(config.source / item.rel, config.source, config.limits, rel=item.rel)
        entry = normalise(doc, config, context)
        if i in cached:  # only the entry is wanted: its body comes from the cache
            out.append((entry, "", ""))
        else:
            r = content.render(entry, config, doc)
            out.append((entry, r.content_html, r.summary))
    return out


def render_all(items: Iterable[Entry | Record], config: Config, store: cache.BuildCache,
               progress: Callable[[int, int], None] | None = None,
               settle: Callable[[Entry, str, str], Rendered] | None = None,
               context: SourceContext | None = None, spill: Spill = DISABLED) -> dict[str, Rendered]:
    """Render each distinct entry once, keyed by id: spilled or cached bodies reused, the rest in a pool.

    A catalogue record is read again for its entry, unless this build spilled it; settle then
    gives that entry the values the build settled (category name, 'updated') and its body the
    URLs of the documents it links (select.Selection.rendered). A body is cached
    by the document's fingerprint, so a touched but unchanged file keeps it. What was spilled
    is read back in this process: a pool would cost a fork and pickle every body back for a
    ~30 µs read each (a cold build's feeds: all of them).
    """
    distinct: dict[str, Entry | Record] = {}
    for x in items:
        distinct.setdefault(x.id, x)
    todo = list(distinct.values())
    keys, stored = _stored_bodies(todo, store)
    # spilled: read back here, as fast as a pool would hand them over (no fork, no pickled bodies)
    spilled = {i: s for i, x in enumerate(todo) if isinstance(x, Record) and (s := spill.get(x)) is not None}
    rest = [i for i in range(len(todo)) if i not in spilled]
    cached = frozenset(j for j, i in enumerate(rest) if keys.get(todo[i].id) in stored)
    if len(rest) - len(cached) >= PARALLEL_RENDERS:
        content.prepare(config)  # parser and cleaner built once, shared by the forked workers
    job = (config, context or sources(config), [todo[i] for i in rest], cached)
    done = iter(workers.run(_render_range, job, len(rest), workers.count(config.workers), PARALLEL_RENDERS))
    made = [spilled[i] if i in spilled else next(done) for i in range(len(todo))]
    cached = frozenset(rest[j] for j in cached)  # by index in todo again
    fresh: dict[tuple[str, bytes], tuple[str, str]] = {}  # bodies rendered here, for the cache
    result: dict[str, Rendered] = {}
    for i, (x, (entry, html, summary)) in enumerate(zip(todo, made, strict=True)):
        key = keys.get(x.id)
        body = stored[key] if key is not None and i in cached else _fresh(key, entry, x, (html, summary), fresh)
        result[x.id] = Rendered(entry, *body) if settle is None else settle(entry, *body)
        if progress is not None:
            progress(i + 1, len(todo))
    store.save_bodies(fresh)
    return result


def _stored_bodies(items: Iterable[Entry | Record], store: cache.BuildCache,
                   ) -> tuple[dict[str, tuple[str, bytes]], dict[tuple[str, bytes], tuple[str, str]]]:
    """Return the cache key of each record's body by id, and the bodies the cache has (html, summary) by key."""
    keys = {x.id: (x.rel, x.fingerprint) for x in items if isinstance(x, Record)} if store.enabled else {}
    return keys, store.bodies(keys.values())


def _fresh(key: tuple[str, bytes] | None, entry: Entry, listed: Entry | Record, body: tuple[str, str],
           fresh: dict[tuple[str, bytes], tuple[str, str]]) -> tuple[str, str]:
    """Return a body rendered here, noting it in fresh for the cache if its document is as it was listed."""
    if key is not None and (entry.id, entry.date) == (listed.id, listed.date):  # not edited since it was listed
        fresh[key] = body
    return body


def make_each(jobs: Sequence[Any], config: Config, store: cache.BuildCache, context: SourceContext,
              settle: Callable[[Entry, str, str], Rendered], make: Callable[[Any, dict[str, Rendered]], Any],
              progress: Callable[[int, int], None] | None = None,
              spill: Spill = DISABLED) -> Generator[Any, None, None]:
    """Yield make(job, rendered) for jobs that each show one entry or none, rendering and making together.

    An article page per document: its body is rendered, the page made and the body dropped
    in the same worker, chunk by chunk, so no process ever holds the bodies of a whole
    archive, and making (templates) runs on every core as rendering does; this process
    makes its share of the chunks (see workers.imap: a lower peak of memory, in
    docs/performance.md). A body already in the build cache is reused; bodies rendered here
    are not added to it (a page is remade only when its document or a neighbour changes, and
    rendering one body again is cheap). A document this build read for its catalogue was
    spilled then, entry and body: its page is made from those, and it is not read again.
    """
    keys, stored = _stored_bodies([job.shows[0] for job in jobs if job.shows], store)
    if len(jobs) >= PARALLEL_RENDERS:
        content.prepare(config)  # built once, shared by the forked workers
    job = (config, context, jobs, stored, keys, settle, make, spill)
    done = 0
    for part in workers.imap(_make_range, job, len(jobs), workers.count(config.workers), PARALLEL_RENDERS,
                             chunk=256, smallest=16, share=True):
        done += len(part)
        if progress is not None:
            progress(done, len(jobs))
        yield from part


def _make_range(job: tuple[Any, ...], indexes: range) -> list[Any]:
    config, context, jobs, stored, keys, settle, make, spill = job
    out = []
    for i in indexes:
        if not jobs[i].shows:  # a listing, a file of the site: no body to render
            out.append(make(jobs[i], {}))
            continue
        shown = jobs[i].shows[0]
        spilled = spill.get(shown)
        if spilled is not None:  # read and rendered when the catalogue was: not read again
            entry, html, summary = spilled
            out.append(make(jobs[i], {shown.id: settle(entry, html, summary)}))
            continue
        doc = load.read(config.source / shown.rel, config.source, config.limits, rel=shown.rel)
        entry = normalise(doc, config, context)
        key = keys.get(shown.id)
        if key in stored and (entry.id, entry.date) == (shown.id, shown.date):  # not edited since it was listed
            html, summary = stored[key]
        else:
            r = content.render(entry, config, doc)
            html, summary = r.content_html, r.summary
        out.append(make(jobs[i], {shown.id: settle(entry, html, summary)}))
    return out


def read_entries(config: Config) -> tuple[list[Entry], list[Problem]]:
    """Load and normalise every document, in file order (no cache: for check and tools)."""
    found = load.discover_rel(config.source, rules=load.Rules.of(config))
    job = (config, sources(config), found)
    made = workers.run(_entries_range, job, len(found), workers.count(config.workers), PARALLEL_READS)
    entries: list[Entry] = []
    problems: list[Problem] = []
    for item in made:
        if isinstance(item, Entry):
            entries.append(item)
        else:
            problems.extend(item)
    again = functools.partial(_entry_again, config=config, context=job[1])
    made_again, problems, pages = pages_apart(problems, (e.date_source for e in entries), again)
    entries += made_again
    problems += pages  # the caller tells them apart (isinstance NotAPost): not errors
    if not entries and not problems:
        problems += _nothing_found(config, [])
    return entries, problems


def _entry_again(rel: str, config: Config, context: SourceContext) -> tuple[Entry | None, tuple[Problem, ...]]:
    try:
        return normalise(load.read(config.source / rel, config.source, config.limits, rel=rel), config, context,
                         find_pages=False), ()
    except SourceError as e:
        return None, tuple(e.problems)


def _entries_range(job: tuple[Config, SourceContext, Sequence[tuple[str, str]]],
                   indexes: range) -> list[Entry | tuple[Problem, ...]]:
    config, context, found = job
    out: list[Entry | tuple[Problem, ...]] = []
    for i in indexes:
        rel, name = found[i]
        try:
            out.append(normalise(load.read(Path(name), config.source, config.limits, rel=rel), config, context))
        except SourceError as e:
            out.append(tuple(e.problems))
    return out
