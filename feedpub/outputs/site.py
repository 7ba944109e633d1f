"""Stage 5 — site: the pages around the feeds (index.html, feeds.opml, feed.css) as Outputs.

index.html lists every feed with autodiscovery ``<link rel="alternate">`` tags, feeds.opml
lets a subscriber import them all at once, and feed.css makes an Atom or RSS feed opened in
a browser read as a page (CSS, not XSLT, which Chromium is removing). The digest stage is
separate: its output paths come in as ``digest_paths`` so this module never imports it (an
empty list means no digest section).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from feedpub import layout, write
from feedpub.config import Config
from feedpub.model import Output
from feedpub.outputs.atom_rss import FeedSpec
from feedpub.render import templating

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


def site_feeds(feed_specs: Sequence[FeedSpec], config: Config) -> list[SiteFeed]:
    """Describe each feed for the site pages: the site-wide one first, then categories."""
    result = []
    for spec in sorted(feed_specs, key=lambda s: (s.folder != "", s.folder)):
        paths = layout.FeedPaths(spec.folder)
        category = spec.entries[0].entry.category if spec.folder and spec.entries else None
        links = tuple(
            FeedLink(kind, LABELS[kind], layout.MEDIA_TYPES[kind], paths.path(kind), paths.url(kind, config))
            for kind in ("atom", "rss", "json")
        )
        result.append(SiteFeed(
            name=category.name if category else "All articles",
            title=spec.title,
            category=category.slug if category else "",
            count=len(spec.entries),
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


def index_html(feeds: Sequence[SiteFeed], site_wide: FeedSpec | None, config: Config,
               digest: DigestLinks | None) -> bytes:
    """Return the index page: every feed with autodiscovery links, the newest entries, the digests."""
    latest = [r.entry for r in site_wide.entries[:LATEST_ENTRIES]] if site_wide else []
    text = templating.render(config, "index.html.j2", site=config, feeds=feeds, latest=latest,
                             digest=digest, opml=layout.OPML)
    return text.encode("utf-8")


def opml(feeds: Sequence[SiteFeed], site_wide: FeedSpec | None, config: Config) -> bytes:
    """Return an OPML 2.0 list of every feed (Atom), categories grouped under one outline."""
    from email.utils import format_datetime  # here: a rebuild that keeps the site pages never needs it

    modified = format_datetime(site_wide.updated) if site_wide and site_wide.entries else ""
    text = templating.render(config, "feeds.opml.j2", site=config, feeds=feeds, modified=modified)
    return text.encode("utf-8")


def stylesheet(config: Config) -> bytes:
    """Return the CSS stylesheet that shows an Atom or RSS feed as a page in a browser."""
    return templating.render(config, "feed.css.j2", site=config).encode("utf-8")


PATHS = (layout.INDEX, layout.OPML, layout.FEED_STYLESHEET)


def outputs(feed_specs: Sequence[FeedSpec], config: Config, digest_paths: Sequence[str] = (),
            key: bytes = b"") -> list[Output]:
    """Return index.html, feeds.opml and feed.css for the feeds (and digests) of a build.

    key: what the files are written for (see key()).
    """
    feeds = site_feeds(feed_specs, config)
    site_wide = next((s for s in feed_specs if s.folder == ""), None)
    return [
        Output(layout.INDEX, index_html(feeds, site_wide, config, digest_links(digest_paths)), key),
        Output(layout.OPML, opml(feeds, site_wide, config), key),
        Output(layout.FEED_STYLESHEET, stylesheet(config), key),
    ]


def key(feed_keys: Sequence[bytes], digest_paths: Sequence[str], context: str) -> bytes:
    """Return what the site pages depend on, hashed: every feed (by its key), the digests, the config."""
    h = hashlib.blake2b(f"site\0{chr(0).join(digest_paths)}\0{context}\0".encode(), digest_size=16)
    for k in feed_keys:
        h.update(k)
    return h.digest()


def held(key: bytes, previous: write.Previous) -> bool:
    """Whether the output folder holds the site pages as written for key."""
    return previous.holds_all(PATHS, key)
