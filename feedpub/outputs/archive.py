"""Output kind ``archive``: the whole history as RFC 5005 §4 archived feed pages (Atom).

The site's entries, oldest first, are cut into pages of ``archive_page_size``; only complete
pages are written (``archive/atom/1.xml`` holds the oldest), so a page's entries do not move
while new articles arrive and its file is not rewritten. Each page carries ``fh:archive``
and ``prev-archive`` / ``next-archive`` / ``current`` links; the current site-wide feed links
``prev-archive`` to the newest page. The entries newer than the last complete page are fewer
than a page, and a page holds at most ``feed_limit`` entries, so they are all in the current
feed: walking current → prev-archive → … reaches every entry.

Pages list each entry's metadata and its own summary, not its rendered body: rendering every
article of a large archive would cost more than the rest of the build, and a reader follows
the entry's link for the article. So a page is made from catalogue records alone. Only
the site-wide feed is archived; every archived entry names its category. Written with the
standard library: a page is a flat list of entries.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from feedpub import layout, select
from feedpub.config import Config
from feedpub.model import Author, Output, Rendered
from feedpub.outputs import mapping
from feedpub.outputs.protocol import Build, Given, Inputs, Job, Made, plans
from feedpub.records import Record
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


def entry_element(r: Record, updated: datetime, name: str, config: Config, sizes: Mapping[str, int]) -> str:
    """Return the <entry> element of a record: updated and its category name as the build settled them.

    The entry says what the current feeds say of it (feedpub.outputs.mapping): authors,
    categories by their shown name, whole seconds, a summary that is text unless it looks
    like markup.
    """
    image = r.image
    enclosure = ""
    if image is not None:
        length = mapping.enclosure_length(image, sizes)
        size = f' length="{length}"' if length else ""
        enclosure = f'    <link href={quoteattr(image.url)} rel="enclosure" type={quoteattr(image.mime_type)}{size}/>\n'
    people = "".join([_person(a) for a in mapping.authors_of(r)])
    tags = "".join([_tag_line(tag) for tag in r.tags])
    text = _text_element("summary", r.summary) if r.summary else ""
    return (
        f"  <entry>\n    <id>{escape(r.id)}</id>\n{_text_element('title', r.title)}"
        f"    <updated>{mapping.iso(mapping.seconds(updated))}</updated>\n"
        f'    <link href={quoteattr(r.url)} rel="alternate" type="text/html"/>\n{enclosure}'
        f"    <published>{mapping.iso(mapping.seconds(r.date))}</published>\n{people}"
        f"{_category_line(name, mapping.category_scheme(r.category.slug, config.base_url))}{tags}{text}"
        "  </entry>\n"
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


def _person(a: Author) -> str:
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


def assemble(page: Page[Record], last: int, config: Config, chosen: select.Selection[Any],
             sizes: Mapping[str, int]) -> bytes:
    """Return the Atom archive document of one page, values settled by chosen (sizes: see mapping.image_sizes)."""
    names = chosen.names
    body = []
    newest, latest = page.entries[0], None  # the newest settled 'updated': the first of equal ones
    for r in page.entries:
        updated = chosen.updated(r)
        at = r.updated_instant + (r.micros if r.updated_instant in chosen.tied else 0)
        if latest is None or at > latest:
            newest, latest = r, at
        body.append(entry_element(r, updated, names.get(r.category.slug, r.category.name), config, sizes))
    head = _head(page.number, last, mapping.iso(mapping.seconds(chosen.updated(newest))), config)
    return (head + "".join(body) + "</feed>\n").encode("utf-8")


@dataclass(frozen=True)
class Planned:
    """An archive page to make: the page, the number of the newest page, and its local images' sizes."""

    page: Page[Record]
    last: int
    image_sizes: tuple[tuple[str, int], ...]  # by URL (mapping.image_sizes)


SETTINGS = ("base_url", "title", "language", "author_email", "author_name")  # what a page's head and entries say


class _Archive:
    """The kind: one job per complete page, made from records alone (no body is rendered)."""

    name = "archive"
    after = ()

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:  # noqa: ARG002 - the Kind protocol
        """Return a job per complete archive page, oldest first."""
        archive = pages(build.chosen.published, build.config)
        last = archive[-1].number if archive else 0
        jobs: list[Job[Any]] = []
        for p in archive:
            files, sizes = mapping.image_sizes((r.image for r in p.entries), build.config, build.stat)
            jobs.append(Job(self.name, (layout.archive_path(p.number),), Planned(p, last, sizes),
                            Inputs(SETTINGS, files)))
        return jobs

    def make(self, job: Job[Planned], given: Given, rendered: Mapping[str, Rendered]) -> Made:  # noqa: ARG002 - the Kind protocol
        """Make one archive page."""
        p = job.plan
        return Made((Output(job.paths[0], assemble(p.page, p.last, given.config, given.settled,
                                                   dict(p.image_sizes))),))


KIND = _Archive()


def newest_page(planned: Sequence[Job[Any]], config: Config) -> str | None:
    """Return the URL of the newest archive page among planned jobs (the current feed links it)."""
    numbers = [p.page.number for p in plans(planned, Planned)]
    return layout.archive_url(max(numbers), config) if numbers else None
