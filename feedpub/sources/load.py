"""Stage 1 — load: find the documents of a source folder and split each into front matter and body.

This is the only module that imports python-frontmatter (and through it PyYAML). Nothing is
inferred here: a ``SourceDoc`` is exactly what the file says, decoded and cleaned of
characters XML cannot carry.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import frontmatter
import yaml

from feedpub.errors import Problem, SourceError
from feedpub.model import EMPTY, Limits, SourceDoc, make
from feedpub.sources.plaintext import CONTROL

SUFFIXES = (".md", ".markdown", ".txt")
_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:", re.MULTILINE)
_QUOTED = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\n]|'')*'")


class _YAML(frontmatter.default_handlers.YAMLHandler):
    """python-frontmatter's YAML handler, pinned to the safe C loader when PyYAML has it."""

    def load(self, fm: str, **_kwargs: object) -> Any:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(fm, Loader=loader)  # noqa: S506 - a safe loader, never the full one


_HANDLER = _YAML()

# Fast path for the common front matter, one ``key: scalar`` per line: what PyYAML would make
# of it is decided here with PyYAML's own implicit resolvers, and anything else (nesting,
# lists, numbers, flow or block scalars, comments after values, duplicate keys…) returns None
# so the real parser decides. Saves most of the YAML time of a large archive.
_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*))?\Z")
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_DATE_ONLY = re.compile(r"(\d{4})-(\d\d)-(\d\d)\Z")
_PLAIN_START_BAD = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Tabs, YAML line breaks, BOM: none of them in the front matter, or PyYAML decides (a few `in`
# tests cost a tenth of a regex class search over a non-ASCII text). A backslash is read only
# in the escapes \" and \\ of a double-quoted value (below); anywhere else PyYAML decides.
_NOT_SIMPLE = ("\x85", "\u2028", "\u2029", "\ufeff")
# The commonest lines in one regex over the whole front matter: a YYYY-MM-DD date (PyYAML's
# timestamp resolver claims exactly those), a quoted string without its quote inside, a plain
# scalar (whether it holds ": " or " #", ends in ":" or is claimed by a resolver, is asked after).
# Front matter made only of such lines (and empty ones) is read with a few steps per key;
# anything else goes through the line-by-line path below, which decides the same way.
_NOT_PLAIN_START = f" \\n{re.escape(''.join(sorted(_PLAIN_START_BAD)))}"  # in a regex class
_COMMON_LINE = re.compile(
    r"^(?:([A-Za-z_][A-Za-z0-9_-]*):[ ]+(?:"
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ ]*"
    r"|(\"[^\"\n]*\"|'[^'\n]*')[ ]*"
    rf"|([^{_NOT_PLAIN_START}][^\n]*)"
    r"))?\n",
    re.MULTILINE,
)
# The same lines in front matter that holds a backslash, which only a double-quoted value may
# hold, in the escapes \" and \\ (a backslash anywhere else sends the front matter to PyYAML).
# A regex of its own: excluding the backslash slows the common one's [^\n]* several times.
_COMMON_LINE_ESCAPED = re.compile(
    r"^(?:([A-Za-z_][A-Za-z0-9_-]*):[ ]+(?:"
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ ]*"
    r"|(\"[^\"\\\n]*(?:\\[\"\\][^\"\\\n]*)*\"|'[^'\\\n]*')[ ]*"
    rf"|([^{_NOT_PLAIN_START}\\][^\n\\]*)"
    r"))?\n",
    re.MULTILINE,
)
_ESCAPE = re.compile(r'\\(["\\])')  # in a double-quoted value, \" stands for " and \\ for \


def _implicit_tag(value: str) -> str:
    for tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return str(tag)
    return "tag:yaml.org,2002:str"


@lru_cache(maxsize=4096)
def _plain_key(key: str) -> bool:
    """Whether PyYAML reads key as a string (keys repeat across an archive: cached)."""
    return _implicit_tag(key) == "tag:yaml.org,2002:str"


def _simple_scalar(raw: str) -> tuple[bool, Any]:
    """Return (True, value) when raw is a scalar PyYAML reads as a str or a plain date."""
    v = raw.rstrip(" ")
    if not v:
        return True, None
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        inner = v[1:-1]
        return (v[0] not in inner), inner
    if v[0] in _PLAIN_START_BAD or ": " in v or " #" in v or v.endswith(":"):
        return False, None
    if v[0] not in _RESOLVERS:  # no implicit type starts with this character: a string
        return True, v
    tag = _implicit_tag(v)
    if tag == "tag:yaml.org,2002:str":
        return True, v
    m = _DATE_ONLY.match(v) if tag == "tag:yaml.org,2002:timestamp" else None
    if m:
        try:
            return True, dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return False, None  # let PyYAML report the impossible date
    return False, None


def simple_front_matter(fm: str) -> dict[str, Any] | None:
    """Parse flat ``key: scalar`` front matter exactly as PyYAML would, or return None."""
    simple = _simple_front_matter(fm)
    return None if simple is None else simple[0]


def _simple_front_matter(fm: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Return (mapping, key -> line of fm counted from 1) for flat front matter, or None.

    The lines are what ``_KEY`` finds in such front matter: every key starts its own line.
    """
    if "\t" in fm:
        return None
    if not fm.isascii():  # the others are not ASCII (isascii() reads a flag)
        for char in _NOT_SIMPLE:
            if char in fm:
                return None
    common = _common_front_matter(fm)
    if common is not None or "\\" in fm:  # _line_by_line reads no escape: PyYAML decides
        return common
    return _line_by_line(fm)


def _common_front_matter(fm: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Read front matter made only of _COMMON_LINE lines and empty lines; else return None."""
    if not fm.endswith("\n"):
        fm += "\n"  # the last line too ends in one (an empty line more changes nothing)
    found = (_COMMON_LINE_ESCAPED if "\\" in fm else _COMMON_LINE).findall(fm)
    # A match starts at a line start and takes one whole line: as many matches as lines
    # means every line matched.
    if len(found) != fm.count("\n"):
        return None
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for number, (key, day, quoted, raw) in enumerate(found, 1):
        if not key:
            continue  # an empty line
        if key in meta or (key[0] in _RESOLVERS and not _plain_key(key)):
            return None
        lines[key] = number
        if raw:
            plain = raw.rstrip(" ")
            if ": " in plain or " #" in plain or plain[-1] == ":" or (
                plain[0] in _RESOLVERS and _implicit_tag(plain) != "tag:yaml.org,2002:str"
            ):
                return None  # the line-by-line path decides (a bool, a number, a datetime…)
            meta[key] = plain
        elif quoted:
            # split() keeps what each escape stands for between the pieces (no template to expand)
            meta[key] = "".join(_ESCAPE.split(quoted[1:-1])) if "\\" in quoted else quoted[1:-1]
        else:
            try:
                meta[key] = dt.date(int(day[:4]), int(day[5:7]), int(day[8:]))
            except ValueError:
                return None  # let PyYAML report the impossible date
    return meta, lines


def _line_by_line(fm: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Read flat front matter one line at a time (the general form of _common_front_matter)."""
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    number = 0
    for line in fm.split("\n"):
        number += 1
        if not line.strip(" ") or line[0] == "#":
            continue
        m = _SIMPLE_LINE.match(line)
        if m is None:
            return None
        key, raw = m.groups()
        if key in meta or (key[0] in _RESOLVERS and not _plain_key(key)):
            return None
        ok, value = _simple_scalar(raw or "")
        if not ok:
            return None
        meta[key] = value
        lines[key] = number
    return meta, lines


def strip_controls(text: str) -> str:
    """Remove characters that XML output cannot carry (keeps tab, newline)."""
    return CONTROL.sub("", text)


# What CONTROL matches, as strict UTF-8 spells it: C0 controls and DEL are single bytes, the
# C1 controls U+0080-U+009F are \xc2\x80-\xc2\x9f, U+FFFE/U+FFFF are \xef\xbf\xbe/\xbf, and
# lone surrogates never survive strict decoding. Asking the bytes is ~5 us a document where
# CONTROL over the decoded text costs ~22 us even when it finds nothing.
_C0_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r") + b"\x7f"
# Every other byte: deleting these leaves the C0 bytes, nearly always none. A translate() that
# writes nothing costs two thirds of one that copies the whole document.
_NOT_C0_BYTES = bytes(b for b in range(0x100) if b not in _C0_BYTES)
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_NONCHAR_UTF8 = re.compile(b"\xef\xbf[\xbe\xbf]")


def utf8_may_have_controls(data: bytes) -> bool:
    """Whether UTF-8 data may hold a character CONTROL matches (False means it holds none)."""
    return (
        len(data.translate(None, _NOT_C0_BYTES)) != 0
        # find(), not `in`: bytes.__contains__ first tries its argument as an int (an error raised
        # and cleared each time)
        or (data.find(b"\xc2") >= 0 and _C1_UTF8.search(data) is not None)
        or (data.find(b"\xef") >= 0 and _NONCHAR_UTF8.search(data) is not None)
    )


def decode(data: bytes, rel: str) -> str:
    """Decode bytes as UTF-8 (BOM optional) or UTF-16 with BOM; CRLF/CR become LF."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        nul = data.find(b"\0", 0, 8192)
        if nul >= 0:
            raise SourceError([Problem(rel, None, f"looks like a binary file (NUL byte at byte offset {nul}); "
                                       "documents must be UTF-8 or UTF-16 text")])
    try:
        if encoding == "utf-16":
            text = data.decode(encoding)
        else:
            # what the utf-8-sig codec does (error offsets included), without its Python step
            text = (data[3:] if data.startswith(codecs.BOM_UTF8) else data).decode("utf-8")
    except UnicodeDecodeError as e:
        raise SourceError(
            [Problem(rel, None, f"not valid {encoding.upper().replace('-SIG', '')} text: "
                     f"undecodable byte 0x{data[e.start]:02x} at byte offset {e.start}")]
        ) from None
    # One scan finds no CR in most files; two replace() passes cost ~6 us a document. In UTF-8
    # the byte 0x0D is only ever a CR, and memchr() over the bytes is faster than a scan of a
    # two-byte-per-character text.
    if (data.find(b"\r") >= 0) if encoding == "utf-8-sig" else ("\r" in text):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if encoding == "utf-8-sig" and not utf8_may_have_controls(data):
        return text  # nothing for strip_controls to remove (UTF-16 always takes the full check)
    return strip_controls(text)


def discover_rel(source: Path, *, ordered: bool = True) -> list[tuple[str, str]]:
    """List (POSIX path relative to source, file system path) of every document, sorted by the former.

    ordered=False leaves them in the file system's order, for a caller that sorts only the
    few it reads (a rebuild of 50,000 documents need not sort them all).
    """
    found: list[tuple[str, str]] = []
    top = str(source)
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        # strings, not pathlib or os.path.join: this runs once per file of the archive
        prefix = folder[len(top):].strip(os.sep).replace(os.sep, "/")
        prefix = prefix + "/" if prefix else ""
        where = folder if folder.endswith(os.sep) else folder + os.sep
        found.extend(
            (prefix + f, where + f) for f in files
            if f.lower().endswith(SUFFIXES) and f[0] not in "._"
        )
    if ordered:
        found.sort()  # by rel: no two files share one
    return found


def listing(source: Path) -> list[tuple[str, str, int, int]]:
    """Return (rel, path, size, mtime_ns) of every document, in the file system's order.

    A document that vanishes between listing and stat has size -1 (reading it reports why).
    """
    stat = os.stat
    found = []
    for rel, path in discover_rel(source, ordered=False):
        try:
            st = stat(path)
        except OSError:
            found.append((rel, path, -1, -1))
            continue
        found.append((rel, path, st.st_size, st.st_mtime_ns))
    return found


def _yaml_problem(rel: str, error: yaml.YAMLError, first_line: int) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = first_line + mark.line if mark is not None else first_line
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return Problem(rel, line, f"invalid YAML front matter: {problem}")


def _nesting(fm: str) -> int:
    """Return the deepest nesting of YAML flow collections ([ and {) outside quoted strings."""
    depth = deepest = 0
    for ch in _QUOTED.sub("", fm):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def split_front_matter(text: str) -> tuple[str, str] | None:
    """Return (front matter, body) as python-frontmatter splits them, or None when it would not.

    The handler's split() runs its fence pattern over the text; the closing fence is the first
    line after the opening one that the pattern matches, and such a line starts with '---', so
    only those lines are tried.
    """
    found = _fences(text)
    return None if found is None else (text[found[0]:found[1]], text[found[2]:])


def _fences(text: str) -> tuple[int, int, int] | None:
    """Return where split_front_matter's front matter starts and ends and where its body starts."""
    fence = _HANDLER.FM_BOUNDARY
    opening = fence.match(text) if text.startswith("---") else None
    if opening is None:
        return None
    at = opening.end() - 1
    while (at := text.find("\n---", at)) >= 0:
        at += 1
        closing = fence.match(text, at)
        if closing is not None:
            return opening.end(), closing.start(), closing.end()
    return None


def parse(text: str, path: Path, rel: str, mtime: float, limits: Limits | None = None) -> SourceDoc:
    """Split decoded text into a SourceDoc; raise SourceError naming file:line on bad YAML."""
    limits = limits or Limits()
    fences = _fences(text)
    if fences is None:
        return make(SourceDoc, {"path": path, "rel": rel, "meta": EMPTY, "meta_lines": EMPTY, "body": text,
                                "body_line": 1, "has_front_matter": False, "mtime": mtime})
    fm_start, fm_end, body_start = fences
    fm = text[fm_start:fm_end]
    # fm starts right after the opening '---' (its line is line 1), so fm's line k is file
    # line k + 1; the body starts after the closing fence, or on the line below it (the body
    # is sliced once, after that is known: it is most of the text).
    body_line = text.count("\n", 0, body_start) + 1
    if text.startswith("\n", body_start):
        body_start, body_line = body_start + 1, body_line + 1
    body = text[body_start:]
    # an ASCII text is as long in UTF-8 as in characters (isascii() reads a flag: no scan)
    if (len(fm) if fm.isascii() else len(fm.encode("utf-8"))) > limits.max_front_matter_bytes:
        raise SourceError([Problem(rel, 1, f"front matter is larger than the limit of "
                                   f"{limits.max_front_matter_bytes // 1024} KB (max_front_matter_kb)")])
    if ("[" in fm or "{" in fm) and (deepest := _nesting(fm)) > limits.max_nesting:
        raise SourceError([Problem(rel, 2, f"front matter nests {deepest} levels deep; "
                                   f"the limit is {limits.max_nesting}")])
    try:
        simple = _simple_front_matter(fm)
        meta = _HANDLER.load(fm) if simple is None else simple[0]
    except yaml.YAMLError as e:
        raise SourceError([_yaml_problem(rel, e, 1)]) from None
    except (ValueError, TypeError, OverflowError) as e:
        # PyYAML raises ValueError when it builds an impossible timestamp like 2022-02-30.
        line, value = _bad_date(fm)
        why = "UTC offset out of range" if "offset" in str(e) else str(e)
        raise SourceError([Problem(rel, line, f"invalid date in front matter: {value} ({why})")]) from None
    except RecursionError:
        raise SourceError([Problem(rel, 2, "front matter is nested too deeply")]) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SourceError(
            [Problem(rel, 2, f"front matter must be a mapping of keys, not a {type(meta).__name__}")]
        )
    lines = simple[1] if simple is not None else key_lines(fm)
    bad_keys = [k for k in meta if not isinstance(k, str)]
    if bad_keys:
        raise SourceError([Problem(rel, 2, f"front matter key {bad_keys[0]!r} is not a string")])
    return make(SourceDoc, {"path": path, "rel": rel, "meta": MappingProxyType(meta),
                            "meta_lines": MappingProxyType(lines), "body": body, "body_line": body_line,
                            "has_front_matter": True, "mtime": mtime})


def key_lines(fm: str) -> dict[str, int]:
    """Map each key that starts a line of front matter to that line (the last one if repeated)."""
    return {m.group(1): fm.count("\n", 0, m.start()) + 1 for m in _KEY.finditer(fm)}


_DATE_VALUE = re.compile(r"^\w+\s*:\s*['\"]?((\d{4})-(\d{1,2})-(\d{1,2})[^'\"\n#]*)", re.MULTILINE)


def _bad_date(fm: str) -> tuple[int | None, str]:
    """Return the line and text of the front matter's impossible date (else its first date) for the message."""
    found = list(_DATE_VALUE.finditer(fm))
    for m in found:
        try:
            dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            break
    else:
        if not found:
            return None, "a date"
        m = found[0]
    return fm.count("\n", 0, m.start()) + 1, f'"{m.group(1).strip()}"'


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _read_up_to(fd: int, size: int) -> bytes:
    """Read size bytes from fd, fewer only at the end of the file (as a file object's read(size))."""
    data = os.read(fd, size)
    if not data or len(data) == size:
        return data
    parts = [data]
    size -= len(data)
    while size > 0 and (more := os.read(fd, size)):
        parts.append(more)
        size -= len(more)
    return b"".join(parts)


def read(path: Path, source: Path, limits: Limits | None = None, *,
         rel: str | None = None, stat: os.stat_result | None = None) -> SourceDoc:
    """Read one document file; raise SourceError naming the file on any problem.

    rel and stat may be passed by a caller that already has them (an archive's worth of
    pathlib and stat calls is measurable).
    """
    rel = rel if rel is not None else path.relative_to(source).as_posix()
    data, stat = read_bytes(path, rel, limits, stat)
    return from_bytes(data, path, rel, stat.st_mtime, limits)


def read_bytes(path: Path | str, rel: str, limits: Limits | None = None,
               stat: os.stat_result | None = None) -> tuple[bytes, os.stat_result]:
    """Return a document file's bytes and the stat they go with; raise SourceError on any problem.

    Apart from :func:`read` for callers that also need the bytes themselves (the build cache
    knows a document by their hash).
    """
    limits = limits or Limits()
    try:
        stat = stat if stat is not None else os.stat(path)
        if stat.st_size > limits.max_document_bytes:
            raise SourceError([Problem(rel, None, f"file is {stat.st_size // 1024} KB, larger than the limit of "
                                       f"{limits.max_document_bytes // 1024} KB (max_document_kb)")])
        # A bare descriptor, not open(): the file object's set-up is half the cost of reading
        # a small file.
        fd = os.open(path, _READ_FLAGS)
        try:
            # Ask for the size stat() gave (plus one byte to notice growth), not for the limit:
            # read(n) allocates n bytes up front, and 10 MB per document is measurable.
            data = _read_up_to(fd, stat.st_size + 1)
            if len(data) > stat.st_size:  # the file grew after stat(): read on, up to the limit
                data += _read_up_to(fd, limits.max_document_bytes + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as e:
        raise SourceError([Problem(rel, None, f"cannot read file: {e.strerror or e}")]) from None
    if len(data) > limits.max_document_bytes:
        raise SourceError([Problem(rel, None, "file grew past the size limit while being read")])
    return data, stat


def from_bytes(data: bytes, path: Path, rel: str, mtime: float, limits: Limits | None = None) -> SourceDoc:
    """Decode and split a document's bytes (as :func:`read` does after reading them)."""
    return parse(decode(data, rel), path, rel, mtime, limits)
