"""The persistent build cache: normalised entries and rendered bodies of unchanged documents.

One SQLite file in the source folder's ``.feedpub/`` (hidden, so never read as a document).
A document's row is trusted only when its path, size and mtime match, or its content hash
does, and when it was made under the same *context*: feedpub's version and code, the cache
schema, the configuration and the templates. Change any of them and every row misses.

Two tables describe the documents, so that a rebuild of a large archive reads little:
``idx`` holds, in 64 buckets (by a hash of the path), each document's size, mtime,
fingerprint and the few fields that choosing and ordering entries needs; ``docs`` holds each
whole entry, read only for the entries some output shows (see ``Entry.__getattr__``). A
build rewrites only the buckets whose documents changed.

Never trusted blindly: each row carries a checksum of what it stores, the schema version is
checked, and any damage (a file that is not a database, a malformed page, a bad checksum)
throws the file away and starts an empty one. The cache is an optimisation only: when it
cannot be opened or written, the build goes on without it. Concurrent builds are safe:
SQLite in WAL mode with a busy timeout, each build's writes in one transaction.

Rows hold JSON, never pickles: a source folder shared with others must not become a way to
run code at build time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone, tzinfo
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from feedpub import __version__, resources
from feedpub.config import Config
from feedpub.model import Category, Entry, Image

_T = TypeVar("_T")
SCHEMA = 3  # bump when the tables or the entry JSON change
BUCKETS = 64  # of the index: a rebuild rewrites the buckets of changed documents only
FOLDER = ".feedpub"
FILE = "cache.sqlite"
_PACKAGE = Path(__file__).resolve().parent


def cache_path(config: Config) -> Path:
    """Return where the cache of a source folder lives."""
    return config.source / FOLDER / FILE


_OUTPUT_LIBRARIES = ("feedgen", "lxml", "markdown-it-py", "nh3", "premailer", "cssutils", "jinja2", "PyYAML",
                     "python-frontmatter")


def context_key(config: Config) -> str:
    """Hash everything besides a document that its entry or rendered body depends on."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"feedpub {__version__} schema {SCHEMA}\n".encode())
    # feedpub's own code: a development checkout changes without a version bump
    for p in sorted(_PACKAGE.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.relative_to(_PACKAGE)} {st.st_size} {st.st_mtime_ns}\n".encode())
    # the libraries whose output is cached (feed bytes, rendered bodies, inlined email):
    # upgrading one must not keep serving what the old version made
    for dist in _OUTPUT_LIBRARIES:
        try:
            h.update(f"{dist} {metadata.version(dist)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist} -\n".encode())
    for f in fields(config):
        if f.name not in ("out", "config_path", "cache", "workers"):  # do not change any entry
            value = getattr(config, f.name)
            h.update(f"{f.name}={sorted(value.items()) if f.name == 'categories' else value!r}\n".encode())
    from feedpub import templating

    for p in templating.template_files(config):
        h.update(str(p).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def content_hash(data: bytes) -> bytes:
    """Return the hash a document's bytes are known by."""
    return hashlib.blake2b(data, digest_size=16).digest()


# --- entries as JSON -----------------------------------------------------------------------


def _tz_code(tz: tzinfo | None) -> Any:
    if isinstance(tz, ZoneInfo):
        return tz.key
    offset = tz.utcoffset(None) if tz is not None else None
    if offset is None:
        raise ValueError("entries hold only timezone-aware datetimes")
    return int(offset.total_seconds())


@functools.lru_cache(maxsize=64)
def _tz_from(code: Any) -> tzinfo:
    if isinstance(code, str):
        return ZoneInfo(code)
    return timezone(timedelta(seconds=int(code)))


def _when(d: datetime) -> str:
    """Return an aware datetime as one string: naive ISO time, zone key or UTC offset, fold."""
    return f"{d.replace(tzinfo=None).isoformat()} {_tz_code(d.tzinfo)} {d.fold}"


@functools.lru_cache(maxsize=8192)
def _when_from(text: str) -> datetime:
    # An archive has far fewer distinct times than entries (a day's articles share one), and
    # datetimes are immutable: one object per distinct value saves time and memory.
    naive, tz, fold = text.split(" ")
    code: Any = int(tz) if tz.lstrip("-").isdigit() else tz
    return datetime.fromisoformat(naive).replace(tzinfo=_tz_from(code), fold=int(fold))


def entry_to_json(e: Entry) -> str:
    """Serialise an Entry losslessly (time zones included) as JSON."""
    image = None if e.image is None else [e.image.url, e.image.mime_type, e.image.alt]
    date = _when(e.date)
    return _ENCODE(
        [
            e.id,
            e.url,
            e.title,
            e.title_source,
            date,
            e.date_source,
            date if e.updated is e.date else _when(e.updated),
            e.category.slug,
            e.category.name,
            e.category_source,
            e.summary,
            e.source,
            e.author,
            list(e.tags),
            image,
            e.rel,
            e.fmt,
            e.draft,
            dict(e.lines),
        ]
    )


# one encoder for every row (json.dumps with options builds a new one per call)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _frozen(cls: type[_T], **values: Any) -> _T:
    """Make a frozen dataclass instance from complete field values without calling __init__.

    A no-change build of a big archive rebuilds every entry from its row, and the generated
    ``__init__`` of a frozen dataclass sets each field through ``object.__setattr__``: that
    was most of the time. The instance is the same (same fields, equality and hash).
    """
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


# Most entries share one of a few categories and front matter layouts: one object each keeps
# a large archive's entries small (memory grows with metadata only, and not by much).
_CATEGORIES: dict[tuple[str, str], Category] = {}
_LINES: dict[tuple[tuple[str, int], ...], Mapping[str, int]] = {}


def _shared_category(slug: str, name: str) -> Category:
    found = _CATEGORIES.get((slug, name))
    if found is None:
        found = _CATEGORIES[(slug, name)] = _frozen(Category, slug=slug, name=name)
    return found


def _shared_lines(lines: dict[str, int]) -> Mapping[str, int]:
    key = tuple(lines.items())
    found = _LINES.get(key)
    if found is None:
        found = _LINES[key] = MappingProxyType(lines)
    return found


def entry_from_json(text: str) -> Entry:
    """Rebuild an Entry from entry_to_json's text; raise ValueError when it is not one."""
    try:
        (
            id_,
            url,
            title,
            title_source,
            date,
            date_source,
            updated,
            slug,
            name,
            category_source,
            summary,
            source,
            author,
            tags,
            image,
            rel,
            fmt,
            draft,
            lines,
        ) = json.loads(text)
        return _frozen(
            Entry,
            id=id_,
            url=url,
            title=title,
            title_source=title_source,
            date=_when_from(date),
            date_source=date_source,
            updated=_when_from(updated),
            category=_shared_category(slug, name),
            category_source=category_source,
            summary=summary,
            source=source,
            author=author,
            tags=tuple(tags),
            image=None if image is None else _frozen(Image, url=image[0], mime_type=image[1], alt=image[2]),
            rel=rel,
            fmt=fmt,
            draft=draft is True,
            lines=_shared_lines(lines),
        )
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as e:
        raise ValueError(f"not a cached entry: {e}") from None


def row_checksum(rel: str, context: str, entry: str) -> bytes:
    """Checksum of a document row: also the entry's fingerprint (archive pages are keyed on it)."""
    return hashlib.blake2b(f"{rel}\0{context}\0{entry}".encode(), digest_size=8).digest()


# --- the index: what choosing entries needs, for every document -----------------------------

Known = list[Any]  # one document in the index: [size, mtime_ns, fingerprint hex, *light fields]


def _light(size: int, mtime_ns: int, fingerprint: bytes, e: Entry) -> Known:
    # Compact, because a rebuild decodes every row: the id is usually the url, the updated
    # time usually the date (None then), and a time is one string.
    date = _when(e.date)
    updated = date if e.updated is e.date else _when(e.updated)
    return [size, mtime_ns, fingerprint.hex(), None if e.id == e.url else e.id, e.url, date,
            None if updated == date else updated, e.category.slug, e.category.name, e.draft, e.date_source]


@dataclass(frozen=True)
class Row:
    """A freshly read document as the cache keeps it: its whole entry and its index row."""

    entry_json: str
    checksum: bytes  # row_checksum: the entry's fingerprint
    known: Known


def make_row(rel: str, size: int, mtime_ns: int, context: str, e: Entry) -> Row:
    """Return the cache rows of a document just read (in a worker: this is per-document work)."""
    text = entry_to_json(e)
    checksum = row_checksum(rel, context, text)
    return Row(text, checksum, _light(size, mtime_ns, checksum, e))


def row_entry(rel: str, row: Row) -> Entry:
    """Return the entry of a freshly made row, deferred: the rest is decoded from its JSON on use."""
    return deferred_entry(rel, row.known, functools.partial(entry_from_json, row.entry_json))


def stat_of(known: Known) -> tuple[int, int]:
    """Return the (size, mtime_ns) an index row was made from."""
    return known[0], known[1]


def fingerprint_of(known: Known) -> bytes:
    """Return the fingerprint (document row checksum) an index row names."""
    return bytes.fromhex(known[2])


def deferred_entry(rel: str, known: Known, load: Callable[[], Entry]) -> Entry:
    """Make the entry an index row describes; its other fields come from load() on first use."""
    try:
        _size, _mtime, _fp, id_, url, date, updated, slug, name, draft, date_source = known
        when = _when_from(date)
        return _frozen(
            Entry, id=id_ or url, url=url, date=when, updated=when if updated is None else _when_from(updated),
            category=_shared_category(slug, name), draft=draft is True, rel=rel, date_source=date_source,
            _deferred=load,
        )
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as e:
        raise ValueError(f"not an index row: {e}") from None


def bucket_of(rel: str) -> int:
    """Return the index bucket of a document (stable across runs and machines)."""
    return zlib.crc32(rel.encode("utf-8")) % BUCKETS


def _check(*parts: str | bytes) -> bytes:
    joined = b"\0".join(p.encode() if isinstance(p, str) else p for p in parts)
    return hashlib.blake2b(joined, digest_size=8).digest()


# --- the store -----------------------------------------------------------------------------


class DamagedError(Exception):
    """The cache file is not what feedpub wrote: it is thrown away."""


class SchemaChangedError(DamagedError):
    """The cache was written by a feedpub with other tables: thrown away, and nothing to warn about."""


_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    rel TEXT PRIMARY KEY, context TEXT NOT NULL, entry TEXT NOT NULL, checksum BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS idx (
    bucket INTEGER PRIMARY KEY, context TEXT NOT NULL, data TEXT NOT NULL, checksum BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (
    rel TEXT NOT NULL, digest BLOB NOT NULL, context TEXT NOT NULL, content TEXT NOT NULL,
    summary TEXT NOT NULL, checksum BLOB NOT NULL, PRIMARY KEY (rel, digest, context));
CREATE TABLE IF NOT EXISTS pages (
    number INTEGER PRIMARY KEY, context TEXT NOT NULL, key BLOB NOT NULL, data BLOB NOT NULL,
    checksum BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (
    key BLOB PRIMARY KEY, context TEXT NOT NULL, atom BLOB NOT NULL, rss BLOB NOT NULL, json BLOB NOT NULL,
    checksum BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS inlined (
    key BLOB PRIMARY KEY, context TEXT NOT NULL, html TEXT NOT NULL, checksum BLOB NOT NULL);
"""


class BuildCache:
    """An open cache for one build under one context; every method degrades to a miss."""

    def __init__(self, conn: sqlite3.Connection | None, context: str, path: Path | None) -> None:
        self._conn = conn
        self._pid = os.getpid()
        self.context = context
        self.path = path
        self.rebuilt = False  # the file was damaged and started afresh
        self.damage = ""  # what was wrong with it: the build reports it as a warning
        self.fingerprints: dict[str, bytes] = {}  # rel -> row checksum, for this build's entries
        self._index: dict[int, dict[str, Known]] | None = None  # bucket -> rel -> row, once read
        self._dirty: set[int] = set()  # buckets to write back
        self._late: tuple[int, sqlite3.Connection] | None = None  # (pid, connection) for deferred reads

    @property
    def warnings(self) -> tuple[str, ...]:
        """Return what a user should hear about the cache (it was damaged and rebuilt)."""
        if not self.rebuilt:
            return ()
        where = self.path or "the build cache"
        return (f"{where}: build cache was damaged ({self.damage}); it was thrown away and rebuilt",)

    @property
    def enabled(self) -> bool:
        """Whether rows are read and written at all."""
        return self._conn is not None

    def index(self) -> dict[str, Known]:
        """Return what the index knows of every document under this build's context, verified."""
        buckets: dict[int, dict[str, Known]] = {b: {} for b in range(BUCKETS)}
        if self._conn is not None:
            rows = self._guarded(
                lambda c: c.execute("SELECT bucket, data, checksum FROM idx WHERE context = ?",
                                    (self.context,)).fetchall()
            )
            for bucket, data, checksum in rows or ():
                if bucket not in buckets or checksum != _check(str(bucket), self.context, data):
                    self._discard("an index bucket does not match its checksum")
                    buckets = {b: {} for b in range(BUCKETS)}
                    break
                try:
                    found = json.loads(data)
                except ValueError:
                    found = None
                if not isinstance(found, dict):
                    self._discard("an index bucket does not decode")
                    buckets = {b: {} for b in range(BUCKETS)}
                    break
                buckets[bucket] = found
        self._index = buckets
        return {rel: known for bucket in buckets.values() for rel, known in bucket.items()}

    def full_entry(self, rel: str, fingerprint: bytes) -> Entry | None:
        """Return the whole cached entry of rel if its row is the one the index names, else None.

        Called lazily, possibly after the build closed the cache or in a forked worker (which
        must not use its parent's SQLite connection), so it reads through a connection of its own.
        """
        if self.path is None or self.rebuilt:
            return None
        try:
            conn = self._reader()
            row = conn.execute("SELECT entry, checksum FROM docs WHERE rel = ? AND context = ?",
                               (rel, self.context)).fetchone()
        except sqlite3.Error:
            return None
        if row is None or row[1] != fingerprint:
            return None  # another build replaced it meanwhile: the document is read instead
        if row[1] != row_checksum(rel, self.context, row[0]):
            self._discard("a document row does not match its checksum")
            return None
        try:
            return entry_from_json(row[0])
        except ValueError:
            self._discard("a document row does not decode")
            return None

    def _reader(self) -> sqlite3.Connection:
        pid = os.getpid()
        if self._conn is not None and self._late is None and pid == self._pid:
            return self._conn
        if self._late is None or self._late[0] != pid:
            self._late = (pid, sqlite3.connect(self.path or ":memory:", timeout=30))
        return self._late[1]

    def bodies(self, keys: Iterable[tuple[str, bytes]]) -> dict[tuple[str, bytes], tuple[str, str]]:
        """Return the cached (content_html, summary) of each (rel, digest) that has one."""
        if self._conn is None:
            return {}
        wanted = list(keys)
        found: dict[tuple[str, bytes], tuple[str, str]] = {}

        def read(c: sqlite3.Connection) -> None:
            for rel, digest in wanted:
                row = c.execute(
                    "SELECT content, summary, checksum FROM bodies "
                    "WHERE rel = ? AND digest = ? AND context = ?",
                    (rel, digest, self.context),
                ).fetchone()
                if row is None:
                    continue
                if row[2] != _check(rel, digest, self.context, row[0], row[1]):
                    raise DamagedError("a body row does not match its checksum")
                found[(rel, digest)] = (row[0], row[1])

        if self._guarded(read) is None and self._conn is None:
            return {}
        return found

    def save(
        self,
        docs: Mapping[str, Row],
        gone: Iterable[str],
        bodies: dict[tuple[str, bytes], tuple[str, str]],
    ) -> None:
        """Record new or changed documents and bodies, forget removed documents: one transaction.

        Each saved document's fingerprint goes into ``fingerprints``; the index buckets that
        saved or removed documents touch are written by ``flush``.
        """
        gone = list(gone)
        ctx = self.context
        for rel, row in docs.items():
            self.fingerprints[rel] = row.checksum
        if self._conn is None or not (docs or bodies or gone):
            return
        if self._index is not None:
            for rel in gone:
                b = bucket_of(rel)
                self._index[b].pop(rel, None)
                self._dirty.add(b)
            for rel, row in docs.items():
                b = bucket_of(rel)
                self._index[b][rel] = row.known
                self._dirty.add(b)

        def write(c: sqlite3.Connection) -> None:
            with c:  # one transaction; concurrent builds wait on the busy timeout
                c.executemany("DELETE FROM docs WHERE rel = ?", ((r,) for r in gone))
                c.executemany("DELETE FROM bodies WHERE rel = ?", ((r,) for r in gone))
                c.executemany(
                    "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?)",
                    ((rel, ctx, row.entry_json, row.checksum) for rel, row in docs.items()),
                )
                # a document has one current body: drop the bodies of its earlier versions
                c.executemany("DELETE FROM bodies WHERE rel = ? AND digest != ?", bodies.keys())
                c.executemany(
                    "INSERT OR REPLACE INTO bodies VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        (rel, digest, ctx, content, summary, _check(rel, digest, ctx, content, summary))
                        for (rel, digest), (content, summary) in bodies.items()
                    ),
                )

        self._guarded(write)

    def flush(self) -> None:
        """Write the index buckets that changed and drop rows of other contexts: once per build.

        Pruning here, not in ``save`` (which runs once per chunk of a cold build), keeps a cold
        build of a large archive linear: each prune scans whole tables.
        """
        if self._conn is None or self._index is None:
            return
        ctx = self.context
        index = self._index
        dirty = sorted(self._dirty)

        def write(c: sqlite3.Connection) -> None:
            with c:
                for b in dirty:
                    data = json.dumps(index[b], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                    c.execute("INSERT OR REPLACE INTO idx VALUES (?, ?, ?, ?)",
                              (b, ctx, data, _check(str(b), ctx, data)))
                # rows of other contexts (an old config) and bodies of old versions are dead
                c.execute("DELETE FROM idx WHERE context != ?", (ctx,))
                if c.execute("SELECT 1 FROM docs WHERE context != ? LIMIT 1", (ctx,)).fetchone():
                    c.execute("DELETE FROM docs WHERE context != ?", (ctx,))
                    c.execute("DELETE FROM bodies WHERE context != ? OR NOT EXISTS "
                              "(SELECT 1 FROM docs WHERE docs.rel = bodies.rel)", (ctx,))

        self._dirty.clear()
        self._guarded(write)

    def pages(self, keys: dict[int, bytes]) -> dict[int, bytes]:
        """Return the stored bytes of each archive page whose key is unchanged."""
        if self._conn is None or not keys:
            return {}
        found: dict[int, bytes] = {}

        def read(c: sqlite3.Connection) -> None:
            stored = c.execute("SELECT number, key FROM pages WHERE context = ?", (self.context,)).fetchall()
            for number, key in stored:
                if keys.get(number) != key:
                    continue
                data, checksum = c.execute(
                    "SELECT data, checksum FROM pages WHERE number = ?", (number,)
                ).fetchone()
                if checksum != _check(str(number), self.context, key, data):
                    raise DamagedError("an archive page row does not match its checksum")
                found[number] = data

        self._guarded(read)
        return found if self._conn is not None else {}

    def save_pages(self, pages: dict[int, tuple[bytes, bytes]], last: int) -> None:
        """Record new archive pages (number -> key, bytes); forget pages past the last one."""
        if self._conn is None:
            return
        ctx = self.context

        def write(c: sqlite3.Connection) -> None:
            with c:
                c.executemany(
                    "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)",
                    ((n, ctx, key, data, _check(str(n), ctx, key, data)) for n, (key, data) in pages.items()),
                )
                c.execute("DELETE FROM pages WHERE number > ? OR context != ?", (last, ctx))

        self._guarded(write)

    def feeds(self, keys: Iterable[bytes]) -> dict[bytes, tuple[bytes, bytes, bytes]]:
        """Return the stored (Atom, RSS, JSON Feed) bytes of each feed whose key is given."""
        if self._conn is None:
            return {}
        wanted = list(keys)
        found: dict[bytes, tuple[bytes, bytes, bytes]] = {}

        def read(c: sqlite3.Connection) -> None:
            for key in wanted:
                row = c.execute(
                    "SELECT atom, rss, json, checksum FROM feeds WHERE key = ? AND context = ?", (key, self.context)
                ).fetchone()
                if row is None:
                    continue
                if row[3] != _check(key, self.context, row[0], row[1], row[2]):
                    raise DamagedError("a feed row does not match its checksum")
                found[key] = (row[0], row[1], row[2])

        self._guarded(read)
        return found if self._conn is not None else {}

    def save_feeds(self, made: dict[bytes, tuple[bytes, bytes, bytes]], current: Iterable[bytes]) -> None:
        """Record newly made feeds (key -> Atom, RSS, JSON bytes); forget feeds not in current."""
        current = list(current)
        if self._conn is None:
            return
        ctx = self.context

        def write(c: sqlite3.Connection) -> None:
            with c:
                c.executemany(
                    "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?)",
                    ((key, ctx, a, r, j, _check(key, ctx, a, r, j)) for key, (a, r, j) in made.items()),
                )
                kept = set(current)
                stale = [(k,) for (k,) in c.execute("SELECT key FROM feeds").fetchall() if k not in kept]
                c.executemany("DELETE FROM feeds WHERE key = ?", stale)  # feeds of the past are not asked for

        self._guarded(write)

    def inlined(self, key: bytes) -> str | None:
        """Return the CSS-inlined HTML stored for the page whose content hash is key, if any."""
        if self._conn is None:
            return None

        def read(c: sqlite3.Connection) -> str | None:
            row = c.execute(
                "SELECT html, checksum FROM inlined WHERE key = ? AND context = ?", (key, self.context)
            ).fetchone()
            if row is None:
                return None
            if row[1] != _check(key, self.context, row[0]):
                raise DamagedError("an inlined page row does not match its checksum")
            return str(row[0])

        found: str | None = self._guarded(read)
        return found

    def save_inlined(self, key: bytes, html: str) -> None:
        """Record the CSS-inlined HTML of the page whose content hash is key; keep only that one."""
        if self._conn is None:
            return
        ctx = self.context

        def write(c: sqlite3.Connection) -> None:
            with c:
                c.execute("DELETE FROM inlined WHERE key != ?", (key,))  # last week's page is not asked for again
                c.execute("INSERT OR REPLACE INTO inlined VALUES (?, ?, ?, ?)",
                          (key, ctx, html, _check(key, ctx, html)))

        self._guarded(write)

    def close(self) -> None:
        """Close the database (entries read later open a connection of their own)."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def _guarded(self, action: Any) -> Any:
        if self._conn is None:
            return None
        try:
            return action(self._conn)
        except (sqlite3.DatabaseError, DamagedError) as e:
            if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
                return None  # another build holds it past the timeout: do without, once
            self._discard(str(e))
            return None

    def _discard(self, why: str) -> None:
        """Throw the damaged file away and carry on without a cache for this build.

        A forked worker (reading a deferred entry) only stops trusting the cache: the file
        belongs to the parent, which still has it open.
        """
        self.rebuilt = True
        self.damage = why
        if os.getpid() != self._pid:
            return
        self.close()
        if self.path is not None:
            _remove(self.path)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(str(path) + suffix).unlink()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)  # 'with conn' commits a build's writes at once
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL keeps it consistent; a lost row just misses
    conn.executescript(_DDL)
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if row is None:
        with conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
    elif row[0] != str(SCHEMA):
        conn.close()
        raise SchemaChangedError(f"cache schema {row[0]}, expected {SCHEMA}")
    return conn


@contextlib.contextmanager
def opened(config: Config) -> Iterator[BuildCache]:
    """Open the cache of config.source (or a disabled one), closing it afterwards."""
    if not config.cache or config.source.resolve() == resources.seeds_dir().resolve():
        yield BuildCache(None, "", None)  # never write into the package's embedded seeds
        return
    path = cache_path(config)
    context = context_key(config)
    conn: sqlite3.Connection | None = None
    damage = ""
    try:
        path.parent.mkdir(exist_ok=True)
        try:
            conn = _connect(path)
        except (sqlite3.DatabaseError, DamagedError) as e:
            if not isinstance(e, SchemaChangedError):  # an upgrade of feedpub is not damage
                damage = str(e) or type(e).__name__
            _remove(path)
            conn = _connect(path)
    except (OSError, sqlite3.Error, DamagedError):
        conn = None  # read-only source folder or the like: build without a cache
    store = BuildCache(conn, context, path if conn is not None else None)
    store.rebuilt, store.damage = bool(damage), damage
    try:
        yield store
    finally:
        store.flush()
        store.close()


def stat_key(st: os.stat_result) -> tuple[int, int]:
    """Return the (size, mtime_ns) a row is matched on before any hashing."""
    return st.st_size, st.st_mtime_ns
