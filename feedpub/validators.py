"""Validators of configuration values, each shared by the options that take such a value.

Each returns the cleaned value or raises ValueError with a message that names the value it
rejects and its TOML type (`not the string "20"`, never `got '20'`); the caller adds the key.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Mapping
from email.utils import parseaddr
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from feedpub.slug import slugify

_SUBJECT_FIELDS = ("site", "period", "week", "start", "end")  # what digest.subject may use
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")  # BCP 47, the shape xml:lang takes



_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")  # one address: local part, @, a dotted host

def shown(v: Any) -> str:
    """Describe a value from a TOML file by its TOML type and text: 'the string "yes"', 'the number 20'."""
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, int | float):
        return f"the number {v}"
    if isinstance(v, str):
        return f"the string {quoted(v)}"
    if isinstance(v, list):
        return f"a list of {len(v)}"
    if isinstance(v, dict):
        return "a table"
    return f"the date {v.isoformat()}" if hasattr(v, "isoformat") else f"a {type(v).__name__}"


def quoted(s: str) -> str:
    """Return s in double quotes as TOML writes it, shortened when long."""
    s = s if len(s) <= 60 else s[:57] + "..."
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _hint(value: str, options: Any) -> str:
    """Return ' (did you mean "x"?)' for the option closest to value, or ''."""
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f" (did you mean {quoted(close[0])}?)" if close else ""


def text(v: Any) -> str:
    """Accept a string."""
    if not isinstance(v, str):
        raise ValueError(f"must be a string, not {shown(v)}")
    return v


def nonempty(v: Any) -> str:
    """Accept a string that is not blank, stripped."""
    s = text(v).strip()
    if not s:
        raise ValueError("must not be empty")
    return s


def url(v: Any) -> str:
    """Accept an absolute http(s) URL without query or fragment, ending in '/'."""
    s = nonempty(v)
    parts = urlsplit(s)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an absolute http(s) URL, not {shown(s)}")
    if parts.query or parts.fragment:
        raise ValueError(f"must not have a query or fragment, not {shown(s)}")
    return s if s.endswith("/") else s + "/"


def lang(v: Any) -> str:
    """Accept a BCP 47 language tag ("en", "zh-TW")."""
    s = nonempty(v)
    if not _LANG.match(s):
        raise ValueError(f"must be a language tag like \"en\" or \"zh-TW\", not {shown(s)}")
    return s


def tz(v: Any) -> str:
    """Accept an IANA time zone name."""
    s = nonempty(v)
    try:
        ZoneInfo(s)
    except (ZoneInfoNotFoundError, ValueError):
        # available_timezones() reads the whole database: only when the name is wrong
        hint = _hint(s, available_timezones()) or ' (use an IANA name like "Asia/Taipei")'
        raise ValueError(f"must be a time zone, not {shown(s)}{hint}") from None
    return s


def positive(v: Any) -> int:
    """Accept an integer of 1 or more."""
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"must be a positive integer, not {shown(v)}")
    return v


def choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    """Make a validator accepting exactly one of options."""

    def check(v: Any) -> str:
        s = text(v)
        if s not in options:
            raise ValueError(f"must be one of {', '.join(options)}, not {shown(s)}{_hint(s, options)}")
        return s

    return check


def boolean(v: Any) -> bool:
    """Accept true or false."""
    if not isinstance(v, bool):
        raise ValueError(f"must be true or false, not {shown(v)}")
    return v


def email(v: Any) -> str:
    """Accept an email address, or an empty string."""
    s = text(v).strip()
    if s and not _EMAIL.fullmatch(s):
        raise ValueError(f"must be an email address, not {shown(s)}")
    return s


def categories(v: Any) -> Mapping[str, str]:
    """Accept a table of category slug = display name, keyed by slug."""
    if not isinstance(v, dict):
        raise ValueError(f"must be a table of slug = \"Display name\", not {shown(v)}")
    out: dict[str, str] = {}
    for k, name in v.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"category {quoted(k)} needs a non-empty display name, not {shown(name)}")
        out[slugify(k)] = name.strip()
    return MappingProxyType(out)


_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def colors(v: Any) -> Mapping[str, str]:
    """Accept a table of category slug = "#rrggbb", lowercased."""
    if not isinstance(v, dict):
        raise ValueError('must be a table of category slug = "#rrggbb"')
    out: dict[str, str] = {}
    for k, color in v.items():
        if not isinstance(color, str) or not _COLOR.match(color):
            raise ValueError(f"category {k!r}: colour must be written #rrggbb, got {color!r}")
        out[slugify(k)] = color.lower()
    return MappingProxyType(out)


def count(v: Any) -> int:
    """Accept an integer of 0 or more."""
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"must be a whole number, 0 or more, not {shown(v)}")
    return v


def hub(v: Any) -> str:
    """Accept an absolute http(s) URL, or an empty string."""
    s = text(v).strip()
    if s:
        parts = urlsplit(s)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an absolute http(s) URL, not {shown(s)}")
    return s


def path(v: Any) -> str:
    """Accept a non-empty path (click hands over Path objects)."""
    return nonempty(str(v) if isinstance(v, Path) else v)


def port(v: Any) -> int:
    """Accept a TCP port number."""
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 65535:
        raise ValueError(f"must be a port number 1-65535, not {shown(v)}")
    return v


def one_line(v: Any) -> str:
    """Accept a string without line breaks, stripped."""
    s = text(v)
    if "\n" in s or "\r" in s:
        raise ValueError(f"must be a single line, not {shown(s)}")
    return s.strip()


def address(v: Any) -> str:
    """Accept "Name <address>", an address, or an empty string."""
    s = one_line(v)
    if s and not _EMAIL.fullmatch(parseaddr(s)[1]):
        raise ValueError(f"must be an email address (or \"Name <address>\"), not {shown(s)}")
    return s


def subject(v: Any) -> str:
    """Accept a one-line subject template using only the known fields."""
    s = nonempty(one_line(v))
    try:
        names = {f for _t, f, _s, _c in string.Formatter().parse(s) if f is not None}
    except ValueError as e:
        raise ValueError(f"is not a valid template ({e}): {shown(s)}") from None
    unknown = sorted(n for n in names if n not in _SUBJECT_FIELDS)
    if unknown:
        raise ValueError(f"uses unknown field {{{unknown[0]}}} (known: {', '.join(_SUBJECT_FIELDS)})")
    return s


def campaign(v: Any) -> str:
    """Accept a one-line UTM campaign that may use {week} only."""
    s = one_line(v)
    if s.replace("{week}", "").count("{") or s.replace("{week}", "").count("}"):
        raise ValueError(f"may only use the field {{week}}, not {shown(s)}")
    return s


def optional_url(v: Any) -> str:
    """Accept an absolute http(s) or mailto: URL, or an empty string."""
    s = one_line(v)
    parts = urlsplit(s)
    web = parts.scheme in ("http", "https") and parts.netloc
    if s and not (web or (parts.scheme == "mailto" and parts.path)):
        raise ValueError(f"must be an absolute http(s) or mailto: URL, not {shown(s)}")
    return s


def slugs(v: Any) -> tuple[str, ...]:
    """Accept a list of category names, as slugs."""
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ValueError(f"must be a list of category slugs, not {shown(v)}")
    return tuple(slugify(x) for x in v)


def globs(v: Any) -> tuple[str, ...]:
    """Accept a list of non-empty glob patterns, stripped."""
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ValueError("must be a list of non-empty strings")
    return tuple(x.strip() for x in v)
