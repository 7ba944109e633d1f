"""The catalogue: one record per valid document, the projection of its Entry that a build keeps.

A rebuild of a large archive decides what to publish, in which order, which outputs changed,
and writes every page that only *lists* entries (archive pages, category pages) from these
records alone: reading, normalising, or even making an :class:`Entry` for each of 50,000
documents would cost more than the whole rebuild may take. Only the outputs that show an
entry's body read its document again (and render it, unless the build cache has the body).

A :class:`Record` is declared once, below: the file's facts, then Entry fields under their
Entry names (copied by :func:`record_of`), then values derived from them. Its encoding is
derived from the field types (:data:`CODECS`), so a new field (authors, say) is one line
in :class:`Record` and nothing else here.

Records are what read workers send back and what the build cache keeps between builds, as
columns (:func:`encode`): one column per field, text dictionary-coded where few distinct
values repeat, which decode in milliseconds where per-row JSON took a tenth of a second.
"""

from __future__ import annotations

import functools
import hashlib
import json
import types
import typing
from array import array
from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from feedpub.model import Author, Category, Entry, Image, instant_of, stable_micros


class Record(NamedTuple):
    """What the build knows of one valid document without reading it again.

    Fields named like :class:`Entry` fields mean the same as there (``updated`` as the
    document says it, before select moves ties apart; ``category`` as this document
    spells it, before select settles one name per slug).
    """

    # the file when it was read: with mtime_ns and size a rebuild knows it unchanged
    rel: str  # path relative to the source folder, POSIX separators
    size: int
    mtime_ns: int
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
    template_only: int  # the line of a body of template tags alone: the build says it has no text
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


def record_of(entry: Entry, size: int, mtime_ns: int, data: bytes, *, summary: str | None = None) -> Record:
    """Return the record of a document: its file's facts and its entry's projection.

    summary: the text pages that list entries show for it, when the document gives none
    (its first paragraph: ``render.content.lead_summary``).
    """
    values = {f: getattr(entry, f) for f in FROM_ENTRY}
    if summary is not None:
        values["summary"] = summary
    return Record(
        **values,
        size=size, mtime_ns=mtime_ns, fingerprint=fingerprint(entry.rel, data, entry.date, entry.updated),
        instant=instant_of(entry.date), updated_instant=instant_of(entry.updated), micros=stable_micros(entry.id),
    )


# --- times as text -------------------------------------------------------------------------


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


# --- codecs: one per field type ----------------------------------------------------------------


class Shared:
    """The objects decoding makes once per distinct value (one build's: dates, categories).

    An archive has few distinct dates and categories; one object each keeps a 50,000-record
    catalogue small and lets select count categories by object.
    """

    def __init__(self) -> None:
        self._dates: dict[str, datetime] = {}
        self._categories: dict[str, Category] = {}

    def date(self, text: str) -> datetime:
        """Return the datetime of a when_text, one object per text."""
        found = self._dates.get(text)
        if found is None:
            found = self._dates[text] = when_from(text)
        return found

    def category(self, text: str) -> Category:
        """Return the Category of 'slug<US>name', one object per text."""
        found = self._categories.get(text)
        if found is None:
            slug, sep, name = text.partition(_US)
            if not sep:
                raise ValueError("a category without its name")
            found = self._categories[text] = Category(slug, name)
        return found


_US = "\x1f"  # between a category's slug and name (a control character: never in either)


class Codec(NamedTuple):
    """How one field type is stored: as text (and made back from text), or in a fixed form."""

    kind: str  # "text", "int", "bytes", "bool", "json"
    to_text: Callable[[Any], str] | None = None  # kind "text": value -> str
    from_text: Callable[[Shared, str], Any] | None = None  # kind "text": str -> value (shared objects)
    hint: Any = None  # kind "json": the type, to make values back from plain JSON


def _codec(hint: Any) -> Codec:
    """Return the codec of a field type."""
    if hint is str:
        return Codec("text", None, None)
    if hint is bool:  # before int: a bool is an int
        return Codec("bool")
    if hint is int:
        return Codec("int")
    if hint is bytes:
        return Codec("bytes")
    if hint is datetime:
        return Codec("text", when_text, Shared.date)
    if hint is Category:
        return Codec("text", lambda c: f"{c.slug}{_US}{c.name}", Shared.category)
    return Codec("json", hint=hint)


CODECS: dict[str, Codec] = {name: _codec(hint) for name, hint in typing.get_type_hints(Record).items()}


def _plain(value: Any) -> Any:
    """Return a field value as plain JSON data (frozen dataclasses as objects, tuples as lists)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """Return a dataclass's field types (typing.get_type_hints evaluates them anew: ~70 µs a call)."""
    return typing.get_type_hints(cls)


@functools.cache
def _converter(hint: Any) -> Callable[[Any], Any]:
    """Return the function that makes a value of type hint from what _plain made of it.

    Made once per type: asking typing about a hint for every value of 50,000 records took
    a fifth of a rebuild's catalogue decoding.
    """
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        some = _converter(inner)
        return lambda plain: None if plain is None else some(plain)
    if origin is tuple:
        each = _converter(typing.get_args(hint)[0])
        return lambda plain: tuple(map(each, _of(list, plain)))
    if isinstance(hint, type) and is_dataclass(hint):
        field_of = {k: _converter(h) for k, h in _hints(hint).items()}  # an unknown key: KeyError
        return lambda plain: hint(**{k: field_of[k](v) for k, v in _of(dict, plain).items()})
    return functools.partial(_of, hint)


def _of(kind: type, plain: Any) -> Any:
    """Return plain if it is of type kind, else raise ValueError (a damaged column)."""
    if not isinstance(plain, kind):
        raise ValueError(f"expected {kind.__name__}, got {type(plain).__name__}")
    return plain


# --- records as columns --------------------------------------------------------------------

_MAGIC = b"feedpub-catalogue-5"
_NEW = functools.partial(tuple.__new__, Record)  # Record._make without its Python-level checks


def _text(values: Sequence[str], what: str) -> bytes:
    text = "\0".join(values)
    if text.count("\0") != max(len(values) - 1, 0):
        raise ValueError(f"a record's {what} holds a NUL character")
    return text.encode("utf-8", "surrogatepass")


def _integers(chunk: bytes) -> list[int]:
    numbers = array("q")
    numbers.frombytes(chunk)
    return numbers.tolist()


def _text_column(texts: Sequence[str], n: int, name: str) -> bytes:
    """Return a column of texts: each distinct text once and a code per record when few, else every text."""
    distinct: dict[str, int] = {}
    codes = [distinct.setdefault(v, len(distinct)) for v in texts]
    if len(distinct) * 2 < n:  # few values: each once, and a code per record
        return b"D" + array("q", [len(distinct)]).tobytes() + array("q", codes).tobytes() + _text(list(distinct), name)
    return b"T" + _text(texts, name)


def encode(records: Sequence[Record]) -> bytes:
    """Return the records as one bytes value of columns; raise ValueError if one cannot be kept."""
    n = len(records)
    columns = list(zip(*records, strict=True)) if records else [() for _ in FIELDS]
    chunks: list[bytes] = []
    for name, values in zip(FIELDS, columns, strict=True):
        codec = CODECS[name]
        if codec.kind == "text":
            chunks.append(_text_column(values if codec.to_text is None else list(map(codec.to_text, values)),
                                       n, name))
        elif codec.kind == "int":
            chunks.append(array("q", values).tobytes())
        elif codec.kind == "bool":
            chunks.append(bytes(map(bool, values)))
        elif codec.kind == "bytes":
            chunks.append(array("q", map(len, values)).tobytes() + b"".join(values))
        else:  # each value as JSON text, then stored as a text column (most records share a few)
            chunks.append(_text_column([json.dumps(_plain(v), ensure_ascii=False, separators=(",", ":"))
                                        for v in values], n, name))
    head = b" ".join([_MAGIC, str(n).encode(), *(str(len(c)).encode() for c in chunks)])
    return head + b"\n" + b"".join(chunks)


def decode(data: bytes, shared: Shared | None = None) -> list[Record]:
    """Return the records encode() wrote; raise ValueError when data is not such a value."""
    shared = shared or Shared()
    try:
        head, _, body = data.partition(b"\n")
        magic, count, *sizes = head.split(b" ")
        n = int(count)
        lengths = [int(s) for s in sizes]
        if magic != _MAGIC or len(lengths) != len(FIELDS) or sum(lengths) != len(body) or n < 0:
            raise ValueError("not a catalogue")
        columns: list[Sequence[Any]] = []
        at = 0
        for name, length in zip(FIELDS, lengths, strict=True):
            chunk = body[at : at + length]
            at += length
            column = _column(CODECS[name], chunk, n, shared)
            if len(column) != n:
                raise ValueError(f"the column {name} has the wrong length")
            columns.append(column)
        return list(map(_NEW, zip(*columns, strict=True))) if n else []
    except (ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError) as e:
        raise ValueError(f"not a catalogue: {e}") from None


def _column(codec: Codec, chunk: bytes, n: int, shared: Shared) -> Sequence[Any]:
    if codec.kind == "text":
        texts, codes = _texts(chunk, n)
        if codec.from_text is not None:  # objects made once per distinct text, then spread by code
            make = codec.from_text
            texts = [make(shared, t) for t in texts]
        return texts if codes is None else [texts[c] for c in codes]
    if codec.kind == "int":
        return _integers(chunk)
    if codec.kind == "bool":
        if chunk.translate(None, b"\0\1"):
            raise ValueError("a boolean column holds other bytes")
        return [b == 1 for b in chunk]
    if codec.kind == "bytes":
        sizes = _integers(chunk[: 8 * n])
        values, at = [], 8 * n
        for size in sizes:
            values.append(chunk[at : at + size])
            at += size
        if at != len(chunk):
            raise ValueError("a bytes column does not match its sizes")
        return values
    texts, codes = _texts(chunk, n)
    typed = _converter(codec.hint)
    values = [typed(json.loads(t)) for t in texts]  # a distinct value once (no authors, the same two people)
    return values if codes is None else [values[c] for c in codes]


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
