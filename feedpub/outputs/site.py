"""Output kind ``site``: the pages around the feeds (index.html, feeds.opml, feed.css).

index.html lists every feed with autodiscovery ``<link rel="alternate">`` tags, feeds.opml
lets a subscriber import them all at once, and feed.css makes an Atom or RSS feed opened in
a browser read as a page (CSS, not XSLT, which Chromium is removing). They list every
feed and digest the build planned (kinds ``feeds`` and ``digest``, planned before this
one), from catalogue records alone: no body is rendered for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Category, Output, Rendered
from feedpub.outputs import feeds as feeds_kind
from feedpub.outputs.protocol import Build, Job, Made
from feedpub.render import templating
from feedpub.select import Listed, Selection

LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
LATEST_DIGEST = "latest.html"
LATEST_ENTRIES = 10  # how many of the newest entries the index page shows


@dataclass(frozen=True)
class FeedLink:
    """One file of a feed: its format, media type and where it is."""

    kind: str  # "atom", "rss", "json"
    label: str
    media_type: str
    path: str  # relative to the output folder, which is also relative to index.html
    url: str  # absolute, under base_url


@dataclass(frozen=True)
class SiteFeed:
    """A feed as the site pages show it: a name and its three files."""

    name: str
    title: str  # the feed's own title, as readers show it
    category: str  # category slug, "" for the site-wide feed
    count: int
    links: tuple[FeedLink, ...]

    @property
    def atom(self) -> FeedLink:
        """Return the Atom file of this feed (the one OPML lists)."""
        return self.links[0]


@dataclass(frozen=True)
class DigestLinks:
    """Where the digests are: the latest one and the archive, newest first."""

    latest: str
    archive: tuple[tuple[str, str], ...]  # (label, path)


def site_feeds(feeds: Sequence[tuple[Category | None, Sequence[Listed]]], config: Config) -> list[SiteFeed]:
    """Describe each feed for the site pages: the site-wide one first, then categories."""
    result = []
    for category, members in sorted(feeds, key=lambda f: (f[0] is not None, layout.feed_paths(f[0]).folder)):
        paths = layout.feed_paths(category)
        links = tuple(
            FeedLink(kind, LABELS[kind], layout.MEDIA_TYPES[kind], paths.path(kind), paths.url(kind, config))
            for kind in ("atom", "rss", "json")
        )
        result.append(SiteFeed(
            name=category.name if category else "All articles",
            title=feeds_kind.feed_title(category, config),
            category=category.slug if category else "",
            count=len(members),
            links=links,
        ))
    return result


def digest_links(digest_paths: Sequence[str]) -> DigestLinks | None:
    """Return the latest digest and the archive from the digest output paths (None: no digest)."""
    pages = sorted((p for p in digest_paths if p.endswith(".html")), reverse=True)
    weeks = [p for p in pages if PurePosixPath(p).name != LATEST_DIGEST]
    latest = next((p for p in pages if PurePosixPath(p).name == LATEST_DIGEST), weeks[0] if weeks else None)
    if latest is None:
        return None
    return DigestLinks(latest, tuple((PurePosixPath(p).stem, p) for p in weeks))


def index_html(feeds: Sequence[SiteFeed], latest: Sequence[Listed], config: Config,
               digest: DigestLinks | None) -> bytes:
    """Return the index page: every feed with autodiscovery links, the newest entries, the digests."""
    text = templating.render(config, "index.html.j2", site=config, feeds=feeds, latest=latest[:LATEST_ENTRIES],
                             digest=digest, opml=layout.OPML)
    return text.encode("utf-8")


def opml(feeds: Sequence[SiteFeed], modified: datetime | None, config: Config) -> bytes:
    """Return an OPML 2.0 list of every feed (Atom), categories grouped under one outline."""
    from email.utils import format_datetime  # here: a rebuild that keeps the site pages never needs it

    text = templating.render(config, "feeds.opml.j2", site=config, feeds=feeds,
                             modified=format_datetime(modified) if modified is not None else "")
    return text.encode("utf-8")


def stylesheet(config: Config) -> bytes:
    """Return the CSS stylesheet that shows an Atom or RSS feed as a page in a browser."""
    return templating.render(config, "feed.css.j2", site=config).encode("utf-8")


PATHS = (layout.INDEX, layout.OPML, layout.FEED_STYLESHEET)


def outputs(feeds: Sequence[tuple[Category | None, Sequence[Listed]]], chosen: Selection[Any], config: Config,
            digest_paths: Sequence[str] = (), key: bytes = b"") -> list[Output]:
    """Return index.html, feeds.opml and feed.css for the feeds (and digests) of a build.

    feeds: each feed's category (None: site-wide) and entries; key: what the files are
    written for (see key()).
    """
    described = site_feeds(feeds, config)
    site_wide = next((members for category, members in feeds if category is None), ())
    modified = max(map(chosen.updated, site_wide)) if site_wide else None
    return [
        Output(layout.INDEX, index_html(described, site_wide, config, digest_links(digest_paths)), key),
        Output(layout.OPML, opml(described, modified, config), key),
        Output(layout.FEED_STYLESHEET, stylesheet(config), key),
    ]


def key(feed_keys: Sequence[bytes], digest_paths: Sequence[str], context: str) -> bytes:
    """Return what the site pages depend on, hashed: every feed (by its key), the digests, the config."""
    h = hashlib.blake2b(f"site\0{chr(0).join(digest_paths)}\0{context}\0".encode(), digest_size=16)
    for k in feed_keys:
        h.update(k)
    return h.digest()


class _Site:
    """The kind: one job, the three site pages, made from records."""

    name = "site"

    def plan(self, build: Build, planned: Sequence[Job]) -> list[Job]:
        """Return the site pages' job: they list every planned feed and digest."""
        feed_jobs = [j for j in planned if j.kind == feeds_kind.KIND.name]
        digest_paths = tuple(p for j in planned if j.kind == "digest" for p in j.paths)
        return [Job(self.name, PATHS, key([j.key for j in feed_jobs], digest_paths, build.context),
                    detail=(tuple(j.detail[:2] for j in feed_jobs), digest_paths))]

    def make(self, job: Job, build: Build, rendered: Mapping[str, Rendered]) -> Made:  # noqa: ARG002 - the Kind protocol
        """Make index.html, feeds.opml and feed.css."""
        feeds, digest_paths = job.detail
        return Made(tuple(outputs(feeds, build.chosen, build.config, digest_paths, job.key)))


KIND = _Site()
