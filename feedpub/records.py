"""The record of a document: what a build knows of it without reading it again.

A rebuild of a large archive decides what to publish, in which order, which outputs changed,
and writes every page that only *lists* entries (archive pages, category pages) from these
records alone: reading, normalising, or even making an :class:`~feedpub.model.Entry` for each
of 50,000 documents would cost more than the whole rebuild may take. Only the outputs that
show an entry's body read its document again (and render it, unless the build cache has the
body).

A :class:`Record` is declared once, below: the file's facts, then Entry fields under their
Entry names (copied by :func:`record_of`), then values derived from them. Choosing
(:mod:`feedpub.select`) and every output kind work on records; how the build cache stores
them (columns, one codec per field type) is :mod:`feedpub.incremental.catalogue`'s business.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timedelta, timezone, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

from feedpub.model import Author, Category, Entry, Image, instant_of, stable_micros


class Record(NamedTuple):
    """What the build knows of one valid document without reading it again.

    Fields named like :class:`Entry` fields mean the same as there (``updated`` as the
    document says it, before select moves ties apart; ``category`` as this document
    spells it, before select settles one name per slug).
    """

    # the file when it was read: while its size, mtime_ns and ctime_ns are these, a rebuild
    # knows it unchanged (ctime: an edit that puts the old mtime back, as touch -r, cp -p or an
    # archive with fixed file times do, still moves it, and no program can set it back)
    rel: str  # path relative to the source folder, POSIX separators
    size: int
    mtime_ns: int
    ctime_ns: int
    fingerprint: bytes  # 16 bytes, a hash of rel, dates and the file's bytes: keys outputs and bodies
    # the entry without its body: what choosing and listing entries need (see record_of)
    id: str
    url: str
    title: str
    date: datetime
    updated: datetime
    category: Category
    summary: str  # as the document gives it, else its first paragraph (what listing pages show)
    authors: tuple[Author, ...]
    source: str
    tags: tuple[str, ...]
    image: Image | None
    draft: bool
    date_source: str
    template_only: int  # the body's line when it has no text (empty, or template tags alone): the build says so
    refs: tuple[str, ...]  # the other documents its body links (sources.xref): their URLs key what shows it
    # derived from the entry: sorting and comparing without time zones
    instant: int  # the date in µs since the epoch
    updated_instant: int
    micros: int  # whole seconds in µs, from a hash of the id: how far a tie in 'updated' is moved apart

    @property
    def sort_key(self) -> tuple[int, str]:
        """Newest first, ties broken by id (the order of Entry.sort_key)."""
        return (-self.instant, self.id)

    def with_category(self, category: Category) -> Record:
        """Return this record under another spelling of its category."""
        return self._replace(category=category)


FIELDS: tuple[str, ...] = Record._fields
FROM_ENTRY: tuple[str, ...] = tuple(f for f in FIELDS if f in Entry.__dataclass_fields__)
"""The fields a record copies from its entry, by name: the projection, declared by Record itself."""


def fingerprint(rel: str, data: bytes, date: datetime, updated: datetime) -> bytes:
    """Return the 16-byte hash a document's outputs and rendered body are keyed by.

    The dates are in it because a document without a date of its own takes one from git,
    which its bytes do not show.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{rel}\0{when_text(date)}\0{when_text(updated)}\0".encode())
    h.update(data)
    return h.digest()


def record_of(entry: Entry, size: int, mtime_ns: int, ctime_ns: int, data: bytes, *,
              summary: str | None = None) -> Record:
    """Return the record of a document: its file's facts (its stat, its bytes) and its entry's projection.

    summary: the text pages that list entries show for it, when the document gives none
    (its first paragraph: ``render.content.lead_summary``).
    """
    values = {f: getattr(entry, f) for f in FROM_ENTRY}
    if summary is not None:
        values["summary"] = summary
    return Record(
        **values,
        size=size, mtime_ns=mtime_ns, ctime_ns=ctime_ns,
        fingerprint=fingerprint(entry.rel, data, entry.date, entry.updated),
        instant=instant_of(entry.date), updated_instant=instant_of(entry.updated), micros=stable_micros(entry.id),
    )


# --- times as text: exact, for the fingerprint and for the catalogue's columns ------------------


def _tz_code(tz: tzinfo | None) -> str:
    if isinstance(tz, ZoneInfo):
        return tz.key
    offset = tz.utcoffset(None) if tz is not None else None
    if offset is None:
        raise ValueError("entries hold only timezone-aware datetimes")
    return str(int(offset.total_seconds()))


@functools.lru_cache(maxsize=64)
def _tz_from(code: str) -> tzinfo:
    if code.lstrip("-").isdigit():
        return timezone(timedelta(seconds=int(code)))
    return ZoneInfo(code)


def when_text(d: datetime) -> str:
    """Return an aware datetime as one string: naive ISO time, zone key or UTC offset, fold.

    Exact (a zone's name survives, not only its offset), and cheap to turn back.
    """
    return f"{d.replace(tzinfo=None).isoformat()} {_tz_code(d.tzinfo)} {d.fold}"


def when_from(text: str) -> datetime:
    """Return the datetime when_text wrote."""
    naive, tz, fold = text.split(" ")
    return datetime.fromisoformat(naive).replace(tzinfo=_tz_from(tz), fold=int(fold))
