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

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feedpub import cache, layout, workers
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
    if "&" in text or "<" in text or ">" in text:  # most fields hold none: three scans, no copies
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


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


def _entry(e: Entry, shared: dict[object, str]) -> str:
    """Return the <entry> element of e; shared memoises the lines many entries repeat."""
    # One f-string per entry and memoised category/tag lines: a 50,000-entry archive calls
    # this 50,000 times, and per-field helper calls were most of the stage's time.
    c = e.category
    category = shared.get((c.slug, c.name))  # not the Category itself: its dataclass hash is slow
    if category is None:
        category = shared[c.slug, c.name] = f"    <category term={quoteattr(c.slug)} label={quoteattr(c.name)}/>\n"
    tags = ""
    for tag in e.tags:
        line = shared.get(tag)
        if line is None:
            line = shared[tag] = f"    <category term={quoteattr(tag)}/>\n"
        tags += line
    image = e.image
    enclosure = (
        f'    <link href={quoteattr(image.url)} rel="enclosure" type={quoteattr(image.mime_type)}/>\n'
        if image is not None else ""
    )
    name = e.author or e.source
    author = f"    <author>\n      <name>{escape(name)}</name>\n    </author>\n" if name else ""
    summary = f"    <summary>{escape(e.summary)}</summary>\n" if e.summary else ""
    return (
        f"  <entry>\n    <id>{escape(e.id)}</id>\n    <title>{escape(e.title)}</title>\n"
        f"    <updated>{e.updated.isoformat()}</updated>\n"
        f'    <link href={quoteattr(e.url)} rel="alternate" type="text/html"/>\n{enclosure}'
        f"    <published>{e.date.isoformat()}</published>\n{author}{category}{tags}{summary}  </entry>\n"
    )


def atom_page(page: Page, last: int, config: Config, shared: dict[object, str] | None = None) -> bytes:
    """Return the Atom archive document of one page (last = number of the newest page).

    shared, when given, memoises category and tag lines across the pages of one build.
    """
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
    shared = {} if shared is None else shared
    body = [_entry(e, shared) for e in page.entries]
    return ("".join(head) + "".join(body) + "</feed>\n").encode("utf-8")


def _page_key(page: Page, last: int, store: cache.BuildCache) -> bytes | None:
    """Return what a page's bytes depend on, hashed (config and code: the cache's context)."""
    fingerprints = store.fingerprints
    try:  # row checksums have one length: joined, they cannot run into each other
        prints = b"".join([fingerprints[e.rel] for e in page.entries])
    except KeyError:
        return None  # an entry the cache does not know: build the page
    # the category name and 'updated' are settled for the whole build, not per row
    # (select.distinct_updated moves 'updated' when another entry comes to share it);
    # 'updated' by its pickled state (every field and fold, ten bytes) and its UTC offset:
    # all its isoformat shows, whatever the tzinfo's class, at a third of the cost
    times = b"".join([_state(e.updated) for e in page.entries])
    settled = "\0".join([f"{e.category.name}\0{e.updated.utcoffset()}" for e in page.entries])
    head = f"{page.number}/{last}\0".encode()
    return hashlib.blake2b(head + prints + times + settled.encode(), digest_size=16).digest()


def _state(d: datetime) -> bytes:
    """Return the ten bytes a datetime pickles its fields and fold as (protocol 4), without its zone."""
    state: bytes = d.__reduce_ex__(4)[1][0]  # type: ignore[assignment]
    return state


PARALLEL_PAGES = 40  # below this many pages to make, forking costs more than it saves
PAGES_PER_PROCESS = 250  # a process more only for this many pages more: each costs ~30 ms to fork and end
# A process that reads an entry writes its reference count, which copies the memory page
# the entry shares with a forked process: ~2.6 KB per entry (50,000 entries: +130 MB, past
# the memory budget). So larger archives are made here, and at once: no child is alive yet.
MAX_FORKED_ENTRIES = 20_000


def _make(todo: Sequence[Page], last: int, config: Config) -> list[bytes]:
    shared: dict[object, str] = {}
    return [atom_page(p, last, config, shared) for p in todo]


def start(archive: Sequence[Page], config: Config,
          store: cache.BuildCache | None = None) -> workers.Later[list[Output]]:
    """Begin serialising every archive page; pages whose entries did not change come from the cache.

    The pages to make are made in forked processes (up to one per worker) that run while
    the build renders and writes feeds, or, for a large archive, here and now (see
    MAX_FORKED_ENTRIES); .result() returns them in page order and stores them in the cache.
    A page depends only on its own entries, so where it is made changes no byte.
    """
    last = archive[-1].number if archive else 0
    keys: dict[int, bytes] = {}
    if store is not None and store.enabled:
        keys = {p.number: k for p in archive if (k := _page_key(p, last, store)) is not None}
    known = store.pages(keys) if store is not None else {}
    todo = [p for p in archive if p.number not in known]
    touched = sum(len(p.entries) for p in todo)
    background = len(todo) >= PARALLEL_PAGES and touched <= MAX_FORKED_ENTRIES and workers.count(config.workers) > 1
    n = min(workers.count(config.workers), -(-len(todo) // PAGES_PER_PROCESS)) if background else 1
    size = -(-len(todo) // n) if todo else 0
    parts = [
        workers.start(functools.partial(_make, todo[i : i + size], last, config), background=background)
        for i in range(0, len(todo), size or 1)
    ]
    if not background:
        for part in parts:
            part.result()  # now, before the build forks render workers and the digest's child

    def finish(made: list[list[bytes]]) -> list[Output]:
        fresh = dict(zip((p.number for p in todo), (data for part in made for data in part), strict=True))
        if store is not None:
            store.save_pages({k: (keys[k], data) for k, data in fresh.items() if k in keys}, last)
        return [Output(layout.archive_path(p.number), known.get(p.number) or fresh[p.number]) for p in archive]

    return workers.Combined(parts, finish)


def outputs(archive: Sequence[Page], config: Config, store: cache.BuildCache | None = None) -> list[Output]:
    """Serialise every archive page; pages whose entries did not change come from the cache."""
    return start(archive, config, store).result()
