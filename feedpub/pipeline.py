"""The table of contents of a build: documents in, dist/ out.

    documents ──load──▶ SourceDoc ──normalise──▶ Entry ──┬─ feeds ──▶ Atom / RSS / JSON Feed
     (a Record each, kept by the build cache: unchanged   ├─ archive ▶ RFC 5005 archive pages
      documents are not read; outputs show what they      ├─ digest ─▶ HTML (inlined) / text / .eml
      need of the others, read again)                     └─ site ───▶ index page, OPML, feed.xsl
                                         all outputs ──write──▶ dist/ (atomic)

Every output has a key (everything its bytes depend on, hashed): one whose key is the one
its file in dist/ was written for is kept as it is, neither made nor rewritten.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from feedpub import (
    archive,
    cache,
    digest,
    feeds,
    gather,
    inline,
    layout,
    publish,
    render,
    select,
    site,
    templating,
    workers,
    write,
)
from feedpub.catalogue import Record
from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.feeds import FeedSpec
from feedpub.model import Category, Entry, Kept, Output, Rendered, deferred


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
    render.prepare(config)
    feeds.prepare()
    inline.prepare()
    templating.prepare(config, TEMPLATES)


TEMPLATES = ("digest.html.j2", "digest.txt.j2", "index.html.j2", "feeds.opml.j2", "feed.xsl.j2")


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
        # a record per document: only changed ones are read (when many, by other processes,
        # while this one loads what making outputs needs)
        found = gather.read_catalogue(config, store, meanwhile=functools.partial(_prepare_outputs, config))
        records = _checked(found.records, found.problems, skip_invalid)  # nothing is written past a bad document
        chosen = select.choose(records, config, now, whole=reread)  # before any output: names, ties settled
        written = store.written(config.out)
        previous = write.Previous(config.out, written)  # what dist/ holds, by output key
        pages = archive.pages(chosen.published, config)  # RFC 5005 history: metadata only, never rendered
        plan = _Plan.of(chosen, config, now, archive.newest_page_url(pages, config), digest_request,
                        store.context, previous)  # which feeds, digest and site pages must be made
        # the digest's few entries first: its CSS is inlined in another process while the rest renders
        mail_todo = plan.mail_shown
        feed_todo = plan.feed_shown({e.id for e in mail_todo})
        steps = _Steps(progress, len({e.id for e in mail_todo}) + len({e.id for e in feed_todo}))
        rendered = gather.render_all(mail_todo, config, store, steps, settle=chosen.settle)
        mailing = plan.start_mail(rendered, config, now, digest_request)
        rendered |= gather.render_all(feed_todo, config, store, steps, settle=chosen.settle)
        specs = plan.specs(rendered, config, now)
        feeding = workers.start(functools.partial(plan.feed_outputs, specs, config),
                                background=plan.fork_feeds(rendered) and workers.count(config.workers) > 1)
        outputs: list[Output | Kept] = archive.start(pages, config, chosen, store.context, previous, found.parts,
                                                     functools.partial(gather.parts_of, config=config))
        outputs += feeding.result()  # made in a child while this process joined archive pages
        mail = mailing.result()
        outputs += [*mail.outputs, *plan.site_outputs(specs, config, [o.path for o in mail.outputs])]
        report = write.write_outputs(outputs, config.out)  # atomic: all or nothing; kept files stay
        store.save_written(config.out, report.files, written)
    return BuildResult(chosen, tuple(found.problems), report, (*store.warnings, *mail.warnings), mail, reread)


class _Steps:
    """One progress count over several rendering passes (the digest's entries, then the feeds')."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress, self._total, self._done = progress, total, 0

    def __call__(self, _done: int, _total: int) -> None:
        self._done += 1
        if self._progress is not None:
            self._progress(self._done, self._total)


FORKED_FEEDS = 4  # feeds to make from which a child process makes them, while archive pages are joined
FORKED_FEEDS_MAX_TEXT = 4_000_000  # characters of rendered bodies, past which the feeds are made here


@dataclass(frozen=True)
class _Plan:
    """The current feeds, the digest and the site pages of a build: their keys, and which are kept."""

    chosen: select.Selection[Record]
    feeds: dict[Category | None, list[Record]]  # the entries of each feed (None: site-wide)
    feed_keys: dict[Category | None, bytes]
    make_feeds: tuple[Category | None, ...]  # the feeds whose files dist/ does not hold
    prev_archive_url: str | None
    mail: digest.Plan[Record] | None
    mail_kept: digest.Made | None  # the digest dist/ holds already
    site_key: bytes
    make_site: bool

    @classmethod
    def of(cls, chosen: select.Selection[Record], config: Config, now: datetime, prev_archive_url: str | None,
           request: digest.Request | None, context: str, previous: write.Previous) -> _Plan:
        """Plan the outputs of a selection: key each, and see which dist/ already holds."""
        feeds = publish.feed_entries(chosen.published, config)
        keys = publish.keys(feeds, chosen, now, prev_archive_url, context)
        make = tuple(c for c in feeds if not publish.held(c, keys[c], previous))
        mail = digest.plan(chosen, config, now=now, request=request, context=context)
        mail_kept = digest.held(mail, previous, config) if mail is not None else None
        site_key = site.key(list(keys.values()), digest.paths(mail.window.label) if mail else (), context)
        return cls(chosen, feeds, keys, make, prev_archive_url, mail, mail_kept, site_key,
                   not site.held(site_key, previous))

    @property
    def mail_shown(self) -> list[Record]:
        """Return the entries of the digest, if it must be made."""
        return list(self.mail.shown) if self.mail is not None and self.mail_kept is None else []

    def feed_shown(self, done: Container[str]) -> list[Record]:
        """Return the entries of the feeds to make that are not rendered yet.

        The site pages list every feed and the newest entries: to make them, every feed is
        described in full.
        """
        todo = self.feeds if self.make_site else {c: self.feeds[c] for c in self.make_feeds}
        return [e for members in todo.values() for e in members if e.id not in done]

    def fork_feeds(self, rendered: Mapping[str, Rendered]) -> bool:
        """Whether another process should make the feeds: there are many, and they are small.

        The child's feeds come back through a pipe, so for a while they exist twice; with
        large bodies that would make a build's memory follow the size of its articles.
        """
        return (len(self.make_feeds) >= FORKED_FEEDS
                and sum(len(r.content_html) for r in rendered.values()) <= FORKED_FEEDS_MAX_TEXT)

    def start_mail(self, rendered: dict[str, Rendered], config: Config, now: datetime,
                   request: digest.Request | None) -> workers.Later[digest.Made]:
        """Begin the digest's files, unless dist/ holds them (its CSS is inlined in a forked child)."""
        if self.mail_kept is not None or self.mail is None:
            return workers.Done(self.mail_kept or digest.Made())
        return digest.start(self.chosen.published, rendered, config, now=now, request=request, key=self.mail.key)

    def specs(self, rendered: dict[str, Rendered], config: Config, now: datetime) -> list[FeedSpec]:
        """Describe the feeds to make (every feed, when the site pages are made too)."""
        todo = self.feeds if self.make_site else {c: self.feeds[c] for c in self.make_feeds}
        return publish.specs(todo, rendered, config, now, self.prev_archive_url)

    def feed_outputs(self, specs: list[FeedSpec], config: Config) -> list[Output | Kept]:
        """Serialise the feeds to make; the others are kept."""
        by_folder = {layout_folder(c): k for c, k in self.feed_keys.items()}
        making = {layout_folder(c) for c in self.make_feeds}
        result: list[Output | Kept] = list(publish.outputs([s for s in specs if s.folder in making], config, by_folder))
        for c in self.feeds:
            if c not in self.make_feeds:
                paths = layout.feed_paths(c)
                result += [Kept(paths.path(kind), self.feed_keys[c]) for kind in publish.KINDS]
        return result

    def site_outputs(self, specs: list[FeedSpec], config: Config, digest_paths: list[str]) -> list[Output | Kept]:
        """Make the site pages, or keep them."""
        if not self.make_site:
            return [Kept(p, self.site_key) for p in site.PATHS]
        return list(site.outputs(specs, config, digest_paths, self.site_key))


def layout_folder(category: Category | None) -> str:
    """Return the output folder of a feed."""
    return layout.feed_paths(category).folder
