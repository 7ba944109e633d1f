"""Where each output lives inside dist/ and at which URL: one place for every path rule."""

from __future__ import annotations

import os.path
from dataclasses import dataclass
from urllib.parse import unquote

from feedpub.config import Config
from feedpub.model import Category
from feedpub.slug import distinct_slug

FEED_FILES = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}
FEED_STYLESHEET = "feed.css"
INDEX = "index.html"
OPML = "feeds.opml"


@dataclass(frozen=True)
class FeedPaths:
    """The three files of one feed (site-wide when category is None)."""

    folder: str  # "" for the site, "categories/<slug>/" for a category

    def path(self, kind: str) -> str:
        """Return the output path of the feed of this kind ('atom', 'rss', 'json')."""
        return self.folder + FEED_FILES[kind]

    def url(self, kind: str, config: Config) -> str:
        """Return the absolute URL of the feed of this kind."""
        return config.base_url + self.path(kind)


def feed_paths(category: Category | None) -> FeedPaths:
    """Return where the feeds of a category (or of the whole site, for None) go."""
    return FeedPaths("" if category is None else f"categories/{category.slug}/")


def relative_to_root(folder: str, name: str) -> str:
    """Return the path of root file name as seen from a file in folder ("categories/x/" -> "../../name").

    Relative, not absolute: an absolute base_url would load the live site's stylesheet into a
    preview server's feed, and a root path like "/feed.css" would miss a site published
    under a sub-path (https://host/news/).
    """
    return "../" * folder.count("/") + name


ARCHIVE_FOLDER = "archive/atom/"  # RFC 5005 archive pages of the site-wide Atom feed


def archive_path(number: int) -> str:
    """Return the output path of archive page number (1 = oldest)."""
    return f"{ARCHIVE_FOLDER}{number}.xml"


def archive_url(number: int, config: Config) -> str:
    """Return the absolute URL of archive page number."""
    return config.base_url + archive_path(number)


# --- the pages of the site -----------------------------------------------------------------

SITE_STYLESHEET = "site.css"  # the look every HTML page shares
SITEMAP = "sitemap.xml"
NOT_FOUND = "404.html"
PAGE_FILE = "index.html"
# The files every build writes at the top of the output folder: no article page may be one,
# nor sit in a folder of that name.
ROOT_FILES = frozenset({INDEX, NOT_FOUND, SITEMAP, SITE_STYLESHEET, FEED_STYLESHEET, OPML, *FEED_FILES.values()})


def page_path(url: str, config: Config) -> str | None:
    """Return the output path of the page at url, or None when the page is not the site's to write.

    ``…/news/x/`` is ``news/x/index.html``, ``…/2024/x.html`` itself, ``…/posts/x`` (no
    extension) ``posts/x/index.html`` (servers answer ``/posts/x`` with that folder's
    index). A URL outside base_url lives elsewhere, and base_url itself is the home page.
    """
    if not url.startswith(config.base_url):
        return None
    rest = unquote(url[len(config.base_url):].partition("#")[0].partition("?")[0])
    if not rest or rest.startswith("/") or "\\" in rest:
        return None
    if rest.endswith("/"):
        return rest + PAGE_FILE
    # a page's own file when its last segment says so (a suffix of the path: no "/" in it)
    return rest if rest.lower().endswith((".html", ".htm")) else f"{rest}/{PAGE_FILE}"


def tag_folder(slug: str) -> str:
    """Return the folder of a tag's listing and feeds: "tags/<slug>/" (a category's: feed_paths)."""
    return f"tags/{slug}/"


def list_path(folder: str, number: int) -> str:
    """Return the output path of page number (1 = newest) of the listing in folder."""
    return f"{folder}{PAGE_FILE}" if number == 1 else f"{folder}page/{number}/{PAGE_FILE}"


def tag_slug(tag: str) -> str:
    """Return the slug of a tag's folder: its slug, with a short hash when letters have no ASCII form (天文)."""
    return distinct_slug(tag, "tag")


def href(from_path: str, to_path: str) -> str:
    """Return the relative link from the page at from_path to the file at to_path (both in out).

    Relative, so the site works under any base path and in ``feedpub serve``; a folder's
    ``index.html`` is linked as the folder (``../news/x/``).
    """
    target = to_path
    if target == PAGE_FILE or target.endswith("/" + PAGE_FILE):
        target = target[: -len(PAGE_FILE)]
    here = from_path[: from_path.rfind("/") + 1]  # its folder, "" at the top
    if not here or target[:1] != here[0]:  # no folder in common (most links of a page): up to the top
        return "../" * here.count("/") + target or "./"
    common = len(os.path.commonprefix((here, target)))  # noqa: RUF071 - by character, then back to a "/"
    common = here.rfind("/", 0, common) + 1  # (at least their first character is common: see above)
    up = here[common:].count("/")
    rel = "../" * up + target[common:]
    return rel or "./"
