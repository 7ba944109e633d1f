"""One mapping of an entry onto Atom, RSS and JSON Feed, so that every reader shows the same entry.

The README's "What each format says" table is this module in words. The three writers
(:mod:`atom_rss`, :mod:`jsonfeed`, :mod:`archive`) ask it for the values they differ on most
easily: who wrote an entry, which categories it is in, its dates at one precision, and the
size of its image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Category, Entry, Image


@dataclass(frozen=True)
class Author:
    """A person an entry names: a name always, a web page and an e-mail address when known."""

    name: str
    uri: str = ""
    email: str = ""


@dataclass(frozen=True)
class Term:
    """A category as every format writes it: the name people read, and the scheme it is from."""

    name: str
    scheme: str = ""  # the category's own folder of feeds for the entry's category, "" for a tag


# "[Jane Doe](https://example.com/jane)", the whole text
_MD_LINK = re.compile(r"\[([^\[\]]+)\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# "Jane Doe <jane@example.com>" or "<jane@example.com>"
_NAME_ADDR = re.compile(r"(.*?)\s*<([^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)>")
_EMAIL = re.compile(r"[^<>@\s()]+@[^<>@\s()]+\.[^<>@\s()]+")


def parse_author(text: str) -> Author:
    """Return the person a document's author text names, Markdown links and addresses taken apart.

    ``[Jane Doe](https://example.com/jane)`` is Jane Doe with that page, ``Jane Doe
    <jane@example.com>`` Jane Doe with that address; other links inside the text keep only
    their words (a reader shows the name as text in every format).
    """
    text = text.strip()
    whole = _MD_LINK.fullmatch(text)
    if whole and whole.group(2).lower().startswith(("http://", "https://")):
        return Author(whole.group(1).strip(), uri=whole.group(2))
    if whole and whole.group(2).lower().startswith("mailto:") and _EMAIL.fullmatch(whole.group(2)[7:]):
        return Author(whole.group(1).strip(), email=whole.group(2)[7:])
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    addr = _NAME_ADDR.fullmatch(text)
    if addr:
        return Author(addr.group(1).strip() or addr.group(2), email=addr.group(2))
    if _EMAIL.fullmatch(text):
        return Author(text, email=text)
    return Author(text)


def authors_of(entry: Entry) -> tuple[Author, ...]:
    """Return who wrote an entry, in order: its author, else the source it came from, else nobody.

    The one place the outputs read an entry's people (entries will carry a tuple of authors:
    then this returns that tuple).
    """
    text = entry.author or entry.source
    return (parse_author(text),) if text else ()


def rss_people(authors: tuple[Author, ...]) -> tuple[str, tuple[str, ...]]:
    """Return an RSS item's ``<author>`` text ("" for none) and its ``dc:creator`` names.

    RSS ``<author>`` holds an e-mail address (the W3C validator warns on a bare name) and
    appears once; ``dc:creator`` holds a name. One author with an address goes in
    ``<author>`` as ``jane@example.com (Jane Doe)``; otherwise every author is a
    ``dc:creator``. Never both: the validator warns about an item with both
    (DuplicateItemSemantics), and readers show one or the other.
    """
    if len(authors) == 1 and authors[0].email:
        a = authors[0]
        return f"{a.email} ({a.name})", ()
    return "", tuple(a.name for a in authors)


def category_scheme(slug: str, base_url: str) -> str:
    """Return the scheme of an entry's category: the folder of that category's feeds."""
    return base_url + layout.feed_paths(Category(slug, slug)).folder


def terms_of(entry: Entry, config: Config) -> tuple[Term, ...]:
    """Return an entry's categories: its category under its display name, then its tags.

    Every format writes the display name as the category's text (Atom ``term``, RSS
    ``<category>``, a JSON Feed tag): readers show that text, and an Atom ``term`` that is
    the slug would show ``go-brand`` where RSS shows ``Go Brand``.
    """
    first = Term(entry.category.name, category_scheme(entry.category.slug, config.base_url))
    return (first, *(Term(tag) for tag in entry.tags))


def seconds(d: datetime) -> datetime:
    """Return a date at whole seconds: every format writes its dates at that precision."""
    return d.replace(microsecond=0) if d.microsecond else d


def iso(d: datetime) -> str:
    """Return a date as RFC 3339 at whole seconds (Atom and JSON Feed)."""
    return d.isoformat(timespec="seconds")


def local_file(url: str, config: Config) -> Path | None:
    """Return the file in the source folder that an image URL on the site names (None: not one)."""
    base = config.base_url
    parts = urlsplit(url)
    candidates = []
    if url.startswith(base):
        candidates.append(unquote(urlsplit(url[len(base):]).path))
    if parts.netloc == urlsplit(base).netloc:
        candidates.append(unquote(parts.path).lstrip("/"))
    root = config.source.resolve()
    for rel in candidates:
        if not rel or rel.endswith("/"):
            continue
        path = (root / rel).resolve()
        if path.is_relative_to(root) and path.is_file():
            return path
    return None


def enclosure_length(image: Image, config: Config) -> int | None:
    """Return the size in bytes of an image that is a file in the source folder (None: unknown).

    An RSS enclosure needs a positive length (the W3C validator rejects 0); a remote image's
    size is not known without fetching it, which a build never does, so such an image goes
    out as media:content, an Atom enclosure link and a JSON Feed image, which need none.
    """
    path = local_file(image.url, config)
    if path is None:
        return None
    size = path.stat().st_size
    return size or None
