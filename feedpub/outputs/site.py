"""Output kind ``site``: the files around the feeds and pages.

feeds.opml lets a subscriber import every feed at once; feed.css makes an Atom or RSS feed
opened in a browser read as a page (CSS, not XSLT, which Chromium is removing); site.css
is the look of every HTML page; 404.html is what a server answers for a missing page;
sitemap.xml lists every page for search engines. The home page and the other listings are
kind ``lists``; the article pages, kind ``pages``. Everything here is made from catalogue
records alone: no body is rendered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import PurePosixPath
from typing import Any

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Category, Output, Rendered
from feedpub.outputs import feeds as feeds_kind
from feedpub.outputs import pages as pages_kind
from feedpub.outputs.protocol import EVERY, Build, Given, Inputs, Job, Made
from feedpub.records import Record
from feedpub.render import templating
from feedpub.select import Listed, Selection

LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
LATEST_DIGEST = "latest.html"


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


def opml(feeds: Sequence[SiteFeed], modified: datetime | None, config: Config) -> bytes:
    """Return an OPML 2.0 list of every feed (Atom), categories grouped under one outline."""
    text = templating.render(config, "feeds.opml.j2", site=config, feeds=feeds,
                             modified=format_datetime(modified) if modified is not None else "")
    return text.encode("utf-8")


def stylesheet(config: Config) -> bytes:
    """Return the CSS stylesheet that shows an Atom or RSS feed as a page in a browser."""
    return templating.render(config, "feed.css.j2", site=config).encode("utf-8")


PATHS = (layout.OPML, layout.FEED_STYLESHEET, layout.SITE_STYLESHEET, layout.NOT_FOUND)


def outputs(feeds: Sequence[tuple[Category | None, Sequence[Listed]]], chosen: Selection[Any],
            config: Config) -> list[Output]:
    """Return feeds.opml, feed.css, site.css and 404.html for the feeds of a build.

    feeds: each feed's category (None: site-wide) and entries; chosen: the values the build
    settled ('updated').
    """
    described = site_feeds(feeds, config)
    site_wide = next((members for category, members in feeds if category is None), ())
    modified = max(map(chosen.updated, site_wide)) if site_wide else None
    return [
        Output(layout.OPML, opml(described, modified, config)),
        Output(layout.FEED_STYLESHEET, stylesheet(config)),
        Output(layout.SITE_STYLESHEET, templating.render(config, "site.css.j2", site=config).encode("utf-8")),
        Output(layout.NOT_FOUND, templating.render(config, "404.html.j2", site=config).encode("utf-8")),
    ]


SITEMAP_MAX = 50_000  # URLs in one sitemap file (the sitemaps.org limit); more go to parts and an index


def sitemap_urls(categories: Sequence[str], pages: Sequence[Record], chosen: Selection[Any],
                 config: Config) -> list[tuple[str, str]]:
    """Return (URL, lastmod) of every page the site writes: home, categories, then articles, newest first.

    categories: the slugs of the category pages, sorted; pages: the records whose article
    pages the build writes, newest first; chosen: the 'updated' values the build settled.
    """
    urls = [(config.base_url, "")]
    urls += [(config.base_url + f"categories/{category}/", "") for category in categories]
    urls += zip((r.url for r in pages), chosen.updated_texts(pages), strict=True)
    return urls


def _xml_text(text: str) -> str:
    """Return text escaped for an XML element's content (&, < and >)."""
    return escape(text, quote=False)


def sitemaps(urls: Sequence[tuple[str, str]], config: Config) -> list[tuple[str, bytes]]:
    """Return sitemap.xml (and its parts sitemap-N.xml when there are more than SITEMAP_MAX URLs)."""
    def urlset(part: Sequence[tuple[str, str]]) -> bytes:
        rows = "".join(f"<url><loc>{_xml_text(u)}</loc>{f'<lastmod>{m}</lastmod>' if m else ''}</url>\n"
                       for u, m in part)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n').encode()

    if len(urls) <= SITEMAP_MAX:
        return [(layout.SITEMAP, urlset(urls))]
    parts = [urls[i:i + SITEMAP_MAX] for i in range(0, len(urls), SITEMAP_MAX)]
    files = [(f"sitemap-{n}.xml", urlset(part)) for n, part in enumerate(parts, 1)]
    index = "".join(f"<sitemap><loc>{_xml_text(config.base_url + name)}</loc></sitemap>\n" for name, _ in files)
    return [(layout.SITEMAP, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                              '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                              f'{index}</sitemapindex>\n').encode()), *files]


@dataclass(frozen=True)
class Files:
    """The site files to make: every feed (its category and entries), which the OPML lists."""

    feeds: tuple[tuple[Category | None, tuple[Record, ...]], ...]


@dataclass(frozen=True)
class Sitemap:
    """The sitemap to make: the category pages, the article pages (their URLs and last changes), how many files."""

    categories: tuple[str, ...]  # the slugs of the categories, sorted: each has its page
    pages: tuple[Record, ...]  # the records of the article pages the build writes, newest first
    parts: int


TEMPLATES = ("feeds.opml.j2", "feed.css.j2", "site.css.j2", "404.html.j2")


class _Site:
    """The kind: the site files (one job) and the sitemap (another), made from records."""

    name = "site"
    after = ("feeds", "pages")  # the OPML lists every feed; the sitemap every article page

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:
        """Return the site files' job (they list every planned feed) and the sitemap's."""
        categories = tuple(sorted({r.category.slug for r in build.chosen.published}))
        # the records whose article pages are planned (none with pages = false): whether an
        # entry has a page, and where, is worked out once a build, by kind pages
        pages = tuple(job.shows[0] for job in planned if job.kind == pages_kind.KIND.name)
        parts = -(-(1 + len(categories) + len(pages)) // SITEMAP_MAX)
        paths = (layout.SITEMAP, *(f"sitemap-{n}.xml" for n in range(1, parts + 1) if parts > 1))
        feeds = tuple((f.category, f.members) for f in feeds_kind.planned_feeds(planned))
        # the templates are given the whole configuration
        return [Job(self.name, PATHS, Files(feeds), Inputs(EVERY, templates=TEMPLATES)),
                Job(self.name, paths, Sitemap(categories, pages, parts), Inputs(("base_url",)))]

    def make(self, job: Job[Files | Sitemap], given: Given, rendered: Mapping[str, Rendered]) -> Made:  # noqa: ARG002 - the Kind protocol
        """Make the site files, or the sitemap."""
        p = job.plan
        if isinstance(p, Sitemap):
            urls = sitemap_urls(p.categories, p.pages, given.settled, given.config)
            return Made(tuple(Output(name, data) for name, data in sitemaps(urls, given.config)))
        return Made(tuple(outputs(p.feeds, given.settled, given.config)))


KIND = _Site()
