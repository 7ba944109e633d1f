"""The catalogue's codec: records (:class:`feedpub.records.Record`) as columns of bytes.

Records are what read workers send back and what the build cache keeps between builds, as
columns (:func:`encode`): one column per field, text dictionary-coded where few distinct
values repeat, so a 50,000-record catalogue decodes without parsing a value per row (see
docs/performance.md). Each field's codec is derived from its type in
:class:`~feedpub.records.Record` (:data:`CODECS`), so a new field (authors, say) is one line
there and nothing here.
"""

from __future__ import annotations

import functools
import json
import types
import typing
from array import array
from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any, NamedTuple

from feedpub.model import Category, make
from feedpub.records import FIELDS, Record, when_from, when_text

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
    kind = type(value)
    if kind is str or value is None:  # most values: a tag, no image
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(kind):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


# a dataclass's fields, by type: fields() per value cost most of encoding a column
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """Return a dataclass's field types (typing.get_type_hints evaluates them anew at each call)."""
    return typing.get_type_hints(cls)


@functools.cache
def _converter(hint: Any) -> Callable[[Any], Any]:
    """Return the function that makes a value of type hint from what _plain made of it.

    Made once per type: asking typing about a hint for every value of a large catalogue
    would be a good part of decoding it (see docs/performance.md).
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
        hints = _hints(hint)
        if all(h is str for h in hints.values()):  # Image, Author: made without __init__ (model.make)
            return functools.partial(_texts_only, hint, frozenset(hints))
        field_of = {k: _converter(h) for k, h in hints.items()}  # an unknown key: KeyError
        return lambda plain: hint(**{k: field_of[k](v) for k, v in _of(dict, plain).items()})
    return functools.partial(_of, hint)


def _texts_only(cls: type, names: frozenset[str], plain: Any) -> Any:
    """Return the dataclass cls, all of whose fields are text, from what _plain made of it: every field, no other.

    The generated __init__ sets each field through object.__setattr__; a 50,000-record
    catalogue holds ~40,000 images, and making them so was most of decoding it.
    """
    if type(plain) is not dict or plain.keys() != names or not all(type(v) is str for v in plain.values()):
        raise ValueError(f"not a {cls.__name__}: {plain!r}"[:200])
    return make(cls, plain)


def _of(kind: type, plain: Any) -> Any:
    """Return plain if it is of type kind, else raise ValueError (a damaged column)."""
    if not isinstance(plain, kind):
        raise ValueError(f"expected {kind.__name__}, got {type(plain).__name__}")
    return plain


# --- records as columns --------------------------------------------------------------------

_MAGIC = b"feedpub-catalogue-6"
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


def _encode_text(codec: Codec, values: Sequence[Any], n: int, name: str) -> bytes:
    return _text_column(values if codec.to_text is None else list(map(codec.to_text, values)), n, name)


def _encode_json(_codec: Codec, values: Sequence[Any], n: int, name: str) -> bytes:
    # each value as JSON text, then stored as a text column (most records share a few)
    return _text_column([_JSON(_plain(v)) for v in values], n, name)


# json.dumps with these options makes an encoder per call: one, made once, is most of a column's time saved
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _encode_bytes(_codec: Codec, values: Sequence[bytes], _n: int, _name: str) -> bytes:
    return _bytes_column(values)


def _bytes_column(values: Sequence[bytes]) -> bytes:
    return array("q", map(len, values)).tobytes() + b"".join(values)


_ENCODERS: dict[str, Callable[[Codec, Sequence[Any], int, str], bytes]] = {
    "text": _encode_text,
    "int": lambda _codec, values, _n, _name: array("q", values).tobytes(),
    "bool": lambda _codec, values, _n, _name: bytes(map(bool, values)),
    "bytes": _encode_bytes,
    "json": _encode_json,
}


def encode(records: Sequence[Record]) -> bytes:
    """Return the records as one bytes value of columns; raise ValueError if one cannot be kept."""
    n = len(records)
    columns = list(zip(*records, strict=True)) if records else [() for _ in FIELDS]
    chunks = [_ENCODERS[CODECS[name].kind](CODECS[name], values, n, name)
              for name, values in zip(FIELDS, columns, strict=True)]
    head = b" ".join([_MAGIC, str(n).encode(), *(str(len(c)).encode() for c in chunks)])
    return head + b"\n" + b"".join(chunks)


def decode(data: bytes, shared: Shared | None = None) -> list[Record]:
    """Return the records encode() wrote; raise ValueError when data is not such a value."""
    shared = shared or Shared()
    try:
        n, chunks = _chunks(data)
        columns: list[Sequence[Any]] = []
        for name, chunk in zip(FIELDS, chunks, strict=True):
            codec = CODECS[name]
            column = _DECODERS[codec.kind](codec, chunk, n, shared)
            if len(column) != n:
                raise ValueError(f"the column {name} has the wrong length")
            columns.append(column)
        return list(map(_NEW, zip(*columns, strict=True))) if n else []
    except (ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError) as e:
        raise ValueError(f"not a catalogue: {e}") from None


def _chunks(data: bytes, form: bytes = _MAGIC, columns: int = len(FIELDS)) -> tuple[int, list[bytes]]:
    """Return the number of rows encoded data holds (a catalogue by default) and its columns' bytes, one per field."""
    head, _, body = data.partition(b"\n")
    magic, count, *sizes = head.split(b" ")
    n = int(count)
    lengths = [int(s) for s in sizes]
    if magic != form or len(lengths) != columns or sum(lengths) != len(body) or n < 0 or min(lengths) < 0:
        raise ValueError("not a catalogue")
    chunks, at = [], 0
    for length in lengths:
        chunks.append(body[at : at + length])
        at += length
    return n, chunks


# --- a plain table as columns: the record of written files ------------------------------------

_TABLE = b"feedpub-table-1"
BYTES = "bytes"  # a table column of bytes values (any other is an array typecode)


def encode_table(texts: Sequence[str], *columns: tuple[str, Sequence[Any]]) -> bytes:
    """Return rows of (text, values…) as columns: the texts, then each column of values.

    columns: each column's form (:data:`BYTES`, or the array typecode of its numbers: ``q``
    signed 64-bit, ``Q`` unsigned, as inode numbers are) and its values. Two tables of a
    large site's output folder are kept or passed this way: the build cache's record of
    the files a build wrote, and the listing of the folder the background walk sends back.
    As JSON or a pickle of 56,000 rows, each took ~0.2 s to make and again to read.
    """
    n = len(texts)
    if any(len(values) != n for _form, values in columns):
        raise ValueError("a table's columns differ in length")
    chunks = [_text(texts, "text") if n else b"",
              *(_bytes_column(values) if form == BYTES else array(form, values).tobytes() for form, values in columns)]
    return b" ".join([_TABLE, str(n).encode(), *(str(len(c)).encode() for c in chunks)]) + b"\n" + b"".join(chunks)


def decode_table(data: bytes, forms: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """Return the texts and columns encode_table wrote (forms: its columns' forms); ValueError if no such table."""
    try:
        n, chunks = _chunks(data, _TABLE, 1 + len(forms))
        texts = chunks[0].decode("utf-8", "surrogatepass").split("\0") if n else []
        columns: list[list[Any]] = []
        for form, chunk in zip(forms, chunks[1:], strict=True):
            if form == BYTES:
                columns.append(_bytes_values(chunk, n))
                continue
            numbers = array(form)
            numbers.frombytes(chunk)  # ValueError: not a whole number of values
            columns.append(numbers.tolist())
        if len(texts) != n or any(len(column) != n for column in columns):
            raise ValueError("a column has the wrong length")
        return texts, columns
    except (ValueError, UnicodeDecodeError, IndexError) as e:
        raise ValueError(f"not a table: {e}") from None


def _decode_text(codec: Codec, chunk: bytes, n: int, shared: Shared) -> Sequence[Any]:
    texts, codes = _texts(chunk, n)
    if codec.from_text is not None:  # objects made once per distinct text, then spread by code
        make = codec.from_text
        texts = [make(shared, t) for t in texts]
    return texts if codes is None else [texts[c] for c in codes]


def _decode_bool(_codec: Codec, chunk: bytes, _n: int, _shared: Shared) -> Sequence[bool]:
    if chunk.translate(None, b"\0\1"):
        raise ValueError("a boolean column holds other bytes")
    return [b == 1 for b in chunk]


def _decode_bytes(_codec: Codec, chunk: bytes, n: int, _shared: Shared) -> Sequence[bytes]:
    return _bytes_values(chunk, n)


def _bytes_values(chunk: bytes, n: int) -> list[bytes]:
    sizes = _integers(chunk[: 8 * n])
    if sizes and min(sizes) < 0:
        raise ValueError("a bytes column holds a negative size")
    values, at = [], 8 * n
    for size in sizes:
        values.append(chunk[at : at + size])
        at += size
    if at != len(chunk):
        raise ValueError("a bytes column does not match its sizes")
    return values


def _decode_json(codec: Codec, chunk: bytes, n: int, _shared: Shared) -> Sequence[Any]:
    texts, codes = _texts(chunk, n)
    typed = _converter(codec.hint)
    # each distinct value once (no authors, the same two people), all in one parse: a value per
    # record was a good part of decoding a large catalogue. A value that is not one JSON value
    # (a damaged column) makes the array fail to parse or have another length.
    plain = json.loads(f"[{','.join(texts)}]")
    if len(plain) != len(texts):
        raise ValueError("a JSON column does not hold one value per entry")
    values = [typed(p) for p in plain]
    return values if codes is None else [values[c] for c in codes]


_DECODERS: dict[str, Callable[[Codec, bytes, int, Shared], Sequence[Any]]] = {
    "text": _decode_text,
    "int": lambda _codec, chunk, _n, _shared: _integers(chunk),
    "bool": _decode_bool,
    "bytes": _decode_bytes,
    "json": _decode_json,
}


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
