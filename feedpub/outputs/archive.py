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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from operator import attrgetter
from typing import Any, Generic, TypeVar

from feedpub import layout, select, write
from feedpub.config import Config
from feedpub.incremental.catalogue import Record
from feedpub.model import Entry, Kept, Output
from feedpub.outputs import mapping
from feedpub.select import Listed

FH_NS = "http://purl.org/syndication/history/1.0"
GENERATOR_URI = "https://pypi.org/project/feedpub/"


L = TypeVar("L", bound=Listed)


@dataclass(frozen=True)
class Page(Generic[L]):
    """One archive page: its number (1 = oldest) and its entries (or records), newest first."""

    number: int
    entries: tuple[L, ...]


def pages(entries: Sequence[L], config: Config) -> list[Page[L]]:
    """Cut the published entries (newest first) into complete archive pages, oldest page first."""
    size = config.page_size
    if size <= 0:
        return []
    oldest_first = entries[::-1]
    full = len(oldest_first) // size
    return [Page(k + 1, tuple(oldest_first[k * size : (k + 1) * size][::-1])) for k in range(full)]


def newest_page_url(archive: Sequence[Page[Any]], config: Config) -> str | None:
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


def _link(href: str, rel: str, kind: str | None = None) -> str:
    t = f" type={quoteattr(kind)}" if kind else ""
    return f"  <link href={quoteattr(href)} rel={quoteattr(rel)}{t}/>\n"


Parts = str
"""An entry's <entry> element, but for what the build settles for all entries at once.

Made where its document is read (in a worker, while the whole archive is read), so that a
page is a join of strings: the element is ``head + <updated> + middle + <category> + tail``,
the updated time being ``updated``, or ``updated_tied`` when the build finds other entries
at the same instant (select.tied_instants), and the category line naming the category's
settled name. Those six (head, updated, updated_tied, middle, tail, slug) are kept as one
string, joined by NUL (which no XML text holds): a 50,000-entry archive holds them all for
a while, and one string each takes ~17 MB less, and crosses from a worker faster, than six.
"""


def parts(e: Entry, config: Config, summary: str, micros: int | None = None) -> Parts:
    """Return the parts of e's <entry> element (see Parts); summary: its text (content.lead_summary).

    micros: e.micros, if known already.
    """
    image = e.image
    enclosure = ""
    if image is not None:
        length = mapping.enclosure_length(image, config)
        size = f' length="{length}"' if length else ""
        enclosure = f'    <link href={quoteattr(image.url)} rel="enclosure" type={quoteattr(image.mime_type)}{size}/>\n'
    people = "".join([_person(a) for a in mapping.authors_of(e)])
    tags = "".join([_tag_line(tag) for tag in e.tags])
    text = _text_element("summary", summary) if summary else ""
    at = mapping.seconds(e.updated)
    updated = mapping.iso(at)
    # a tie is moved apart by whole seconds (select.tied_instants), so every format shows
    # the same second
    tied = mapping.iso(at + timedelta(microseconds=e.micros if micros is None else micros))
    return (
        f"  <entry>\n    <id>{escape(e.id)}</id>\n{_text_element('title', e.title)}    <updated>\0"
        f"{updated}\0{tied}\0</updated>\n"
        f'    <link href={quoteattr(e.url)} rel="alternate" type="text/html"/>\n{enclosure}'
        f"    <published>{mapping.iso(mapping.seconds(e.date))}</published>\n{people}\0"
        f"{tags}{text}  </entry>\n\0{e.category.slug}"
    )


def _text_element(name: str, text: str) -> str:
    """Return an Atom text construct: text that looks like markup is declared escaped HTML.

    As in the current feeds (atom_rss._text_construct): text that looks like HTML in
    type="text" makes the W3C validator warn ContainsUndeclaredHTML (mapping.looks_like_html);
    escaped HTML shows the same characters.
    """
    if mapping.looks_like_html(text):
        return f'    <{name} type="html">{escape(escape(text))}</{name}>\n'
    return f"    <{name}>{escape(text)}</{name}>\n"


def _person(a: mapping.Author) -> str:
    email = f"      <email>{escape(a.email)}</email>\n" if a.email else ""
    uri = f"      <uri>{escape(a.uri)}</uri>\n" if a.uri else ""
    return f"    <author>\n      <name>{escape(a.name)}</name>\n{email}{uri}    </author>\n"


@functools.lru_cache(maxsize=4096)
def _tag_line(tag: str) -> str:
    return f"    <category term={quoteattr(tag)}/>\n"


@functools.lru_cache(maxsize=256)
def _category_line(name: str, scheme: str) -> str:
    return f"    <category term={quoteattr(name)} scheme={quoteattr(scheme)}/>\n"


def _head(number: int, last: int, updated: str, config: Config) -> str:
    current = layout.feed_paths(None)
    email = f"    <email>{escape(config.author_email)}</email>\n" if config.author_email else ""
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="{FH_NS}" '
        f"xml:lang={quoteattr(config.language)}>\n",
        # the same logical feed as the current one, so the same id
        f"  <id>{escape(current.url('atom', config))}</id>\n",
        f"  <title>{escape(config.title)} — archive {number}</title>\n",
        f"  <updated>{updated}</updated>\n",
        f"  <author>\n    <name>{escape(config.author_name)}</name>\n{email}  </author>\n",
        _link(config.base_url, "alternate", "text/html"),
        _link(layout.archive_url(number, config), "self", layout.MEDIA_TYPES["atom"]),
        _link(current.url("atom", config), "current", layout.MEDIA_TYPES["atom"]),
    ]
    if number > 1:
        head.append(_link(layout.archive_url(number - 1, config), "prev-archive", layout.MEDIA_TYPES["atom"]))
    if number < last:
        head.append(_link(layout.archive_url(number + 1, config), "next-archive", layout.MEDIA_TYPES["atom"]))
    head.append(f'  <generator uri="{GENERATOR_URI}">feedpub</generator>\n')
    head.append("  <fh:archive/>\n")
    return "".join(head)


def assemble(page: Page[L], last: int, config: Config, chosen: select.Selection[Any],
             parts_of: Mapping[str, Parts]) -> bytes:
    """Return the Atom archive document of one page from its entries' parts, values settled by chosen."""
    # a 50,000-entry archive runs this loop 50,000 times: locals, and one category line per slug
    tied, names, lines = chosen.tied, chosen.names, _category_lines(chosen.names, config)
    body = []
    newest, latest = page.entries[0], None  # the newest settled 'updated': the first of equal ones
    for e in page.entries:
        head, updated, updated_tied, middle, tail, slug = parts_of[e.rel].split("\0")
        at = e.updated_instant
        if at in tied:
            updated = updated_tied
            at += e.micros
        if latest is None or at > latest:
            newest, latest = e, at
        line = lines.get(slug) or _category_line(names.get(slug, e.category.name),
                                                 mapping.category_scheme(slug, config.base_url))
        body.append(f"{head}{updated}{middle}{line}{tail}")
    updated = mapping.iso(mapping.seconds(chosen.updated(newest)))
    return (_head(page.number, last, updated, config) + "".join(body) + "</feed>\n").encode("utf-8")


@functools.lru_cache(maxsize=16)
def _category_lines_of(names: tuple[tuple[str, str], ...], base_url: str) -> dict[str, str]:
    return {slug: _category_line(name, mapping.category_scheme(slug, base_url)) for slug, name in names}


def _category_lines(names: Mapping[str, str], config: Config) -> dict[str, str]:
    """Return each slug's category line under its settled name (made once per build)."""
    return _category_lines_of(tuple(names.items()), config.base_url)


def page_key(page: Page[L], last: int, chosen: select.Selection[Any], context: str,
             fingerprints: Callable[[L], bytes]) -> bytes:
    """Return what a page's bytes depend on, hashed: its place, its entries and the cache context."""
    h = hashlib.blake2b(f"page {page.number}/{last}\0{context}\0".encode(), digest_size=16)
    h.update(chosen.tokens(page.entries, [fingerprints(e) for e in page.entries]))
    return h.digest()


def start(archive: Sequence[Page[Record]], config: Config, chosen: select.Selection[Record], context: str,
          kept: write.Previous, fresh: dict[str, Parts],
          read: Callable[[Sequence[Record]], Mapping[str, Parts]]) -> Iterator[Output | Kept]:
    """Yield every archive page: kept where the output folder already holds it, else made.

    A page is made from the parts of its entries' elements: from this build's reading where
    it read the document (fresh, which this consumes), else from reading it again (``read``,
    in a pool when many). Pages are made one at a time as they are asked for: a writer that
    writes each at once never holds the archive's pages all together.
    """
    last = archive[-1].number if archive else 0
    todo: list[tuple[str, Page[Record], bytes]] = []
    for page in archive:
        path = layout.archive_path(page.number)
        key = page_key(page, last, chosen, context, _FINGERPRINT)
        if kept.holds(path, key):
            yield Kept(path, key)
        else:
            todo.append((path, page, key))
    missing = [e for _path, page, _key in todo for e in page.entries if e.rel not in fresh]
    more = read(missing) if missing else {}
    parts_of = fresh
    parts_of.update(more)
    for path, page, key in todo:
        made = assemble(page, last, config, chosen, parts_of)
        for e in page.entries:  # joined: dropped, so that pages and parts are never all held at once
            del parts_of[e.rel]
        yield Output(path, made, key)


_FINGERPRINT = attrgetter("fingerprint")
