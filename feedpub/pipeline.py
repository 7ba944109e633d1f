"""The table of contents of a build: documents in, dist/ out.

    documents ──load──▶ SourceDoc ──normalise──▶ Entry ──┬─ feeds ──▶ Atom / RSS / JSON Feed
      (unchanged documents: entries from the build cache) ├─ archive ▶ RFC 5005 archive pages
                                                          ├─ digest ─▶ HTML (inlined) / text / .eml
                                                          └─ site ───▶ index page, OPML, feed.xsl
                                         all outputs ──write──▶ dist/ (atomic)
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from feedpub import archive, cache, digest, gather, publish, select, site, write
from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.model import Entry, Rendered


@dataclass(frozen=True)
class BuildResult:
    """What a build did: what was published, what was skipped, what was written."""

    entries: tuple[Entry, ...]  # published, newest first
    skipped: tuple[Problem, ...]  # problems of documents left out (only with skip_invalid)
    report: write.WriteReport
    warnings: tuple[str, ...] = ()  # outputs made but worth a look (a digest Gmail would clip)
    mail: digest.Made = field(default_factory=digest.Made)  # the digest written, if any


def read_entries(config: Config) -> tuple[list[Entry], list[Problem]]:
    """Load and normalise every document without the build cache (for check and tools)."""
    return gather.read_entries(config, cache.BuildCache(None, "", None))


Progress = Callable[[int, int], None]  # (done, total), called after each rendered entry


def render_all(entries: Iterable[Entry], config: Config,
               progress: Progress | None = None) -> dict[str, Rendered]:
    """Render each distinct entry once, keyed by id, without the build cache."""
    return gather.render_all(entries, config, cache.BuildCache(None, "", None), progress)


def _checked(entries: list[Entry], problems: Sequence[Problem], skip_invalid: bool) -> list[Entry]:
    if problems and not (skip_invalid and entries):
        raise SourceError(list(problems))
    return entries


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
    with cache.opened(config) as store:  # unchanged documents come from <source>/.feedpub/
        entries, problems = gather.read_entries(config, store)
        entries = _checked(entries, problems, skip_invalid)  # nothing is written past a bad document
        entries = select.unify_categories(select.publishable(entries, config, now), config)
        entries = select.distinct_updated(entries)  # before any output: Atom readers key on 'updated'
        select.check_unique(entries)
        plan = publish.feed_entries(entries, config)
        pages = archive.pages(entries, config)  # RFC 5005 history: metadata only, never rendered
        # pages that did not change come from the cache; the rest are made in other processes
        # while this one renders and writes feeds (a large archive: in this one, now)
        history = archive.start(pages, config, store)
        shown = [*(e for members in plan.values() for e in members),
                 *digest.shown(entries, config, now=now, request=digest_request)]  # only what some output shows
        rendered = gather.render_all(shown, config, store, progress)
        mailing = digest.start(entries, rendered, config, now=now, request=digest_request,
                               store=store)  # its CSS inlined in another process while feeds are written
        feed_specs = publish.specs(plan, rendered, config, now, archive.newest_page_url(pages, config))
        feed_files = publish.outputs(feed_specs, config, store)  # unchanged feeds: bytes from the cache
        archived, mail = history.result(), mailing.result()  # before the cache closes: both store in it
    outputs = [*feed_files, *archived, *mail.outputs]
    outputs += site.outputs(feed_specs, config, digest_paths=[o.path for o in mail.outputs])  # links them all
    report = write.write_outputs(outputs, config.out)  # atomic: all or nothing; same bytes kept
    return BuildResult(tuple(entries), tuple(problems), report, (*store.warnings, *mail.warnings), mail)
