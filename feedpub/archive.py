"""Stage 4b — archive: the whole history as RFC 5005 §4 archived feed pages (Atom).

The site's entries, oldest first, are cut into pages of ``archive_page_size``; only complete
pages are written (``archive/atom/1.xml`` holds the oldest), so a page's entries do not move
while new articles arrive and its file is not rewritten. Each page carries ``fh:archive``
and ``prev-archive`` / ``next-archive`` / ``current`` links; the current site-wide feed links
``prev-archive`` to the newest page. The entries newer than the last complete page are fewer
than a page, and a page holds at most ``feed_limit`` entries, so they are all in the current
feed: walking current → prev-archive → … reaches every entry.

Pages list each entry's metadata and its own summary, not its rendered body: rendering every
article of a large archive would cost more than the rest of the build, and a reader follows
the entry's link for the article. Only the site-wide feed is archived; every archived entry
names its category. Written with the standard library: a page is a flat list of entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feedpub import cache, layout
from feedpub.config import Config
from feedpub.model import Entry, Output

FH_NS = "http://purl.org/syndication/history/1.0"
GENERATOR_URI = "https://pypi.org/project/feedpub/"


@dataclass(frozen=True)
class Page:
    """One archive page: its number (1 = oldest) and its entries, newest first."""

    number: int
    entries: tuple[Entry, ...]


def pages(entries: Sequence[Entry], config: Config) -> list[Page]:
    """Cut the published entries (newest first) into complete archive pages, oldest page first."""
    size = config.page_size
    if size <= 0:
        return []
    oldest_first = entries[::-1]
    full = len(oldest_first) // size
    return [Page(k + 1, tuple(oldest_first[k * size : (k + 1) * size][::-1])) for k in range(full)]


def newest_page_url(archive: Sequence[Page], config: Config) -> str | None:
    """Return the URL the current feed's prev-archive link points to (None: no archive yet)."""
    return layout.archive_url(archive[-1].number, config) if archive else None


def escape(text: str) -> str:
    """Escape text for XML character data (str.replace: the archive escapes every field)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """Return text as a double-quoted XML attribute value."""
    text = escape(text).replace('"', "&quot;")
    if "\n" in text or "\r" in text or "\t" in text:  # attribute normalisation would eat them
        text = text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return f'"{text}"'


def _time(d: datetime) -> str:
    return d.isoformat()


def _link(href: str, rel: str, kind: str | None = None) -> str:
    t = f" type={quoteattr(kind)}" if kind else ""
    return f"  <link href={quoteattr(href)} rel={quoteattr(rel)}{t}/>\n"


def _entry(e: Entry) -> str:
    parts = [
        "  <entry>\n",
        f"    <id>{escape(e.id)}</id>\n",
        f"    <title>{escape(e.title)}</title>\n",
        f"    <updated>{_time(e.updated)}</updated>\n",
        f'    <link href={quoteattr(e.url)} rel="alternate" type="text/html"/>\n',
    ]
    if e.image is not None:
        parts.append(
            f'    <link href={quoteattr(e.image.url)} rel="enclosure" type={quoteattr(e.image.mime_type)}/>\n'
        )
    parts.append(f"    <published>{_time(e.date)}</published>\n")
    name = e.author or e.source
    if name:
        parts.append(f"    <author>\n      <name>{escape(name)}</name>\n    </author>\n")
    parts.append(f"    <category term={quoteattr(e.category.slug)} label={quoteattr(e.category.name)}/>\n")
    parts.extend(f"    <category term={quoteattr(tag)}/>\n" for tag in e.tags)
    if e.summary:
        parts.append(f"    <summary>{escape(e.summary)}</summary>\n")
    parts.append("  </entry>\n")
    return "".join(parts)


def atom_page(page: Page, last: int, config: Config) -> bytes:
    """Return the Atom archive document of one page (last = number of the newest page)."""
    current = layout.feed_paths(None)
    email = f"    <email>{escape(config.author_email)}</email>\n" if config.author_email else ""
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="{FH_NS}" '
        f"xml:lang={quoteattr(config.language)}>\n",
        # the same logical feed as the current one, so the same id
        f"  <id>{escape(current.url('atom', config))}</id>\n",
        f"  <title>{escape(config.title)} — archive {page.number}</title>\n",
        f"  <updated>{_time(max(e.updated for e in page.entries))}</updated>\n",
        f"  <author>\n    <name>{escape(config.author_name)}</name>\n{email}  </author>\n",
        _link(config.base_url, "alternate", "text/html"),
        _link(layout.archive_url(page.number, config), "self", layout.MEDIA_TYPES["atom"]),
        _link(current.url("atom", config), "current", layout.MEDIA_TYPES["atom"]),
    ]
    if page.number > 1:
        head.append(
            _link(layout.archive_url(page.number - 1, config), "prev-archive", layout.MEDIA_TYPES["atom"])
        )
    if page.number < last:
        head.append(
            _link(layout.archive_url(page.number + 1, config), "next-archive", layout.MEDIA_TYPES["atom"])
        )
    head.append(f'  <generator uri="{GENERATOR_URI}">feedpub</generator>\n')
    head.append("  <fh:archive/>\n")
    body = [_entry(e) for e in page.entries]
    return ("".join(head) + "".join(body) + "</feed>\n").encode("utf-8")


def _page_key(page: Page, last: int, store: cache.BuildCache) -> bytes | None:
    """Return what a page's bytes depend on, hashed (config and code: the cache's context)."""
    h = hashlib.blake2b(f"{page.number}/{last}".encode(), digest_size=16)
    for e in page.entries:
        fingerprint = store.fingerprints.get(e.rel)
        if fingerprint is None:
            return None  # an entry the cache does not know: build the page
        h.update(fingerprint)
        h.update(e.category.name.encode() + b"\0")  # settled for the whole build, not per row
        # so is 'updated': select.distinct_updated moves it when another entry comes to share it
        h.update(_time(e.updated).encode() + b"\0")
    return h.digest()


def outputs(archive: Sequence[Page], config: Config, store: cache.BuildCache | None = None) -> list[Output]:
    """Serialise every archive page; pages whose entries did not change come from the cache.

    In one process: a pool was measured slower here (forking a process that holds a large
    archive, then pickling every page back, costs more than building the pages).
    """
    last = archive[-1].number if archive else 0
    keys: dict[int, bytes] = {}
    if store is not None and store.enabled:
        keys = {p.number: k for p in archive if (k := _page_key(p, last, store)) is not None}
    known = store.pages(keys) if store is not None else {}
    result, fresh = [], {}
    for p in archive:
        data = known.get(p.number)
        if data is None:
            data = atom_page(p, last, config)
            if p.number in keys:
                fresh[p.number] = (keys[p.number], data)
        result.append(Output(layout.archive_path(p.number), data))
    if store is not None:
        store.save_pages(fresh, last)
    return result
