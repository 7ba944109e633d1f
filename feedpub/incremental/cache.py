"""The persistent build cache: what a rebuild needs to read, render and write only what changed.

One SQLite file per pair of source and output folders, under the user's cache folder
(:func:`cache_path`: never inside the source folder, the output folder or feedpub itself, so a
build leaves nothing in a git checkout or a wheel), with three tables:

- ``catalogue``: every valid document's :class:`~feedpub.records.Record` (its size, mtime,
  fingerprint and the fields choosing entries needs), in 16 shards by a hash of the path,
  each stored as columns (:func:`feedpub.incremental.catalogue.encode`). A document whose size and
  mtime match its record is not read again; a build rewrites only the shards it changed.
- ``bodies``: the rendered HTML and summary of documents some output showed, by fingerprint,
  so a touched but unchanged file keeps its body.
- ``written``: the key of every output file written to an output folder and the file's size,
  mtime and inode, so an output whose key did not change is neither made nor rewritten
  (:class:`feedpub.write.Previous`).

Everything is valid only under one *context*: feedpub's version and code, the libraries that
make outputs, the cache schema, the configuration and the templates. Records and bodies are
stored under it (another context misses), and every output key includes it.

Never trusted blindly: each row carries a checksum of what it stores, the schema version is
checked, and any damage (a file that is not a database, a malformed page, a bad checksum)
throws the file away and starts an empty one. The cache is an optimisation only: when it
cannot be opened or written, the build goes on without it. Concurrent builds are safe:
SQLite in WAL mode with a busy timeout, each write in one transaction.

Rows hold columns, text and bytes, never pickles: a source folder shared with others must not
become a way to run code at build time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from feedpub import __version__, resources
from feedpub.config import Config, output_values
from feedpub.incremental import catalogue
from feedpub.incremental.catalogue import Shared  # by name: the method catalogue() hides the module in the class
from feedpub.records import Record
from feedpub.render import templating
from feedpub.write import Written

SCHEMA = 9  # bump when the tables change (8: ctime in the catalogue and the written-files record; 9: refs)
SHARDS = 16  # of the catalogue: a rebuild rewrites the shards of changed documents only
FILE = "cache.sqlite"
ENV = "FEEDPUB_CACHE_DIR"  # overrides the cache folder (tests, CI, a shared machine)
_PACKAGE = Path(__file__).resolve().parent.parent  # the feedpub package: all its code


def cache_root(config: Config, environ: Mapping[str, str] = os.environ) -> Path:
    """Return the folder of feedpub's caches: cache_dir, $FEEDPUB_CACHE_DIR, else the XDG cache folder."""
    if config.cache_dir is not None:
        return config.cache_dir
    if environ.get(ENV):
        return Path(environ[ENV]).resolve()
    xdg = environ.get("XDG_CACHE_HOME", "")
    # the XDG spec: a relative XDG_CACHE_HOME is invalid and ignored
    return (Path(xdg) if Path(xdg).is_absolute() else Path.home() / ".cache") / "feedpub"


def written_root(config: Config) -> Path | None:
    """Return the folder of caches a build of config writes into, or None when it keeps no cache."""
    if not config.cache or config.source.resolve() == resources.seeds_dir().resolve():
        return None
    try:
        return cache_root(config)
    except RuntimeError:  # no home folder: the build goes without a cache
        return None


def cache_path(config: Config, environ: Mapping[str, str] = os.environ) -> Path:
    """Return where the cache of a build lives: one file per pair of source and output folders."""
    folders = f"{config.source.resolve()}\0{config.out.resolve()}".encode()
    return cache_root(config, environ) / hashlib.blake2b(folders, digest_size=10).hexdigest() / FILE


_OUTPUT_LIBRARIES = ("feedgen", "lxml", "comrak", "nh3", "premailer", "cssutils", "jinja2", "PyYAML",
                     "python-frontmatter")


def context_key(config: Config) -> str:
    """Hash everything besides a document that its record, rendered body or outputs depend on."""
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
    # the options declared to change output bytes; a table in its order, which a template may show
    for name, value in output_values(config):
        h.update(f"{name}={value!r}\n".encode())
    for p in templating.template_files(config):
        h.update(str(p).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def shard_of(rel: str) -> int:
    """Return the catalogue shard of a document (stable across runs and machines)."""
    return zlib.crc32(rel.encode("utf-8", "surrogatepass")) % SHARDS


def _check(*parts: str | bytes | int) -> bytes:
    joined = b"\0".join(p.encode() if isinstance(p, str) else str(p).encode() if isinstance(p, int) else p
                        for p in parts)
    return hashlib.blake2b(joined, digest_size=8).digest()


def _shard_check(shard: int, context: str, data: bytes) -> bytes:
    # CRC-32 of the megabytes of a shard, not a cryptographic hash: it detects damage (what a
    # checksum here is for: anyone able to edit the file can recompute either), at a fraction
    # of blake2b's cost on a large catalogue (see docs/performance.md).
    return _check(shard, context, zlib.crc32(data), len(data))


def _intact(shard: Any, data: Any, checksum: Any, context: str) -> bool:
    """Whether a catalogue row is a shard's bytes under its checksum."""
    return (isinstance(data, bytes) and isinstance(shard, int) and 0 <= shard < SHARDS
            and checksum == _shard_check(shard, context, data))


# --- the store -----------------------------------------------------------------------------


class DamagedError(Exception):
    """The cache file is not what feedpub wrote: it is thrown away."""


class SchemaChangedError(DamagedError):
    """The cache was written by a feedpub with other tables: thrown away, and nothing to warn about."""


_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS catalogue (
    shard INTEGER PRIMARY KEY, context TEXT NOT NULL, data BLOB NOT NULL, checksum BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (
    rel TEXT NOT NULL, fingerprint BLOB NOT NULL, context TEXT NOT NULL, content TEXT NOT NULL,
    summary TEXT NOT NULL, checksum BLOB NOT NULL, PRIMARY KEY (rel, fingerprint, context));
CREATE TABLE IF NOT EXISTS written (out TEXT PRIMARY KEY, data BLOB NOT NULL, checksum BLOB NOT NULL);
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
        self._shards: list[dict[str, Record]] = [{} for _ in range(SHARDS)]  # as read, then as updated
        self._dirty: set[int] = set()  # shards to write back
        self._encoded: dict[int, bytes] = {}  # dirty shards whose encoding is known already
        self._pruned = False  # rows of other contexts deleted (once a build)

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

    # --- the catalogue ---

    def has_catalogue(self) -> bool:
        """Whether the cache holds records under this build's context (without reading them)."""
        found = self._guarded(lambda c: c.execute(
            "SELECT 1 FROM catalogue WHERE context = ? LIMIT 1", (self.context,)).fetchone())
        return found is not None

    def catalogue(self, shared: Shared | None = None) -> dict[str, Record]:
        """Return the record of every document the cache knows under this build's context, verified.

        shared: the build's objects for repeated values (dates, categories).
        """
        rows = self._guarded(lambda c: c.execute(
            "SELECT shard, data, checksum FROM catalogue WHERE context = ?", (self.context,)).fetchall())
        shards = self._decoded(rows or (), shared)
        self._shards = shards
        found: dict[str, Record] = {}
        for shard in shards:
            found.update(shard)
        return found

    def _decoded(self, rows: Iterable[tuple[Any, Any, Any]], shared: Shared | None,
                 ) -> list[dict[str, Record]]:
        """Return each shard's records by path; all empty, and the cache discarded, when one row is damaged."""
        shards: list[dict[str, Record]] = [{} for _ in range(SHARDS)]
        for shard, data, checksum in rows:
            if not _intact(shard, data, checksum, self.context):
                self._discard("a catalogue shard does not match its checksum")
                return [{} for _ in range(SHARDS)]
            try:
                shards[shard] = {r.rel: r for r in catalogue.decode(data, shared)}
            except ValueError:
                self._discard("a catalogue shard does not decode")
                return [{} for _ in range(SHARDS)]
        return shards

    def put_shard(self, shard: int, data: bytes, records: Iterable[Record]) -> None:
        """Set a whole shard: its records, and data, their encoding (written by flush as it is)."""
        self._shards[shard] = {r.rel: r for r in records}
        self._encoded[shard] = data
        self._dirty.add(shard)

    def update(self, records: Iterable[Record], gone: Iterable[str]) -> None:
        """Record new or changed documents and forget removed ones (written by flush)."""
        for r in records:
            s = shard_of(r.rel)
            self._shards[s][r.rel] = r
            self._dirty.add(s)
            self._encoded.pop(s, None)
        for rel in gone:
            s = shard_of(rel)
            if self._shards[s].pop(rel, None) is not None:
                self._dirty.add(s)
                self._encoded.pop(s, None)

    # --- rendered bodies ---

    def bodies(self, keys: Iterable[tuple[str, bytes]]) -> dict[tuple[str, bytes], tuple[str, str]]:
        """Return the cached (content_html, summary) of each (rel, fingerprint) that has one."""
        wanted = list(keys)
        found: dict[tuple[str, bytes], tuple[str, str]] = {}

        def read(c: sqlite3.Connection) -> None:
            for rel, fp in wanted:
                row = c.execute(
                    "SELECT content, summary, checksum FROM bodies WHERE rel = ? AND fingerprint = ? AND context = ?",
                    (rel, fp, self.context),
                ).fetchone()
                if row is None:
                    continue
                if row[2] != _check(rel, fp, self.context, row[0], row[1]):
                    raise DamagedError("a body row does not match its checksum")
                found[(rel, fp)] = (row[0], row[1])

        if not wanted or (self._guarded(read) is None and self._conn is None):
            return {}
        return found

    def save_bodies(self, bodies: Mapping[tuple[str, bytes], tuple[str, str]]) -> None:
        """Record rendered bodies by (rel, fingerprint); a document keeps only its current one."""
        ctx = self.context

        def write(c: sqlite3.Connection) -> None:
            with c:  # one transaction; concurrent builds wait on the busy timeout
                c.executemany("DELETE FROM bodies WHERE rel = ? AND fingerprint != ?", bodies.keys())
                c.executemany(
                    "INSERT OR REPLACE INTO bodies VALUES (?, ?, ?, ?, ?, ?)",
                    ((rel, fp, ctx, content, summary, _check(rel, fp, ctx, content, summary))
                     for (rel, fp), (content, summary) in bodies.items()),
                )

        if bodies:
            self._guarded(write)

    # --- the output folder ---

    def written(self, out: Path) -> dict[str, Written]:
        """Return what the last build recorded of each file it wrote to out, verified."""
        where = str(out.resolve())

        def read(c: sqlite3.Connection) -> dict[str, Written]:
            row = c.execute("SELECT data, checksum FROM written WHERE out = ?", (where,)).fetchone()
            if row is None:
                return {}
            data, checksum = row
            if not isinstance(data, bytes) or checksum != _check(where, data):
                raise DamagedError("the record of written files does not match its checksum")
            try:
                paths, columns = catalogue.decode_table(data, _WRITTEN_FORMS)
            except ValueError as e:
                raise DamagedError("the record of written files does not decode") from e
            return dict(zip(paths, map(_WRITTEN, zip(*columns, strict=True)), strict=True))

        return self._guarded(read) or {}

    def save_written(self, out: Path, files: Mapping[str, Written], before: Mapping[str, Written]) -> None:
        """Record files as what out holds now (before: what written() said; written only if it differs).

        One value for the whole folder, not a row per file: an archive's output has a file
        per page, and a rebuild reads them all. Stored as columns (paths, then each field of
        :class:`~feedpub.write.Written`: :func:`feedpub.incremental.catalogue.encode_table`).
        """
        if files == before:
            return
        where = str(out.resolve())
        paths = sorted(files)
        columns: list[Sequence[Any]] = ([*zip(*(files[path] for path in paths), strict=True)]
                                        or [()] * len(_WRITTEN_FORMS))
        data = catalogue.encode_table(paths, *zip(_WRITTEN_FORMS, columns, strict=True))

        def write(c: sqlite3.Connection) -> None:
            with c:
                c.execute("INSERT OR REPLACE INTO written VALUES (?, ?, ?)", (where, data, _check(where, data)))

        self._guarded(write)

    # --- housekeeping ---

    def flush(self) -> None:
        """Write the catalogue shards that changed since the last flush; drop rows of other contexts once.

        A build flushes while its outputs are made and again when the cache closes: the
        second writes only what changed in between (usually nothing).
        """
        if self._conn is None or (self._pruned and not self._dirty):
            return
        ctx = self.context
        encoded = []
        for s in sorted(self._dirty):
            try:
                data = self._encoded.pop(s, None) or catalogue.encode(list(self._shards[s].values()))
            except ValueError:
                continue  # a record that cannot be kept: its documents are read again next time
            encoded.append((s, ctx, data, _shard_check(s, ctx, data)))
        self._dirty.clear()

        prune = not self._pruned

        def write(c: sqlite3.Connection) -> None:
            with c:
                c.executemany("INSERT OR REPLACE INTO catalogue VALUES (?, ?, ?, ?)", encoded)
                if prune:  # rows of other contexts (an old config or feedpub) are dead
                    c.execute("DELETE FROM catalogue WHERE context != ?", (ctx,))
                    if c.execute("SELECT 1 FROM bodies WHERE context != ? LIMIT 1", (ctx,)).fetchone():
                        c.execute("DELETE FROM bodies WHERE context != ?", (ctx,))

        self._pruned = True
        self._guarded(write)

    def close(self) -> None:
        """Close the database."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def _guarded(self, action: Any) -> Any:
        if self._conn is None or os.getpid() != self._pid:
            return None  # a forked worker never uses its parent's connection
        try:
            return action(self._conn)
        except sqlite3.OperationalError:
            # locked past the timeout by another build, a full disk, an I/O error: not damage
            # (the file may be fine, and another build may be using it): do without, this time
            self.close()
            return None
        except (sqlite3.DatabaseError, DamagedError) as e:
            self._discard(str(e))
            return None

    def _discard(self, why: str) -> None:
        """Throw the damaged file away and carry on without a cache for this build."""
        self.rebuilt = True
        self.damage = why
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


_WRITTEN = functools.partial(tuple.__new__, Written)  # Written._make without its Python-level checks
_WRITTEN_FORMS = (catalogue.BYTES, "q", "q", "q", "Q")  # key, size, mtime_ns, ctime_ns, ino: the table's columns
DISABLED = BuildCache(None, "", None)  # for reading without a cache (check, tests, tools)


@contextlib.contextmanager
def opened(config: Config) -> Iterator[BuildCache]:
    """Open the cache of config.source (or a disabled one), closing it afterwards."""
    if not config.cache or config.source.resolve() == resources.seeds_dir().resolve():
        yield BuildCache(None, context_key(config), None)  # never write into the package's embedded seeds
        return
    context = context_key(config)
    conn: sqlite3.Connection | None = None
    path: Path | None = None
    damage = ""
    try:
        path = cache_path(config)  # RuntimeError: no home folder to put it in
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = _connect(path)
        except sqlite3.OperationalError:
            raise  # locked by another build, unreadable: not damage; build without the cache
        except (sqlite3.DatabaseError, DamagedError) as e:
            if not isinstance(e, SchemaChangedError):  # an upgrade of feedpub is not damage
                damage = str(e) or type(e).__name__
            _remove(path)
            conn = _connect(path)
    except (OSError, RuntimeError, sqlite3.Error, DamagedError):
        conn = None  # a read-only cache folder or the like: build without a cache
    store = BuildCache(conn, context, path if conn is not None else None)
    store.rebuilt, store.damage = bool(damage), damage
    try:
        yield store
    finally:
        store.flush()
        store.close()
