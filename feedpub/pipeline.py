"""The table of contents of a build: documents in, dist/ out.

    documents ──load──▶ SourceDoc ──normalise──▶ Entry ──┬─ feeds ──▶ Atom / RSS / JSON Feed
     (a Record each, kept by the build cache: unchanged   ├─ archive ▶ RFC 5005 archive pages
      documents are not read; outputs show what they      ├─ digest ─▶ HTML (inlined) / text / .eml
      need of the others, read again)                     └─ site ───▶ index page, OPML, feed.css
                                         all outputs ──write──▶ dist/ (atomic)

Every output has a key (everything its bytes depend on, hashed): one whose key is the one
its file in dist/ was written for is kept as it is, neither made nor rewritten.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from feedpub import select, write
from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.incremental import cache, gather, plan
from feedpub.incremental.catalogue import Record
from feedpub.model import Entry, Rendered, deferred
from feedpub.outputs import atom_rss, digest
from feedpub.render import content, inline, templating


@dataclass(frozen=True)
class BuildResult:
    """What a build did: what was published, what was skipped, what was written."""

    chosen: select.Selection[Record]  # what was published, newest first, as the catalogue knows it
    skipped: tuple[Problem, ...]  # problems of documents left out (only with skip_invalid)
    report: write.WriteReport
    warnings: tuple[str, ...] = ()  # outputs made but worth a look (a digest Gmail would clip)
    mail: digest.Made = field(default_factory=digest.Made)  # the digest written, if any
    read: Callable[[Record], Entry] | None = None  # reads a published document's entry again

    @functools.cached_property
    def entries(self) -> tuple[Entry, ...]:
        """Return the published entries, newest first (each read in full when first asked)."""
        read, chosen = self.read, self.chosen
        if read is None:
            return ()
        return tuple(
            deferred(functools.partial(read, r), id=r.id, url=r.url, date=r.date, updated=chosen.updated(r),
                     category=r.category, draft=r.draft, rel=r.rel, date_source=r.date_source)
            for r in chosen.published
        )


def read_entries(config: Config) -> tuple[list[Entry], list[Problem]]:
    """Load and normalise every document without the build cache (for check and tools)."""
    return gather.read_entries(config)


Progress = Callable[[int, int], None]  # (done, total), called after each rendered entry


def render_all(entries: Iterable[Entry], config: Config,
               progress: Progress | None = None) -> dict[str, Rendered]:
    """Render each distinct entry once, keyed by id, without the build cache."""
    return gather.render_all(entries, config, cache.DISABLED, progress)


def _checked(records: list[Record], problems: Sequence[Problem], skip_invalid: bool) -> list[Record]:
    if problems and not (skip_invalid and records):
        raise SourceError(list(problems))
    return records


def _prepare_outputs(config: Config) -> None:
    """Load the libraries and templates that making every output needs (a cold build will)."""
    content.prepare(config)
    atom_rss.prepare()
    inline.prepare()
    templating.prepare(config, TEMPLATES)


TEMPLATES = ("digest.html.j2", "digest.txt.j2", "index.html.j2", "atom_rss.opml.j2", "feed.css.j2")


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one build (reference counting still frees).

    A build of a large archive makes hundreds of thousands of small objects that live to its
    end, and the collector kept walking all of them: a third of a 50,000-document rebuild's
    time. A build makes few reference cycles, and they are collected when it returns.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(config: Config, *, now: datetime, skip_invalid: bool = False,
          progress: Progress | None = None, digest_request: digest.Request | None = None) -> BuildResult:
    """Build every output of the site into config.out; raise FeedpubError on any problem."""
    with _no_cycle_collection():
        return _build(config, now, skip_invalid, progress, digest_request)


def _build(config: Config, now: datetime, skip_invalid: bool, progress: Progress | None,
           digest_request: digest.Request | None) -> BuildResult:
    reread = functools.partial(gather.whole, config=config)
    with cache.opened(config) as store:  # what the last build knew: <source>/.feedpub/
        # a record per document: only changed ones are read (by other processes when many,
        # while this one loads what making outputs needs)
        found = gather.read_catalogue(config, store, meanwhile=functools.partial(_prepare_outputs, config))
        records = _checked(found.records, found.problems, skip_invalid)  # nothing is written past a bad document
        chosen = select.choose(records, config, now, whole=reread)  # before any output: names, ties settled
        written = store.written(config.out)  # what dist/ holds, by output key
        todo = plan.Plan.of(chosen, config, now, digest_request, store.context, write.Previous(config.out, written))
        with write.Staging(config.out) as stage:  # atomic: all or nothing; kept files stay as they are
            mail = todo.make(config, now, store, found.parts, progress, stage.add)  # what dist/ lacks
            report = stage.commit()
        store.save_written(config.out, report.files, written)
    return BuildResult(chosen, tuple(found.problems), report, (*store.warnings, *mail.warnings), mail, reread)
