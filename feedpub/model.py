"""The frozen values that flow between pipeline stages.

``SourceDoc`` (what a file says) → ``Entry`` (what it means: metadata only) → ``Rendered``
(an entry with its sanitized HTML, made only for entries that land in an output). What a
build keeps of every entry across builds is its projection, ``records.Record``.
A stage returns new values; it never fills in fields of old ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

EMPTY: Mapping[str, Any] = MappingProxyType({})
_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def instant_of(d: datetime) -> int:
    """Return an aware datetime as µs since the epoch (exact, unlike timestamp())."""
    return (d - _EPOCH) // _MICROSECOND


TIE_SECONDS = 3599  # a tie in 'updated' is moved 1 s to 59 min 59 s later (see select.tied_instants)


def stable_micros(key: str) -> int:
    """Return whole seconds (1-3,599) in µs from a hash of key: the same on every machine and build.

    Whole seconds: every format writes dates at that precision (RSS can hold no less).
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return (int.from_bytes(digest[:4], "big") % TIE_SECONDS + 1) * 1_000_000


def changed(value: _T, **fields: Any) -> _T:
    """Return a copy of a frozen model value with some fields changed (dataclasses.replace, faster).

    ``replace`` calls the generated ``__init__``, which sets every field through
    ``object.__setattr__``; a build of a large archive gives thousands of entries a new
    ``updated``, and that would be most of the stage's time (see docs/performance.md). The
    classes here have no ``__post_init__`` or ``InitVar``, so copying the fields gives the
    same value (same equality and hash).
    """
    known = value.__dataclass_fields__  # type: ignore[attr-defined]
    for name in fields:
        if name not in known:
            raise TypeError(f"{type(value).__name__} has no field {name!r}")
    copy = object.__new__(type(value))
    copy.__dict__.update(value.__dict__, **fields)
    return copy


def make(cls: type[_T], fields: dict[str, Any]) -> _T:
    """Make a frozen value from every one of its fields, as cls(**fields) does, without __init__.

    The generated __init__ of a frozen dataclass sets each field through object.__setattr__,
    a noticeable part of every document's normalise (see docs/performance.md), and every
    document of an archive is read on a cold build. Only for the classes of this
    project that have no __post_init__ or InitVar (SourceDoc, Entry, Body, Category, Image,
    Author, Trailer): for them the instance is the same (same fields, equality and hash; tests
    compare the two ways).
    """
    value = object.__new__(cls)
    value.__dict__.update(fields)
    return value


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one hostile document from costing unbounded time or memory."""

    max_document_bytes: int = 10 * 1024 * 1024
    max_front_matter_bytes: int = 64 * 1024
    max_nesting: int = 50  # of YAML collections; libyaml crashes on very deep flow nesting


@dataclass(frozen=True)
class SourceDoc:
    """A document as read from disk: front matter split from the body, nothing inferred."""

    path: Path  # absolute path on disk
    rel: str  # path relative to the source folder, POSIX separators: used in messages and URLs
    meta: Mapping[str, Any]  # front matter (read-only view); EMPTY when there is none
    meta_lines: Mapping[str, int]  # front matter key -> file line of that key
    body: str  # text after the front matter
    body_line: int  # file line on which ``body`` starts
    has_front_matter: bool
    mtime: float
    dialect: str = ""  # of the front matter: "yaml", "toml", "json", "headers"; "" when there is none


@dataclass(frozen=True, order=True)
class Image:
    """An image attached to an entry (becomes an enclosure / media:content / JSON image)."""

    url: str  # absolute, percent-encoded
    mime_type: str
    alt: str


@dataclass(frozen=True, order=True)
class Category:
    """A category: the slug names paths, the name is shown to people."""

    slug: str
    name: str


@dataclass(frozen=True, order=True)
class Author:
    """A person who wrote an entry: a name, and a web page and email address when the document gives them."""

    name: str
    uri: str = ""  # absolute http(s) URL, or ""
    email: str = ""
    # "Acme" of "[Jane Doe](…) (Acme)": shown beside the name on the article page; no feed format has a place for it
    affiliation: str = ""


@dataclass(frozen=True)
class Entry:
    """What a document means: every field a feed needs except the rendered body."""

    id: str
    url: str
    title: str
    title_source: str  # "front matter", "header block", "first line", "first sentence"
    date: datetime  # timezone-aware
    date_source: str  # "front matter", "Date: line", "filename", "path"/"permalink"/"url", "git", "mtime"
    updated: datetime  # timezone-aware, >= date unless the document says otherwise
    category: Category
    category_source: str  # "front matter", "folder", "default"
    summary: str  # plain text; "" when it must be derived from the body at render time
    source: str  # where the article came from ("GeneOnline"), or ""
    authors: tuple[Author, ...]  # named by the document, in its order
    tags: tuple[str, ...]
    image: Image | None
    rel: str  # source path relative to the source folder (for messages)
    fmt: str  # "markdown" or "text": how the body is turned into HTML
    draft: bool = False
    lines: Mapping[str, int] = field(default_factory=lambda: EMPTY, compare=False)  # field -> line, for messages
    expires: datetime | None = None  # not published from then on (Hugo's expiryDate)
    summary_source: str = ""  # "front matter", "divider" (text above <!--more-->), or "" (first paragraph)
    page_base: str = ""  # what relative links and images resolve against ("": the site's base_url)
    # the file line of a body that was template tags alone (a Pelican {% notebook %}), published
    # without text; 0 for any other body
    template_only: int = 0
    # what each link to another document in the body names, by its feedpub-ref:N (sources.xref):
    # the build puts each target's URL in
    refs: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[float, str]:
        """Newest first, ties broken by id so the order never depends on the file system."""
        return (-self.date.timestamp(), self.id)

    # What choosing entries asks of an entry and of a catalogue record alike (see select):
    # a record has these as fields, computed once when its document is read.
    @property
    def instant(self) -> int:
        """Return the date as µs since the epoch."""
        return instant_of(self.date)

    @property
    def updated_instant(self) -> int:
        """Return the last-modified date as µs since the epoch."""
        return instant_of(self.updated)

    @property
    def micros(self) -> int:
        """Return how far (µs) a tie in 'updated' moves this entry: from a hash of its id."""
        return stable_micros(self.id)

    def with_category(self, category: Category) -> Entry:
        """Return this entry under another spelling of its category."""
        return changed(self, category=category)


@dataclass(frozen=True)
class Rendered:
    """An entry with its body rendered and sanitized, ready for any output."""

    entry: Entry
    content_html: str  # sanitized, every URL absolute
    summary: str  # plain text, never empty unless the document has no text at all


@dataclass(frozen=True)
class Output:
    """One file of the build: a path inside dist/ and its bytes."""

    path: str  # POSIX, relative to the output folder, already checked to stay inside it
    data: bytes
    key: bytes = b""  # what its bytes depend on, hashed (b"": not known; compared by bytes)


@dataclass(frozen=True)
class Kept:
    """One file of the build that the output folder already holds, as the last build wrote it.

    Its key (everything its bytes depend on, hashed) is the one that file was written for,
    so the build neither makes its bytes nor rewrites it.
    """

    path: str
    key: bytes


class Later(Protocol[_T_co]):
    """A result that may still be in the making (in a forked worker, or made when first asked for)."""

    def result(self) -> _T_co:
        """Return the result, waiting for it if need be."""
        ...
