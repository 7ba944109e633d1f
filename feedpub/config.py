"""Configuration: one frozen dataclass, validated in one place.

Precedence: command-line options > ``feedpub.toml`` > defaults. Every problem in the file is
collected and reported at once, each naming its key (and line, when the key is in the file),
so a user fixes a config in one pass instead of one error per run.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedpub import resources
from feedpub.errors import ConfigError, Problem
from feedpub.model import Limits

CONFIG_NAME = "feedpub.toml"
CONTENT_MODES = ("both", "full", "summary")
DIGEST_PROFILES = ("none", "mailchimp", "listmonk", "buttondown")
_SUBJECT_FIELDS = ("site", "period", "week", "start", "end")  # what digest.subject may use
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")  # BCP 47, the shape xml:lang takes


@dataclass(frozen=True)
class DigestConfig:
    """The ``[digest]`` table: how the weekly email looks, is tagged and is sent."""

    profile: str = "none"  # which ESP's merge tags go in the footer (none: plain URLs below)
    from_address: str = ""  # "Name <addr>" or addr; default: site title at noreply@<site host>
    subject: str = "{site} — {period}"  # period: 'week of 20 February 2023' or 'd1 to d2'
    intro: str = ""  # "": a sentence that fits the period (a week, a week still running, a range)
    footer_note: str = ""  # why the reader gets this email; "": "You are receiving this email because …"
    preheader: str = ""  # inbox preview text; default: the titles of the first items
    postal_address: str = ""
    logo_url: str = ""
    logo_width: int = 160
    unsubscribe_url: str = ""  # profile none only
    view_online_url: str = ""  # profile none only; "": the digest's copy at <base_url>digest/<week>.html
    accent_colors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # slug -> #rrggbb
    utm_source: str = "newsletter"
    utm_medium: str = "email"
    utm_campaign: str = "digest-{week}"
    category_order: tuple[str, ...] = ()  # slugs first, in this order; the rest by size then name
    max_items_per_category: int = 0  # 0: no cap
    size_limit_kb: int = 102  # Gmail clips HTML above about 102 KB
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_starttls: bool = True


@dataclass(frozen=True)
class Config:
    """Every setting of a build, validated; paths are absolute."""

    source: Path
    out: Path
    title: str = "feedpub"
    description: str = "Articles published with feedpub"
    base_url: str = "https://news.example.org/"
    language: str = "en"
    timezone: str = "UTC"
    author: str = ""
    author_email: str = ""
    feed_limit: int = 50
    content_mode: str = "both"
    default_category: str = "news"
    categories: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    templates_dir: Path | None = None
    future: bool = False
    max_document_kb: int = 10 * 1024
    max_front_matter_kb: int = 64
    max_nesting: int = 50
    digest: DigestConfig = field(default_factory=DigestConfig)
    cache: bool = True  # keep a build cache (in cache_dir, else the user's cache folder)
    cache_dir: Path | None = None  # where build caches live (default: $XDG_CACHE_HOME/feedpub)
    workers: int = 0  # processes for parsing/rendering many documents; 0 = one per core
    archive_page_size: int | None = None  # entries per RFC 5005 archive page (feed_limit); 0 = none
    hub_url: str = ""  # WebSub hub announced by the current feeds
    config_path: Path | None = None  # the file these settings came from, if any
    key_lines: Mapping[str, int | None] = field(default_factory=lambda: MappingProxyType({}))  # keys in the file
    # --- reading existing sites (issue 13) ---
    exclude: tuple[str, ...] = ()  # globs of files and folders that are not articles, beside the defaults
    template_syntax: str = "strip"  # template tags left in a body: "strip" them, or "keep" them as text
    front_matter_keys: tuple[str, ...] = ()  # front-matter keys that check accepts without a warning
    # --- the site around the feeds (issue 14) ---
    pages: bool = True  # write an article page per entry (false: the site's own generator does)
    list_size: int = 20  # entries per page of index.html and of each category's and tag's page
    static_dir: Path | None = None  # copied verbatim into out (default: ./static beside the config, if any)
    tag_feeds: bool = False  # also a feed (and a page) per tag, under tags/<slug>/

    @property
    def tz(self) -> ZoneInfo:
        """Return the site time zone (validated at load time)."""
        return ZoneInfo(self.timezone)

    @property
    def limits(self) -> Limits:
        """Return the per-document bounds (size, front matter size, nesting)."""
        return Limits(self.max_document_kb * 1024, self.max_front_matter_kb * 1024, self.max_nesting)

    @property
    def page_size(self) -> int:
        """Return the number of entries of an archive page (0: no archive is written)."""
        return self.feed_limit if self.archive_page_size is None else self.archive_page_size

    @property
    def author_name(self) -> str:
        """Return the feed-level author: the configured one, else the site title."""
        return self.author or self.title


NO_OUTPUT = frozenset({"out", "config_path", "key_lines", "cache", "cache_dir", "workers"})
"""Settings that change no output's bytes (where files go, how fast, where the cache is)."""


def setting_text(config: Config, name: str) -> str:
    """Return a setting (a field or a property of Config) as keys hash it: a mapping in a stable order."""
    value = getattr(config, name)
    return repr(sorted(value.items())) if isinstance(value, Mapping) else repr(value)


# --- validators: each returns the cleaned value or raises ValueError with a message ---------
# A message names the value it rejects and its type: `not the string "20"`, never `got '20'`.


def shown(v: Any) -> str:
    """Describe a value from a TOML file by its TOML type and text: 'the string "yes"', 'the number 20'."""
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, int | float):
        return f"the number {v}"
    if isinstance(v, str):
        return f"the string {_quoted(v)}"
    if isinstance(v, list):
        return f"a list of {len(v)}"
    if isinstance(v, dict):
        return "a table"
    return f"the date {v.isoformat()}" if hasattr(v, "isoformat") else f"a {type(v).__name__}"


def _quoted(s: str) -> str:
    """Return s in double quotes as TOML writes it, shortened when long."""
    s = s if len(s) <= 60 else s[:57] + "..."
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _hint(value: str, options: Any) -> str:
    """Return ' (did you mean "x"?)' for the option closest to value, or ''."""
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f" (did you mean {_quoted(close[0])}?)" if close else ""


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(f"must be a string, not {shown(v)}")
    return v


def _nonempty(v: Any) -> str:
    s = _str(v).strip()
    if not s:
        raise ValueError("must not be empty")
    return s


def _url(v: Any) -> str:
    s = _nonempty(v)
    parts = urlsplit(s)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an absolute http(s) URL, not {shown(s)}")
    if parts.query or parts.fragment:
        raise ValueError(f"must not have a query or fragment, not {shown(s)}")
    return s if s.endswith("/") else s + "/"


def _lang(v: Any) -> str:
    s = _nonempty(v)
    if not _LANG.match(s):
        raise ValueError(f"must be a language tag like \"en\" or \"zh-TW\", not {shown(s)}")
    return s


def _tz(v: Any) -> str:
    s = _nonempty(v)
    try:
        ZoneInfo(s)
    except (ZoneInfoNotFoundError, ValueError):
        from zoneinfo import available_timezones  # only when the name is wrong: it reads the whole database

        hint = _hint(s, available_timezones()) or ' (use an IANA name like "Asia/Taipei")'
        raise ValueError(f"must be a time zone, not {shown(s)}{hint}") from None
    return s


def _limit(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"must be a positive integer, not {shown(v)}")
    return v


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    """Make a validator accepting exactly one of options."""

    def check(v: Any) -> str:
        s = _str(v)
        if s not in options:
            raise ValueError(f"must be one of {', '.join(options)}, not {shown(s)}{_hint(s, options)}")
        return s

    return check


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"must be true or false, not {shown(v)}")
    return v


def _email(v: Any) -> str:
    s = _str(v).strip()
    if s and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", s):
        raise ValueError(f"must be an email address, not {shown(s)}")
    return s


def _categories(v: Any) -> Mapping[str, str]:
    if not isinstance(v, dict):
        raise ValueError(f"must be a table of slug = \"Display name\", not {shown(v)}")
    from feedpub.slug import slugify  # late: slug imports nothing of ours, but keep config light

    out: dict[str, str] = {}
    for k, name in v.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"category {_quoted(k)} needs a non-empty display name, not {shown(name)}")
        out[slugify(k)] = name.strip()
    return MappingProxyType(out)


_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _colors(v: Any) -> Mapping[str, str]:
    if not isinstance(v, dict):
        raise ValueError('must be a table of category slug = "#rrggbb"')
    from feedpub.slug import slugify  # late, as in _categories

    out: dict[str, str] = {}
    for k, color in v.items():
        if not isinstance(color, str) or not _COLOR.match(color):
            raise ValueError(f"category {k!r}: colour must be written #rrggbb, got {color!r}")
        out[slugify(k)] = color.lower()
    return MappingProxyType(out)


def _count(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"must be a whole number, 0 or more, not {shown(v)}")
    return v


def _hub(v: Any) -> str:
    s = _str(v).strip()
    if s:
        parts = urlsplit(s)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an absolute http(s) URL, not {shown(s)}")
    return s


def _path(v: Any) -> str:
    return _nonempty(str(v) if isinstance(v, Path) else v)  # click hands over Path objects



def _port(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 65535:
        raise ValueError(f"must be a port number 1-65535, not {shown(v)}")
    return v


def _one_line(v: Any) -> str:
    s = _str(v)
    if "\n" in s or "\r" in s:
        raise ValueError(f"must be a single line, not {shown(s)}")
    return s.strip()


def _address(v: Any) -> str:
    s = _one_line(v)
    from email.utils import parseaddr  # here: most configurations name no address

    if s and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", parseaddr(s)[1]):
        raise ValueError(f"must be an email address (or \"Name <address>\"), not {shown(s)}")
    return s


def _subject(v: Any) -> str:
    s = _nonempty(_one_line(v))
    try:
        names = {f for _t, f, _s, _c in string.Formatter().parse(s) if f is not None}
    except ValueError as e:
        raise ValueError(f"is not a valid template ({e}): {shown(s)}") from None
    unknown = sorted(n for n in names if n not in _SUBJECT_FIELDS)
    if unknown:
        raise ValueError(f"uses unknown field {{{unknown[0]}}} (known: {', '.join(_SUBJECT_FIELDS)})")
    return s


def _campaign(v: Any) -> str:
    s = _one_line(v)
    if s.replace("{week}", "").count("{") or s.replace("{week}", "").count("}"):
        raise ValueError(f"may only use the field {{week}}, not {shown(s)}")
    return s


def _optional_url(v: Any) -> str:
    s = _one_line(v)
    parts = urlsplit(s)
    web = parts.scheme in ("http", "https") and parts.netloc
    if s and not (web or (parts.scheme == "mailto" and parts.path)):
        raise ValueError(f"must be an absolute http(s) or mailto: URL, not {shown(s)}")
    return s


def _slugs(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ValueError(f"must be a list of category slugs, not {shown(v)}")
    from feedpub.slug import slugify  # late, as in _categories

    return tuple(slugify(x) for x in v)


def _globs(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ValueError("must be a list of non-empty strings")
    return tuple(x.strip() for x in v)


_FIELDS: dict[str, Callable[[Any], Any]] = {
    "source": _path,
    "out": _path,
    "title": _nonempty,
    "description": _str,
    "base_url": _url,
    "language": _lang,
    "timezone": _tz,
    "author": _str,
    "author_email": _email,
    "feed_limit": _limit,
    "content_mode": _choice(CONTENT_MODES),
    "default_category": _nonempty,
    "categories": _categories,
    "templates_dir": _path,
    "future": _bool,
    "max_document_kb": _limit,
    "max_front_matter_kb": _limit,
    "max_nesting": _limit,
    # [digest] table: validated key by key like the top level, reported as 'digest.<key>'
    "digest.profile": _choice(DIGEST_PROFILES),
    "digest.from_address": _address,
    "digest.subject": _subject,
    "digest.intro": _str,
    "digest.preheader": _one_line,
    "digest.postal_address": _str,
    "digest.logo_url": _optional_url,
    "digest.logo_width": _limit,
    "digest.unsubscribe_url": _optional_url,
    "digest.view_online_url": _optional_url,
    "digest.footer_note": _one_line,
    "digest.accent_colors": _colors,
    "digest.utm_source": _one_line,
    "digest.utm_medium": _one_line,
    "digest.utm_campaign": _campaign,
    "digest.category_order": _slugs,
    "digest.max_items_per_category": _count,
    "digest.size_limit_kb": _limit,
    "digest.smtp_host": _nonempty,
    "digest.smtp_port": _port,
    "digest.smtp_user": _one_line,
    "digest.smtp_starttls": _bool,
    "cache": _bool,
    "cache_dir": _path,
    "workers": _count,
    "archive_page_size": _count,
    "hub_url": _hub,
    # --- reading existing sites (issue 13) ---
    "exclude": _globs,
    "template_syntax": _choice(("strip", "keep")),
    "front_matter_keys": _globs,
    # --- the site around the feeds (issue 14) ---
    "pages": _bool,
    "list_size": _limit,
    "static_dir": _path,
    "tag_feeds": _bool,
}
_TABLES = ("digest",)  # tables whose keys are flattened to 'table.key' and checked one by one


def _flatten(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn {'digest': {'profile': …}} into {'digest.profile': …}; a non-table stays to be reported."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _TABLES and isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def _key_line(text: str, key: str) -> int | None:
    start = 0
    table, dot, leaf = key.rpartition(".")
    if dot:  # 'digest.profile': the 'profile =' line after the '[digest]' header
        header = re.search(rf"^\s*\[{re.escape(table)}\]", text, re.MULTILINE)
        if header is None:
            return None
        start, key = header.end(), leaf
    m = re.compile(rf"^\s*\[?{re.escape(key)}(?![\w-])\]?\s*=?", re.MULTILINE).search(text, start)
    return text.count("\n", 0, m.start()) + 1 if m else None


_TOP_LEVEL = frozenset(k for k in _FIELDS if "." not in k) - {"categories"}


def _syntax_problem(where: str, text: str, e: tomllib.TOMLDecodeError) -> Problem:
    """Locate a TOML syntax error by the parser's own position and quote the line it is on."""
    m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
    message = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", str(e))
    if m is None:
        return Problem(where, None, f"not valid TOML: {message}")
    line, column = int(m.group(1)), int(m.group(2))
    source_line = text.splitlines()[line - 1].strip() if line <= len(text.splitlines()) else ""
    hint = " (text values need quotes: title = \"My site\")" if message == "Invalid value" else ""
    return Problem(where, line, f"not valid TOML at column {column}: {message}{hint}: {source_line}")


def load_config(
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    cwd: Path | None = None,
) -> Config:
    """Read the config file (given, or ``feedpub.toml`` in cwd), apply overrides, validate.

    Overrides whose value is ``None`` are ignored, so an unset CLI flag never hides the file.
    """
    cwd = (cwd or Path.cwd()).resolve()
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    raw: dict[str, Any] = {}
    text = ""
    where = CONFIG_NAME
    if config_file is None and (cwd / CONFIG_NAME).is_file():
        config_file = cwd / CONFIG_NAME
    if config_file is not None:
        config_file = (cwd / config_file).resolve()
        where = str(config_file)
        try:
            text = config_file.read_text(encoding="utf-8-sig")
            raw = tomllib.loads(text)
        except FileNotFoundError:
            raise ConfigError([Problem(where, None, "config file not found")]) from None
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError([Problem(where, None, f"cannot read config file: {e}")]) from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError([_syntax_problem(where, text, e)]) from None

    problems: list[Problem] = []
    values: dict[str, Any] = {}
    lines: dict[str, int | None] = {}
    for table in ("categories", *_TABLES):  # the TOML trap: every key after a [table] line is the table's
        inside = raw.get(table)
        if not isinstance(inside, dict):
            continue
        for key in [k for k in inside if k in _TOP_LEVEL]:
            del inside[key]  # one problem, not also "category 'feed_limit' needs a display name"
            problems.append(Problem(where, _key_line(text, f"{table}.{key}"),
                                    f"'{key}' is inside the [{table}] table: move it above the [{table}] line "
                                    "(in TOML every key after a [table] line belongs to that table)"))
    for key, value in _flatten(raw).items():
        lines[key] = _key_line(text, key)
        if key in _TABLES:
            problems.append(Problem(where, _key_line(text, key), f"'{key}' must be a table ([{key}])"))
            continue
        check = _FIELDS.get(key)
        if check is None:
            hint = difflib.get_close_matches(key, _FIELDS, n=1)
            suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
            problems.append(Problem(where, _key_line(text, key), f"unknown key '{key}'{suffix}"))
            continue
        try:
            values[key] = check(value)
        except ValueError as e:
            problems.append(Problem(where, _key_line(text, key), f"'{key}' {e}"))
    for key, value in overrides.items():
        try:
            values[key] = _FIELDS[key](value)
        except ValueError as e:
            problems.append(Problem("option", None, f"--{key.replace('_', '-')} {e}"))
    base = config_file.parent if config_file is not None else cwd

    def resolve(key: str, default: str) -> Path:
        # CLI paths are relative to cwd; file paths to the file's folder, like mkdocs.
        if key in overrides:
            return (cwd / str(overrides[key])).resolve()
        return (base / Path(str(values.get(key, default))).expanduser()).resolve()

    source = resolve("source", "seeds")
    if "source" in values and "source" not in overrides and not source.is_dir():
        why = "does not exist" if not source.exists() else "is not a folder"
        problems.append(Problem(where, lines.get("source"),
                                f"'source' must be a folder of documents: {source} ({shown(values['source'])}) {why}"))
    if "static_dir" in values and not resolve("static_dir", "").is_dir():
        problems.append(Problem(where, lines.get("static_dir"),
                                f"'static_dir' must be a folder: {resolve('static_dir', '')} does not exist"))
    page, limit = values.get("archive_page_size", 0), values.get("feed_limit", 50)
    if not problems and page > limit:
        # a reader walks current feed + archive pages; the entries newer than the last full
        # page must all be in the current feed, so a page may not hold more than it does
        problems.append(Problem(where, _key_line(text, "archive_page_size"),
                                f"'archive_page_size' ({page}) must not exceed 'feed_limit' ({limit})"))
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0))  # in the file's order
    if "source" not in values and not source.is_dir():
        source = resources.seeds_dir()  # no config and no ./seeds: build the embedded seeds
    out = resolve("out", "dist")
    templates = resolve("templates_dir", "") if "templates_dir" in values else None
    cache_dir = resolve("cache_dir", "") if "cache_dir" in values else None
    static = resolve("static_dir", "") if "static_dir" in values else None
    if static is None and config_file is not None and (base / "static").is_dir():
        static = (base / "static").resolve()  # Hugo's, Zola's and Eleventy's usual place, beside the config
    simple = {
        k: v for k, v in values.items()
        if k not in ("source", "out", "templates_dir", "cache_dir", "static_dir") and "." not in k
    }
    digest = DigestConfig(**{k.partition(".")[2]: v for k, v in values.items() if k.startswith("digest.")})
    return Config(source=source, out=out, templates_dir=templates, cache_dir=cache_dir, static_dir=static,
                  config_path=config_file,
                  digest=digest, key_lines=MappingProxyType({k: v for k, v in lines.items() if k in values}),
                  **simple)
