"""The catalogue: one small record per valid document, all a build needs to choose entries.

A rebuild of a large archive decides what to publish, in which order, and which outputs
changed from these records alone: reading, normalising, or even making an :class:`Entry`
for each of 50,000 documents would cost more than the whole rebuild may take. The few
documents an output must show in full are read again when it is made.

Records are what the read workers send back for each document and what the build cache
keeps between builds, as columns (:func:`encode`): one string, integer or byte column per
field, which decode in a few milliseconds where per-row JSON took a tenth of a second.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from array import array
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from feedpub.model import Category, Entry, instant_of, stable_micros


class Record(NamedTuple):
    """What the build knows of one valid document without reading it again.

    The attributes an :class:`Entry` shares (id, url, date, updated, category, draft, rel,
    date_source, instant, updated_instant, micros, sort_key) mean the same here, so choosing
    and grouping code takes either.
    """

    rel: str  # path relative to the source folder, POSIX separators
    size: int  # of the file when it was read: with mtime_ns, how a rebuild knows it unchanged
    mtime_ns: int
    fingerprint: bytes  # 16 bytes, a hash of rel, dates and the file's bytes: keys outputs and bodies
    id: str
    url: str
    date: datetime
    updated: datetime  # as the document says it, before select moves ties apart
    category: Category  # as this document names it; select settles one name per slug
    draft: bool
    date_source: str
    instant: int  # the date in µs since the epoch: sorting and comparing without time zones
    updated_instant: int
    micros: int  # whole seconds in µs, from a hash of the id: how far a tie in 'updated' is moved apart
    date_when: str  # the date in when_text's form: what the cache keeps of it
    updated_when: str

    @property
    def sort_key(self) -> tuple[int, str]:
        """Newest first, ties broken by id (the order of Entry.sort_key)."""
        return (-self.instant, self.id)


FIELDS: tuple[str, ...] = Record._fields


# --- making a record ---------------------------------------------------------------------


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

    Exact (a zone's name survives, not only its offset), and cheap to turn back: an archive
    has few distinct dates, and :func:`when_from` makes one object for each.
    """
    return f"{d.replace(tzinfo=None).isoformat()} {_tz_code(d.tzinfo)} {d.fold}"


@functools.lru_cache(maxsize=16384)
def when_from(text: str) -> datetime:
    """Return the datetime when_text wrote (one shared object per distinct text)."""
    naive, tz, fold = text.split(" ")
    return datetime.fromisoformat(naive).replace(tzinfo=_tz_from(tz), fold=int(fold))


def fingerprint(rel: str, data: bytes, date_when: str, updated_when: str) -> bytes:
    """Return the 16-byte hash a document's outputs and rendered body are keyed by.

    The dates are in it because a document without a date of its own takes one from git or
    its mtime, which its bytes do not show.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{rel}\0{date_when}\0{updated_when}\0".encode())
    h.update(data)
    return h.digest()


class Texts(NamedTuple):
    """A datetime as a record and an output write it."""

    when: str  # when_text()
    instant: int  # instant_of()
    iso: str  # isoformat()


_TEXTS: dict[tuple[datetime, tzinfo | None, int], Texts] = {}


def texts(d: datetime) -> Texts:
    """Return the texts of an aware datetime, made once per distinct value (an archive has few)."""
    # keyed with the zone and fold: datetimes of one instant in two zones, or of one wall time
    # either side of a clock change, compare equal but write differently
    key = (d, d.tzinfo, d.fold)
    found = _TEXTS.get(key)
    if found is None:
        if len(_TEXTS) > 100_000:
            _TEXTS.clear()
        found = _TEXTS[key] = Texts(when_text(d), instant_of(d), d.isoformat())
    return found


Row = tuple[Any, ...]  # a record's stored fields (_STORED), no objects: cheap to pickle


def row_of(entry: Entry, size: int, mtime_ns: int, data: bytes, micros: int | None = None) -> Row:
    """Return the stored fields of a document's record (what a read worker sends back)."""
    date = texts(entry.date)
    updated = date if entry.updated is entry.date else texts(entry.updated)
    c = entry.category
    return (entry.rel, size, mtime_ns, fingerprint(entry.rel, data, date.when, updated.when), entry.id, entry.url,
            c.slug, c.name, entry.draft, entry.date_source, date.instant, updated.instant,
            stable_micros(entry.id) if micros is None else micros, date.when, updated.when)


def from_rows(rows: Sequence[Row]) -> list[Record]:
    """Return the records of rows of stored fields (dates and categories shared between records).

    Column by column, as decode() does: a cold build makes 50,000 records here.
    """
    if not rows:
        return []
    columns: dict[str, Sequence[Any]] = dict(zip(_ROW, zip(*rows, strict=True), strict=True))
    columns["date"] = list(map(when_from, columns["date_when"]))
    columns["updated"] = list(map(when_from, columns["updated_when"]))
    pairs: dict[tuple[str, str], Category] = {}
    columns["category"] = [pairs.get(p) or pairs.setdefault(p, shared_category(*p))
                           for p in zip(columns["slug"], columns["name"], strict=True)]
    return _records(columns)


def _records(columns: Mapping[str, Sequence[Any]]) -> list[Record]:
    return list(map(_NEW, zip(*(columns[f] for f in FIELDS), strict=True)))


_ROW = ("rel", "size", "mtime_ns", "fingerprint", "id", "url", "slug", "name", "draft", "date_source", "instant",
        "updated_instant", "micros", "date_when", "updated_when")  # the fields of a Row, in order
_row_of_record = operator.attrgetter(*(f"category.{f}" if f in ("slug", "name") else f for f in _ROW))


# Most records share one of a few categories: one object each.
_CATEGORIES: dict[tuple[str, str], Category] = {}


def shared_category(slug: str, name: str) -> Category:
    """Return the Category (slug, name), one object per distinct pair."""
    found = _CATEGORIES.get((slug, name))
    if found is None:
        found = _CATEGORIES[(slug, name)] = Category(slug, name)
    return found


# --- records as columns --------------------------------------------------------------------

# What is stored of a record: its fields but the objects made from others (date and updated
# from their 'when' texts), the category as "slug<US>name", and the url only where it is not
# the id (nearly everywhere it is).
#   s: strings joined by NUL (no field can hold one: control characters never reach an
#      entry) -- every value, or for a column of few distinct values (dates, categories)
#      each distinct value once and a code per record, so that decoding makes one object each;
#   q: signed 64-bit integers; f: 16-byte fingerprints; b: booleans as bytes 0/1.
_STORED: tuple[tuple[str, str], ...] = (
    ("rel", "s"), ("size", "q"), ("mtime_ns", "q"), ("fingerprint", "f"), ("id", "s"), ("url", "s"),
    ("category", "s"), ("draft", "b"), ("date_source", "s"), ("instant", "q"), ("updated_instant", "q"),
    ("micros", "q"), ("date_when", "s"), ("updated_when", "s"),
)
_US = "\x1f"  # between a category's slug and name (a control character: in neither)
_MAGIC = b"feedpub-catalogue-3"
_NEW = functools.partial(tuple.__new__, Record)  # Record._make without its Python-level checks


def _text(values: Sequence[str], what: str) -> bytes:
    text = "\0".join(values)
    if text.count("\0") != max(len(values) - 1, 0):
        raise ValueError(f"a record's {what} holds a NUL character")
    return text.encode("utf-8", "surrogatepass")


def encode(records: Sequence[Record]) -> bytes:
    """Return the records as one bytes value of columns; raise ValueError if one cannot be kept."""
    return encode_rows(list(map(_row_of_record, records)))


def encode_rows(rows: Sequence[Row]) -> bytes:
    """Return what encode() returns for the records of rows, without making the records.

    A read worker of a cold build encodes the documents of a whole shard this way: the parent
    then decodes the records (columns are cheaper to send and to read than rows) and stores
    the same bytes in the build cache.
    """
    columns: dict[str, Sequence[Any]] = dict(zip(_ROW, zip(*rows, strict=True), strict=True)) if rows \
        else dict.fromkeys(_ROW, ())
    columns["category"] = [f"{slug}{_US}{name}" for slug, name in zip(columns["slug"], columns["name"], strict=True)]
    columns["url"] = ["" if url == id_ else url for id_, url in zip(columns["id"], columns["url"], strict=True)]
    return _encode(columns, len(rows))


def _encode(columns: Mapping[str, Sequence[Any]], n: int) -> bytes:
    chunks: list[bytes] = []
    for name, kind in _STORED:
        values = columns[name]
        if kind == "s":
            distinct: dict[str, int] = {}
            codes = [distinct.setdefault(v, len(distinct)) for v in values]
            if len(distinct) * 2 < len(values):  # few values: each once, and a code per record
                chunks.append(b"D" + array("q", [len(distinct)]).tobytes() + array("q", codes).tobytes()
                              + _text(list(distinct), name))
            else:
                chunks.append(b"T" + _text(values, name))
        elif kind == "q":
            chunks.append(array("q", values).tobytes())
        elif kind == "f":
            chunks.append(b"".join(values))
        else:
            chunks.append(bytes(map(bool, values)))
    head = b" ".join([_MAGIC, str(n).encode(), *(str(len(c)).encode() for c in chunks)])
    return head + b"\n" + b"".join(chunks)


def decode(data: bytes) -> list[Record]:
    """Return the records encode() wrote; raise ValueError when data is not such a value."""
    try:
        head, _, body = data.partition(b"\n")
        magic, count, *sizes = head.split(b" ")
        n = int(count)
        lengths = [int(s) for s in sizes]
        if magic != _MAGIC or len(lengths) != len(_STORED) or sum(lengths) != len(body) or n < 0:
            raise ValueError("not a catalogue")
        columns: dict[str, Sequence[Any]] = {}
        at = 0
        for (name, kind), length in zip(_STORED, lengths, strict=True):
            chunk = body[at : at + length]
            at += length
            if kind != "s":
                columns[name] = _column(kind, chunk, n)
                continue
            texts, codes = _texts(chunk, n)
            # a column's objects are made once per distinct text, then spread by code
            if name in ("date_when", "updated_when"):
                columns[name.removesuffix("_when")] = _spread([when_from(t) for t in texts], codes)
            elif name == "category":
                columns[name] = _spread([shared_category(*_split_category(t)) for t in texts], codes)
                continue
            columns[name] = _spread(texts, codes)
        if not n:
            return []
        columns["url"] = [url or id_ for id_, url in zip(columns["id"], columns["url"], strict=True)]
        return _records(columns)
    except (ValueError, UnicodeDecodeError, KeyError, IndexError) as e:
        raise ValueError(f"not a catalogue: {e}") from None


def _split_category(text: str) -> tuple[str, str]:
    slug, sep, name = text.partition(_US)
    if not sep:
        raise ValueError("a category without its name")
    return slug, name


def _texts(chunk: bytes, n: int) -> tuple[list[str], list[int] | None]:
    """Return a text column's values and no codes, or its distinct values and a code per record."""
    if chunk[:1] == b"D":
        (distinct,) = _integers(chunk[1:9])
        codes = _integers(chunk[9 : 9 + 8 * n])
        texts = chunk[9 + 8 * n :].decode("utf-8", "surrogatepass").split("\0")
        if len(texts) != distinct or len(codes) != n or (codes and not 0 <= min(codes) <= max(codes) < distinct):
            raise ValueError("a coded column does not match its values")
        return texts, codes
    if chunk[:1] == b"T":
        values = chunk[1:].decode("utf-8", "surrogatepass").split("\0") if n else []
        if len(values) != n:
            raise ValueError("a column has the wrong length")
        return values, None
    raise ValueError("a text column of an unknown form")


def _spread(values: list[Any], codes: list[int] | None) -> list[Any]:
    return values if codes is None else [values[c] for c in codes]


def _integers(chunk: bytes) -> list[int]:
    numbers = array("q")
    numbers.frombytes(chunk)
    return numbers.tolist()


def _column(kind: str, chunk: bytes, n: int) -> list[Any]:
    values: list[Any]
    if kind == "q":
        values = _integers(chunk)
    elif kind == "f":
        values = [chunk[i : i + 16] for i in range(0, len(chunk), 16)]
    else:
        if chunk.translate(None, b"\0\1"):
            raise ValueError("a boolean column holds other bytes")
        values = [b == 1 for b in chunk]
    if len(values) != n:
        raise ValueError("a column has the wrong length")
    return values
