"""A fast reader for the commonest YAML front matter: one ``key: scalar`` per line.

Behind :func:`feedpub.sources.frontmatter.load`, never called on its own: what PyYAML would
make of such front matter is decided here with PyYAML's own implicit resolvers (handed in by
the caller, the one module that imports PyYAML), and anything else (nesting, lists, numbers,
booleans, flow or block scalars, comments, duplicate keys…) returns None so PyYAML decides.
Saves most of the YAML time of a large archive; one differential test (tests/test_fastpaths.py)
holds it equal to PyYAML.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

_PLAIN_START_BAD = "-?:,[]{}#&*!|>'\"%@`"
_NOT_PLAIN_START = f" \\n{re.escape(''.join(sorted(_PLAIN_START_BAD)))}"  # in a regex class
# Tabs, YAML line breaks, BOM: none of them in the front matter, or PyYAML decides.
_NOT_SIMPLE = ("\x85", "\u2028", "\u2029", "\ufeff")
# One regex over the whole front matter: a YYYY-MM-DD date (PyYAML's timestamp resolver claims
# exactly those), a quoted string without its quote inside, a plain scalar (whether it holds
# ": " or " #", ends in ":" or is claimed by a resolver is asked after), or an empty line.
_LINE = re.compile(
    r"^(?:([A-Za-z_][A-Za-z0-9_-]*):[ ]+(?:"
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ ]*"
    r"|(\"[^\"\n]*\"|'[^'\n]*')[ ]*"
    rf"|([^{_NOT_PLAIN_START}][^\n]*)"
    r"))?\n",
    re.MULTILINE,
)
# The same lines in front matter that holds a backslash, which only a double-quoted value may
# hold, in the escapes \" and \\. A regex of its own: excluding the backslash slows [^\n]*.
_LINE_ESCAPED = re.compile(
    r"^(?:([A-Za-z_][A-Za-z0-9_-]*):[ ]+(?:"
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ ]*"
    r"|(\"[^\"\\\n]*(?:\\[\"\\][^\"\\\n]*)*\"|'[^'\\\n]*')[ ]*"
    rf"|([^{_NOT_PLAIN_START}\\][^\n\\]*)"
    r"))?\n",
    re.MULTILINE,
)
_ESCAPE = re.compile(r'\\(["\\])')  # in a double-quoted value, \" stands for " and \\ for \
_STR = "tag:yaml.org,2002:str"

Resolvers = Mapping[str | None, Sequence[tuple[str, re.Pattern[str]]]]


class FlatReader:
    """Read flat front matter exactly as PyYAML would, given PyYAML's implicit resolvers."""

    def __init__(self, resolvers: Resolvers) -> None:
        self._resolvers = resolvers
        self._plain_keys: dict[str, bool] = {}  # keys repeat across an archive

    def _tag(self, value: str) -> str:
        for tag, regexp in self._resolvers.get(value[:1], ()):
            if regexp.match(value):
                return str(tag)
        return _STR

    def _plain_key(self, key: str) -> bool:
        known = self._plain_keys.get(key)
        if known is None:
            known = self._tag(key) == _STR
            if len(self._plain_keys) < 4096:  # bounded: a hostile archive may use any number of keys
                self._plain_keys[key] = known
        return known

    def __call__(self, fm: str) -> tuple[dict[str, Any], dict[str, int]] | None:
        """Return (mapping, key -> line of fm counted from 1), or None when PyYAML must decide."""
        found = _flat_lines(fm)
        if found is None:
            return None
        resolvers = self._resolvers
        meta: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for number, (key, day, quoted, raw) in enumerate(found, 1):
            if not key:
                continue  # an empty line
            if key in meta or (key[0] in resolvers and not self._plain_key(key)):
                return None
            value = self._plain(raw) if raw else _unquoted(quoted) if quoted else _date(day)
            if value is None:
                return None
            lines[key], meta[key] = number, value
        return meta, lines

    def _plain(self, raw: str) -> str | None:
        """Return a plain scalar as text, or None when PyYAML reads it otherwise (a bool, a number, a datetime…)."""
        plain = raw.rstrip(" ")
        if ": " in plain or " #" in plain or plain[-1] == ":" or (
            plain[0] in self._resolvers and self._tag(plain) != _STR
        ):
            return None
        return plain


def _flat_lines(fm: str) -> list[tuple[str, str, str, str]] | None:
    """Return each line of fm as (key, date, quoted, plain) groups, or None when a line is not flat YAML."""
    if "\t" in fm:
        return None
    if not fm.isascii():  # the others are not ASCII (isascii() reads a flag)
        for char in _NOT_SIMPLE:
            if char in fm:
                return None
    if not fm.endswith("\n"):
        fm += "\n"  # the last line too ends in one (an empty line more changes nothing)
    found = (_LINE_ESCAPED if "\\" in fm else _LINE).findall(fm)
    # A match starts at a line start and takes one whole line: as many matches as lines
    # means every line matched.
    if len(found) != fm.count("\n"):
        return None
    return found


def _unquoted(quoted: str) -> str:
    """Return a quoted scalar's text; split() keeps what each escape stands for between the pieces."""
    return "".join(_ESCAPE.split(quoted[1:-1])) if "\\" in quoted else quoted[1:-1]


def _date(day: str) -> dt.date | None:
    """Return a YYYY-MM-DD date, or None to let PyYAML report an impossible one."""
    try:
        return dt.date(int(day[:4]), int(day[5:7]), int(day[8:]))
    except ValueError:
        return None
