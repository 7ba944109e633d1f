"""Stage 4 — plan: which outputs a build must make, which the output folder holds already, and making them.

Every output has a key: everything its bytes depend on, hashed (its entries' fingerprints,
the values settled for the whole build, its place, the cache context). An output whose key
is the one its file in dist/ was written for is *kept*: neither made nor rewritten
(:class:`feedpub.write.Previous`). The rest is made here, in overlapping processes where
that pays:

    digest's entries ─render─▶ inline its CSS (in a child) ·······················─┐
    feeds' entries ──render (pool)──▶ serialise feeds (in a child when many) ·······─┤
                                      join archive pages (here) ────────────────────┼─▶ outputs
                                                                      site pages ───┘

The site pages list every feed and its newest entries: when they must be made, every feed
is described in full (its entries rendered, or their bodies taken from the build cache).
The digests of other weeks that dist/ holds (made by earlier builds) are kept as they are
and listed by the site pages: a digest that was mailed stays readable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from feedpub import layout, select, write
from feedpub.config import Config
from feedpub.incremental import cache, gather, workers
from feedpub.incremental.catalogue import Record
from feedpub.model import Category, Kept, Output, Rendered
from feedpub.outputs import archive, digest, feeds, site
from feedpub.outputs.atom_rss import FeedSpec

FORKED_FEEDS = 4  # feeds to make from which a child process makes them, while archive pages are joined
FORKED_FEEDS_MAX_TEXT = 4_000_000  # characters of rendered bodies, past which the feeds are made here

Progress = Callable[[int, int], None]  # (done, total), called after each rendered entry


@dataclass(frozen=True)
class Plan:
    """The outputs of a build: the archive pages, current feeds, digest and site pages, and which are kept."""

    chosen: select.Selection[Record]
    pages: list[archive.Page[Record]]  # RFC 5005 history: metadata only, never rendered
    feeds: dict[Category | None, list[Record]]  # the entries of each feed (None: site-wide)
    feed_keys: dict[Category | None, bytes]
    make_feeds: tuple[Category | None, ...]  # the feeds whose files dist/ does not hold
    prev_archive_url: str | None  # the newest archive page, linked from the site-wide feed
    mail: digest.Plan[Record] | None
    mail_kept: digest.Made | None  # the digest dist/ holds already
    earlier_mail: tuple[str, ...]  # the files of other weeks' digests in dist/: kept, listed on the site
    site_key: bytes
    make_site: bool
    context: str  # the build cache's: part of every key
    previous: write.Previous

    @classmethod
    def of(cls, chosen: select.Selection[Record], config: Config, now: datetime,
           request: digest.Request | None, context: str, previous: write.Previous) -> Plan:
        """Plan the outputs of a selection: key each, and see which dist/ already holds."""
        pages = archive.pages(chosen.published, config)
        prev_archive_url = archive.newest_page_url(pages, config)
        members = feeds.feed_entries(chosen.published, config, chosen.names)
        keys = feeds.keys(members, chosen, now, prev_archive_url, context)
        make = tuple(c for c in members if not feeds.held(c, keys[c], previous))
        mail = digest.plan(chosen, config, now=now, request=request, context=context)
        mail_kept = digest.held(mail, previous, config) if mail is not None else None
        earlier = digest.earlier(config.out, mail.window.label if mail else None)
        site_key = site.key(list(keys.values()), (*(digest.paths(mail.window.label) if mail else ()), *earlier),
                            context)
        return cls(chosen, pages, members, keys, make, prev_archive_url, mail, mail_kept, earlier, site_key,
                   not site.held(site_key, previous), context, previous)

    def make(self, config: Config, now: datetime, store: cache.BuildCache, parts: dict[str, archive.Parts],
             progress: Progress | None, emit: Callable[[Iterable[Output | Kept]], None]) -> digest.Made:
        """Make what dist/ does not hold, handing every output to emit as it comes; return the digest made.

        parts: archive entry parts of the documents read in this build (consumed).
        """
        settle = self.chosen.settle
        # the digest's few entries first: its CSS is inlined in another process while the rest renders
        mail_todo = self._mail_shown()
        feed_todo = self._feed_shown({e.id for e in mail_todo})
        steps = _Steps(progress, len({e.id for e in mail_todo}) + len({e.id for e in feed_todo}))
        # archive pages first, here and alone: joining them frees their entries' parts, which
        # would copy the memory they share with any child process alive meanwhile
        emit(archive.start(self.pages, config, self.chosen, self.context, self.previous, parts,
                           functools.partial(gather.parts_of, config=config)))
        rendered = gather.render_all(mail_todo, config, store, steps, settle=settle)
        mailing = self._start_mail(rendered, config)
        rendered |= gather.render_all(feed_todo, config, store, steps, settle=settle)
        specs = self._specs(rendered, config, now)
        folders = {_folder(c) for c in self.make_feeds}
        making = [s for s in specs if s.folder in folders]
        fork = self._fork_feeds(rendered) and workers.count(config.workers) > 1
        # with a child, it serialises every other feed while this process does the rest
        feeding = workers.start(functools.partial(self._feed_files, making[::2] if fork else [], config),
                                background=fork)
        for spec in making[1::2] if fork else making:  # one at a time: long articles make large feeds
            emit(self._feed_files([spec], config))
        store.flush()  # the catalogue is written meanwhile
        emit([*feeding.result(), *self._kept_feeds()])
        mail = mailing.result()
        emit([*mail.outputs, *digest.kept_earlier(self.earlier_mail)])
        emit(self._site_outputs(specs, config, [*(o.path for o in mail.outputs), *self.earlier_mail]))
        return mail

    def _mail_shown(self) -> list[Record]:
        """Return the entries of the digest, if it must be made."""
        return list(self.mail.shown) if self.mail is not None and self.mail_kept is None else []

    def _feeds_to_describe(self) -> dict[Category | None, list[Record]]:
        return self.feeds if self.make_site else {c: self.feeds[c] for c in self.make_feeds}

    def _feed_shown(self, done: Container[str]) -> list[Record]:
        """Return the entries of the feeds to describe that are not rendered yet."""
        return [e for members in self._feeds_to_describe().values() for e in members if e.id not in done]

    def _fork_feeds(self, rendered: Mapping[str, Rendered]) -> bool:
        """Whether another process should make the feeds: there are many, and they are small.

        The child's feeds come back through a pipe, so for a while they exist twice; with
        large bodies that would make a build's memory follow the size of its articles.
        """
        return (len(self.make_feeds) >= FORKED_FEEDS
                and sum(len(r.content_html) for r in rendered.values()) <= FORKED_FEEDS_MAX_TEXT)

    def _start_mail(self, rendered: dict[str, Rendered], config: Config) -> workers.Later[digest.Made]:
        """Begin the digest's files, unless dist/ holds them (its CSS is inlined in a forked child)."""
        if self.mail_kept is not None or self.mail is None:
            return workers.Done(self.mail_kept or digest.Made())
        return digest.start(self.mail, rendered, config)

    def _specs(self, rendered: dict[str, Rendered], config: Config, now: datetime) -> list[FeedSpec]:
        """Describe the feeds to make (every feed, when the site pages are made too)."""
        return feeds.specs(self._feeds_to_describe(), rendered, config, now, self.prev_archive_url)

    def _feed_files(self, specs: list[FeedSpec], config: Config) -> list[Output]:
        """Serialise feeds, each with its key."""
        return feeds.outputs(specs, config, {_folder(c): k for c, k in self.feed_keys.items()})

    def _kept_feeds(self) -> list[Kept]:
        """Return the files of the feeds dist/ holds already."""
        kept = []
        for c in self.feeds:
            if c not in self.make_feeds:
                paths = layout.feed_paths(c)
                kept += [Kept(paths.path(kind), self.feed_keys[c]) for kind in feeds.KINDS]
        return kept

    def _site_outputs(self, specs: list[FeedSpec], config: Config, digest_paths: list[str]) -> list[Output | Kept]:
        """Make the site pages, or keep them."""
        if not self.make_site:
            return [Kept(p, self.site_key) for p in site.PATHS]
        return list(site.outputs(specs, config, digest_paths, self.site_key))


def _folder(category: Category | None) -> str:
    """Return the output folder of a feed."""
    return layout.feed_paths(category).folder


class _Steps:
    """One progress count over several rendering passes (the digest's entries, then the feeds')."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress, self._total, self._done = progress, total, 0

    def __call__(self, _done: int, _total: int) -> None:
        self._done += 1
        if self._progress is not None:
            self._progress(self._done, self._total)
