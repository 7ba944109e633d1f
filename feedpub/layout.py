"""Where each output lives inside dist/ and at which URL: one place for every path rule."""

from __future__ import annotations

from dataclasses import dataclass

from feedpub.config import Config
from feedpub.model import Category

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
