"""Stage 1 — load: find the documents of a source folder and split each into front matter and body.

The front matter's dialects are :mod:`feedpub.sources.frontmatter`'s. Nothing is inferred
here: a ``SourceDoc`` is exactly what the file says, decoded and cleaned of characters XML
cannot carry.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from types import MappingProxyType
from typing import Any

from feedpub import places
from feedpub.errors import Problem, SourceError, printable
from feedpub.model import EMPTY, Limits, SourceDoc, make
from feedpub.sources import conventions, frontmatter
from feedpub.sources.discover import SUFFIXES, Listed, Rules, discover, discover_rel, documents, listing
from feedpub.sources.plaintext import CONTROL

# Finding the documents is discover's; these names stay here for the callers that read them.
__all__ = ["SUFFIXES", "Listed", "Rules", "decode", "discover", "discover_rel", "documents", "from_bytes", "listing",
           "parse", "read", "read_bytes"]


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
    text = _decoded(data, encoding, rel)
    # One scan finds no CR in most files; two replace() passes cost ~6 us a document. In UTF-8
    # the byte 0x0D is only ever a CR, and memchr() over the bytes is faster than a scan of a
    # two-byte-per-character text.
    if (data.find(b"\r") >= 0) if encoding == "utf-8-sig" else ("\r" in text):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if encoding == "utf-8-sig" and not utf8_may_have_controls(data):
        return text  # nothing for strip_controls to remove (UTF-16 always takes the full check)
    return strip_controls(text)


def _decoded(data: bytes, encoding: str, rel: str) -> str:
    """Return data decoded ("utf-16" or "utf-8-sig"); raise SourceError naming the first undecodable byte."""
    skip = 0  # bytes of a UTF-8 BOM, before what is decoded: error offsets count them (offsets in the file)
    try:
        if encoding == "utf-16":
            return data.decode(encoding)
        # what the utf-8-sig codec does, without its Python step
        skip = 3 if data.startswith(codecs.BOM_UTF8) else 0
        return (data[skip:] if skip else data).decode("utf-8")
    except UnicodeDecodeError as e:
        at = e.start + skip
        raise SourceError(
            [Problem(rel, None, f"not valid {encoding.upper().replace('-SIG', '')} text: "
                     f"undecodable byte 0x{data[at]:02x} at byte offset {at}")]
        ) from None


def split_front_matter(text: str) -> tuple[str, str] | None:
    """Return (front matter, body) of a text with ``---`` front matter, as python-frontmatter splits them."""
    found = frontmatter._fenced(text)
    if found is None:
        return None
    return found.fm, text[found.fence_end:]


def parse(text: str, path: Path, rel: str, mtime: float, limits: Limits | None = None) -> SourceDoc:
    """Split decoded text into a SourceDoc; raise SourceError naming file:line on bad front matter."""
    found = frontmatter.split(text, conventions.HEADER_KEYS)
    if found is None:
        return make(SourceDoc, {"path": path, "rel": rel, "meta": EMPTY, "meta_lines": EMPTY, "body": text,
                                "body_line": 1, "has_front_matter": False, "mtime": mtime, "dialect": ""})
    meta, lines = _read_case(*frontmatter.parse(found, rel, limits or Limits()))
    return make(SourceDoc, {"path": path, "rel": rel, "meta": MappingProxyType(meta),
                            "meta_lines": MappingProxyType(lines), "body": text[found.body_start:],
                            "body_line": found.body_line, "has_front_matter": True, "mtime": mtime,
                            "dialect": found.dialect})


# each key feedpub reads, by its lower case (of two read keys alike but for case, the one sorted first)
_READ_NAMES = {k.lower(): k for k in sorted(conventions.READ, reverse=True)}


def _read_case(meta: dict[str, Any], lines: dict[str, int]) -> tuple[dict[str, Any], dict[str, int]]:
    """Return front matter with each key feedpub reads, written in another case, under the name it reads.

    Hugo reads front-matter keys in any case and Pelican lower-cases them (``Title:`` and
    ``Date:`` in a ``---`` block, as Pelican's Markdown reader takes them, are its title and
    date); a key also written as read keeps its own value.
    """
    odd = [k for k in meta if k not in conventions.READ and k.lower() in _READ_NAMES]
    for key in odd:
        name = _READ_NAMES[key.lower()]
        if name not in meta:
            meta[name] = meta.pop(key)
            if key in lines:
                lines[name] = lines.pop(key)
    return meta, lines


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


def _utf8(name: str) -> bool:
    """Whether a file name read from the file system is valid UTF-8 (Python keeps other bytes as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_bytes(path: Path | str, rel: str, limits: Limits | None = None,
               stat: os.stat_result | None = None) -> tuple[bytes, os.stat_result]:
    """Return a document file's bytes and the stat they go with; raise SourceError on any problem.

    Apart from :func:`read` for callers that also need the bytes themselves (the build cache
    knows a document by their hash).
    """
    limits = limits or Limits()
    if not rel.isascii() and not _utf8(rel):
        raise SourceError([Problem(printable(rel), None, "the file's name is not valid UTF-8: rename it (an entry's "
                                   "address, its feeds and the digest are UTF-8 text)")])
    try:
        stat = stat if stat is not None else os.stat(path)
        if stat.st_size > limits.max_document_bytes:
            raise SourceError([Problem(rel, None, f"file is {stat.st_size // 1024} KB, larger than the limit of "
                                       f"{limits.max_document_bytes // 1024} KB (max_document_kb)")])
        # A bare descriptor, not open(): the file object's set-up is half the cost of reading
        # a small file. Only a regular file is opened (a FIFO would block, a device is no document).
        fd, stat = places.open_regular(path, stat)
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
