"""Configuration: every option declared once, as a field of a frozen dataclass.

Each field of :class:`Config` and :class:`DigestConfig` carries its :class:`Option` (default,
validator, documentation, example, whether it changes output bytes), and everything else is
derived from those declarations: the validation of ``feedpub.toml`` (:func:`load_config`), the
README's configuration table (:func:`markdown_table`) and the settings of the cache's context
key (:func:`output_values`). A new option is one field; nothing can forget it.

Precedence: command-line options > ``feedpub.toml`` > defaults. Every problem in the file is
collected and reported at once, each naming its key (and line, when the key is in the file),
so a user fixes a config in one pass instead of one error per run.
"""

from __future__ import annotations

import difflib
import re
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from feedpub import resources
from feedpub import validators as check
from feedpub.errors import ConfigError, Problem
from feedpub.model import Limits

CONFIG_NAME = "feedpub.toml"
CONTENT_MODES = ("both", "full", "summary")
DIGEST_PROFILES = ("none", "mailchimp", "listmonk", "buttondown")


# --- the options: each declared once, as a dataclass field carrying its Option -------------

T = TypeVar("T")
_OPTION = "feedpub.option"  # the field metadata key holding a field's Option
_TABLE = "feedpub.table"  # the field metadata key of a [table] of options: (its dataclass, README default, doc)


@dataclass(frozen=True)
class Option:
    """One key of ``feedpub.toml``: its default, how it is checked and shown, whether it changes output."""

    name: str  # as written in the file: 'feed_limit', 'digest.profile'
    default: Any  # the value when neither the file nor an option sets it; a folder's as written in a file
    validate: Callable[[Any], Any]  # returns the cleaned value or raises ValueError naming the value
    doc: str  # the README's meaning of the key (Markdown)
    output: bool  # changes output bytes, so its value is part of the cache's context key
    example: str  # a value other than the default, as TOML text (a table: its lines)
    shown: str = ""  # the README's default when the value alone does not say it (Markdown)

    @property
    def folder(self) -> bool:
        """Return whether the value is a folder, resolved against where it was given."""
        return self.validate is check.path


def _opt(default: T, validate: Callable[[Any], Any], doc: str, *, output: bool, example: str, shown: str = "") -> T:
    """Declare an option field: the dataclass default and, in its metadata, the rest of the Option."""
    meta = {_OPTION: Option("", default, validate, doc, output, example, shown)}
    if isinstance(default, Mapping):  # unhashable, so a dataclass wants a factory; immutable, so one object serves
        return field(default_factory=lambda: default, metadata=meta)
    return field(default=default, metadata=meta)


def _folder(default: str | None, doc: str, *, output: bool, example: str, shown: str = "") -> Any:
    """Declare a folder option: a text default is required in the dataclass (load_config resolves it)."""
    meta = {_OPTION: Option("", default, check.path, doc, output, example, shown)}
    return field(metadata=meta) if default is not None else field(default=None, metadata=meta)


@dataclass(frozen=True)
class DigestConfig:
    """The ``[digest]`` table: how the weekly email looks, is tagged and is sent."""

    profile: str = _opt("none", check.choice(DIGEST_PROFILES), "whose merge tags go in the footer (none: plain URLs)",
                        output=True, example='"mailchimp"')
    from_address: str = _opt("", check.address, '"Name <addr>" or addr; "": the site title at noreply@<site host>',
                             output=True, example='"News <news@example.org>"')
    subject: str = _opt("{site} — {period}", check.subject,
                        "fields: site, period ('week of 20 February 2023' or 'd1 to d2'), week, start, end",
                        output=True, example='"{site}: {week}"')
    intro: str = _opt("", check.text, '"": a sentence that fits the period (a week, a week still running, a range)',
                      output=True, example='"Hello from the lab."')
    footer_note: str = _opt("", check.one_line,
                            'why the reader gets this email; "": "You are receiving this email because …"',
                            output=True, example='"You signed up at the fair."')
    preheader: str = _opt("", check.one_line, "inbox preview text; default: the titles of the first items",
                          output=True, example='"Five stories this week"')
    postal_address: str = _opt("", check.text, "the sender's postal address, which bulk mail must show",
                               output=True, example='"1 Example Road, Taipei"')
    logo_url: str = _opt("", check.optional_url, "an https image; the site name is shown when empty",
                         output=True, example='"https://example.org/logo.png"')
    logo_width: int = _opt(160, check.positive, "pixels (mail clients need the width attribute)",
                           output=True, example="120")
    unsubscribe_url: str = _opt("", check.optional_url, "profile none only", output=True,
                                example='"https://lists.example.org/unsubscribe"')
    view_online_url: str = _opt("", check.optional_url, 'profile none only; "": <base_url>digest/<week>.html',
                                output=True, example='"https://example.org/mail/"')
    accent_colors: Mapping[str, str] = _opt(MappingProxyType({}), check.colors, "per category slug: #rrggbb",
                                            output=True, example='{ news = "#2b6cb0" }')
    utm_source: str = _opt("newsletter", check.one_line, "added to article links that have no utm_ parameters",
                           output=True, example='"digest"')
    utm_medium: str = _opt("email", check.one_line, "as utm_source", output=True, example='"mail"')
    utm_campaign: str = _opt("digest-{week}", check.campaign, "as utm_source; may use {week}",
                             output=True, example='"weekly-{week}"')
    category_order: tuple[str, ...] = _opt((), check.slugs, "slugs first, in this order; the rest by size then name",
                                           output=True, example='["events", "news"]')
    max_items_per_category: int = _opt(0, check.count, '0: no cap; else "N more in <category>" links',
                                       output=True, example="5")
    size_limit_kb: int = _opt(102, check.positive, "warn above this: Gmail clips HTML above about 102 KB",
                              output=True, example="80")
    # the SMTP settings are only sent with, but the digest's templates see the whole table
    smtp_host: str = _opt("localhost", check.nonempty, "SMTP server of feedpub send", output=True,
                          example='"smtp.example.org"')
    smtp_port: int = _opt(587, check.port, "its port", output=True, example="465")
    smtp_user: str = _opt("", check.one_line, "its login (the password: $FEEDPUB_SMTP_PASSWORD)", output=True,
                          example='"news"')
    smtp_starttls: bool = _opt(True, check.boolean, "encrypt with STARTTLS", output=True, example="false")


@dataclass(frozen=True)
class Config:
    """Every setting of a build, validated; paths are absolute."""

    source: Path = _folder(
        "seeds", "folder of `.md`, `.markdown`, `.txt` documents; first-level subfolders are categories",
        output=True, example='"articles"', shown='`"seeds"` (the embedded seeds when there is no `./seeds`)')
    out: Path = _folder(
        "dist", "output folder; a build puts in only the files that changed, and only once every output is made",
        output=False, example='"public"')
    title: str = _opt("feedpub", check.nonempty, "site-wide feed title and index.html heading",
                      output=True, example='"Taiwan Biotech News"')
    description: str = _opt("Articles published with feedpub", check.text, "feed subtitle / description",
                            output=True, example='"Weekly news from the lab"')
    base_url: str = _opt(
        "https://news.example.org/", check.url, "where `out` is published; links, ids and relative images are made "
        "absolute against it. Left at the default, `check` warns", output=True, example='"https://example.com/news/"')
    language: str = _opt("en", check.lang, "BCP 47 tag: `xml:lang`, RSS `<language>`, `<html lang>`",
                         output=True, example='"zh-TW"')
    timezone: str = _opt("UTC", check.tz, "IANA zone for dates written without one (`2024-05-01` is midnight there)",
                         output=True, example='"Asia/Taipei"')
    author: str = _opt("", check.text, "feed-level author", output=True, example='"Jane Doe"', shown='`""` (the title)')
    author_email: str = _opt("", check.email, "feed-level author email", output=True, example='"news@example.com"')
    feed_limit: int = _opt(50, check.positive, "newest entries per feed", output=True, example="20")
    content_mode: str = _opt(
        "both", check.choice(CONTENT_MODES),
        "`both`: summary and full HTML; `full`: full HTML only; `summary`: summary only",
        output=True, example='"summary"')
    default_category: str = _opt(
        "news", check.nonempty, "category of documents with none in front matter and no folder",
        output=True, example='"general"')
    categories: Mapping[str, str] = _opt(
        MappingProxyType({}), check.categories,
        "display names of category slugs; when non-empty, `check` warns about other categories",
        output=True, example='[categories]\nnews = "News"')
    templates_dir: Path | None = _folder(None, "your templates, tried before the built-in ones",
                                         output=True, example='"templates"')
    future: bool = _opt(
        False, check.boolean, "publish entries dated after the build time (`--future` on the command line)",
        output=True, example="true")
    max_document_kb: int = _opt(
        10 * 1024, check.positive, "larger documents are refused before they are read (see *Safety*)",
        output=True, example="2048")
    max_front_matter_kb: int = _opt(64, check.positive, "larger front matter is refused before it is parsed",
                                    output=True, example="16")
    max_nesting: int = _opt(50, check.positive, "deepest YAML `[`/`{` nesting accepted", output=True, example="20")
    cache: bool = _opt(True, check.boolean, "keep a build cache (see *Performance*)", output=False, example="false")
    cache_dir: Path | None = _folder(
        None, "folder of build caches, one subfolder per pair of source and output folders; never inside either",
        output=False, example='"/var/cache/feedpub"',
        shown="`$FEEDPUB_CACHE_DIR`, else `$XDG_CACHE_HOME/feedpub`, else `~/.cache/feedpub`")
    workers: int = _opt(
        0, check.count,
        "processes used to parse and render many changed documents; `0` = one per core, `1` = never fork",
        output=False, example="1")
    archive_page_size: int | None = _opt(
        None, check.count, "entries per RFC 5005 archive page; `0` = write no archive; may not exceed `feed_limit`",
        output=True, example="10", shown="`feed_limit`")
    hub_url: str = _opt(
        "", check.hub, "a WebSub hub announced by the current feeds (`<link rel=\"hub\">` in Atom and RSS, `hubs` in "
        "JSON Feed)", output=True, example='"https://pubsubhubbub.appspot.com/"')
    exclude: tuple[str, ...] = _opt(
        (), check.globs,
        "files and folders that are not articles, beside the defaults (see *Bring your existing site*): a glob "
        "without `/` matches a name anywhere, one with `/` a path below `source` (`*` within a folder, `**` across)",
        output=True, example='["/*.md", "pages/**"]')
    template_syntax: str = _opt(
        "strip", check.choice(("strip", "keep")),
        "Liquid tags, Hugo shortcodes and Go template actions left in a body: removed from the output, or kept as "
        "text; `check` lists each (`template-syntax`)",
        output=True, example='"keep"')
    front_matter_keys: tuple[str, ...] = _opt(
        (), check.globs, "front-matter keys of your own that `check` accepts without an `unknown-key` warning",
        output=True, example='["hero", "series_order"]')
    pages: bool = _opt(
        True, check.boolean, "write an article page per entry; `false` when your site's generator makes them",
        output=True, example="false")
    list_size: int = _opt(20, check.positive, "entries per page of the home page and of each category's and tag's page",
                          output=True, example="50")
    static_dir: Path | None = _folder(None, "folder copied as it is into `out`", output=True, example='"public-files"',
                                      shown="`./static` beside `feedpub.toml`, if there is one")
    tag_feeds: bool = _opt(
        False, check.boolean, "also a page and Atom, RSS and JSON feeds per tag, under `tags/<slug>/`",
        output=True, example="true")
    digest: DigestConfig = field(default_factory=DigestConfig, metadata={
        _TABLE: (DigestConfig, "see *Digest*", "the weekly email: profile, sender, subject, footer, UTM, size limit, "
                 "SMTP")})
    # where the settings came from: not options
    config_path: Path | None = None  # the file these settings came from, if any
    key_lines: Mapping[str, int | None] = field(default_factory=lambda: MappingProxyType({}))  # keys in the file

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


def _declared(cls: type, prefix: str = "") -> Iterator[Option]:
    """Yield the options of a dataclass's fields, a table's named 'table.key', in declaration order."""
    for f in fields(cls):
        if _OPTION in f.metadata:
            yield replace(f.metadata[_OPTION], name=prefix + f.name)
        elif _TABLE in f.metadata:
            yield from _declared(f.metadata[_TABLE][0], f"{prefix}{f.name}.")


OPTIONS: Mapping[str, Option] = MappingProxyType({o.name: o for o in _declared(Config)})
# the tables, whose keys are flattened to 'table.key' in the file and checked one by one
_TABLES: Mapping[str, type] = MappingProxyType(
    {f.name: f.metadata[_TABLE][0] for f in fields(Config) if _TABLE in f.metadata})
_TOP_LEVEL = frozenset(k for k in OPTIONS if "." not in k) - {"categories"}  # the keys [categories] may not hold


def value_of(config: Config, name: str) -> Any:
    """Return the value of the option name ('feed_limit', 'digest.profile') in config."""
    table, _, leaf = name.rpartition(".")
    return getattr(getattr(config, table) if table else config, leaf)


def output_values(config: Config) -> list[tuple[str, Any]]:
    """Return (name, value) of every option that changes output bytes, in declaration order."""
    return [(name, value_of(config, name)) for name, o in OPTIONS.items() if o.output]


# Config's fields that change no output's bytes (where files go, how fast, where the cache is):
# what a job declaring every setting (inputs.EVERY) does not depend on.
NO_OUTPUT = frozenset({"config_path", "key_lines", *(n for n, o in OPTIONS.items() if not o.output and "." not in n)})


def setting_text(config: Config, name: str) -> str:
    """Return a setting (a field or a property of Config) as keys hash it: a mapping in a stable order."""
    value = getattr(config, name)
    return repr(sorted(value.items())) if isinstance(value, Mapping) else repr(value)


def _toml(v: Any) -> str:
    """Write a default as TOML text."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, str):
        return check.quoted(v)
    if isinstance(v, tuple):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + "}"
    return str(v)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_table() -> str:
    """Return the README's table of the top-level options and tables, one row each."""
    rows = [_row("Key", "Default", "Example", "Meaning"), _row("---", "---", "---", "---")]
    for f in fields(Config):
        if _TABLE in f.metadata:
            _cls, shown, doc = f.metadata[_TABLE]
            rows.append(_row(f"`[{f.name}]`", shown, "", doc))
        elif _OPTION in f.metadata:
            o = OPTIONS[f.name]
            default = o.shown or ("none" if o.default is None else f"`{_toml(o.default)}`")
            example = "<br>".join(f"`{line}`" for line in o.example.splitlines())
            rows.append(_row(f"`{o.name}`", default, example, o.doc))
    return "\n".join(rows) + "\n"


# --- loading -------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _File:
    """The config file as read: its name in messages, its text (for lines) and its TOML values."""

    where: str
    text: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)

    def line(self, key: str) -> int | None:
        """Return the line of key ('digest.profile': inside [digest]), or None."""
        return _key_line(self.text, key)


def _find(config_file: Path | None, cwd: Path) -> Path | None:
    """Return the absolute config file: the one given, else ./feedpub.toml if there is one."""
    if config_file is None and (cwd / CONFIG_NAME).is_file():
        config_file = cwd / CONFIG_NAME
    return None if config_file is None else (cwd / config_file).resolve()


def _read(config_file: Path | None) -> _File:
    """Read and parse the config file (none: no values)."""
    if config_file is None:
        return _File(CONFIG_NAME)
    where, text = str(config_file), ""
    try:
        text = config_file.read_text(encoding="utf-8-sig")
        return _File(where, text, tomllib.loads(text))
    except FileNotFoundError:
        raise ConfigError([Problem(where, None, "config file not found")]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([Problem(where, None, f"cannot read config file: {e}")]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([_syntax_problem(where, text, e)]) from None


def _misplaced(file: _File) -> tuple[dict[str, Any], list[Problem]]:
    """Take out the top-level keys written below a [table] line (the TOML trap), one problem each."""
    raw, problems = dict(file.raw), []
    for table in ("categories", *_TABLES):
        inside = raw.get(table)
        if not isinstance(inside, dict):
            continue
        raw[table] = {k: v for k, v in inside.items() if k not in _TOP_LEVEL}  # not also "category 'x' needs …"
        problems += [Problem(file.where, file.line(f"{table}.{key}"),
                             f"'{key}' is inside the [{table}] table: move it above the [{table}] line "
                             "(in TOML every key after a [table] line belongs to that table)")
                     for key in inside if key in _TOP_LEVEL]
    return raw, problems


def _from_file(key: str, value: Any) -> Any:
    """Return the checked value of a key of the file, or raise ValueError with the whole message."""
    if key in _TABLES:
        raise ValueError(f"'{key}' must be a table ([{key}])")
    option = OPTIONS.get(key)
    if option is None:
        hint = difflib.get_close_matches(key, OPTIONS, n=1)
        raise ValueError(f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""))
    try:
        return option.validate(value)
    except ValueError as e:
        raise ValueError(f"'{key}' {e}") from None


def _check_file(file: _File, problems: list[Problem]) -> tuple[dict[str, Any], dict[str, int | None]]:
    """Return the valid values of the file and the line of every key in it, adding a problem per bad key."""
    raw, misplaced = _misplaced(file)
    problems += misplaced
    values: dict[str, Any] = {}
    lines: dict[str, int | None] = {}
    for key, value in _flatten(raw).items():
        lines[key] = file.line(key)
        try:
            values[key] = _from_file(key, value)
        except ValueError as e:
            problems.append(Problem(file.where, lines[key], str(e)))
    return values, lines


def _check_options(given: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """Return the valid values of the command-line options, adding a problem per bad one."""
    values: dict[str, Any] = {}
    for key, value in given.items():
        try:
            values[key] = OPTIONS[key].validate(value)
        except ValueError as e:
            problems.append(Problem("option", None, f"--{key.replace('_', '-')} {e}"))
    return values


@dataclass(frozen=True)
class _Places:
    """Resolve folder options: an option's against cwd, the file's against the file's folder (as mkdocs)."""

    cwd: Path
    base: Path
    given: Mapping[str, Any]
    values: Mapping[str, Any]

    def path(self, key: str) -> Path | None:
        """Return the absolute folder of key, or None when it is unset and has no default."""
        if key in self.given:
            return (self.cwd / str(self.given[key])).resolve()
        raw = self.values.get(key, OPTIONS[key].default)
        return None if raw is None else (self.base / Path(str(raw)).expanduser()).resolve()


def _check_places(file: _File, places: _Places, lines: Mapping[str, int | None]) -> list[Problem]:
    """Return a problem for a source or static_dir of the file that is not a folder."""
    problems, values = [], places.values
    source = places.path("source")
    if "source" in values and "source" not in places.given and source is not None and not source.is_dir():
        why = "does not exist" if not source.exists() else "is not a folder"
        given = check.shown(values["source"])
        problems.append(Problem(file.where, lines.get("source"),
                                f"'source' must be a folder of documents: {source} ({given}) {why}"))
    static = places.path("static_dir")
    if "static_dir" in values and static is not None and not static.is_dir():
        problems.append(Problem(file.where, lines.get("static_dir"),
                                f"'static_dir' must be a folder: {static} does not exist"))
    return problems


def _check_archive(file: _File, values: Mapping[str, Any], lines: Mapping[str, int | None]) -> list[Problem]:
    """Return a problem when an archive page would hold more entries than the current feed."""
    # a reader walks current feed + archive pages; the entries newer than the last full
    # page must all be in the current feed, so a page may not hold more than it does
    page, limit = values.get("archive_page_size"), values.get("feed_limit", OPTIONS["feed_limit"].default)
    if page is None or page <= limit:
        return []
    return [Problem(file.where, lines.get("archive_page_size"),
                    f"'archive_page_size' ({page}) must not exceed 'feed_limit' ({limit})")]


def _folders(places: _Places, config_file: Path | None) -> dict[str, Any]:
    """Return every folder option resolved, with the defaults that depend on what exists."""
    folders: dict[str, Any] = {k: places.path(k) for k, o in OPTIONS.items() if o.folder}
    source = folders["source"]
    if "source" not in places.values and not (source and source.is_dir()):
        folders["source"] = resources.seeds_dir()  # no config and no ./seeds: build the embedded seeds
    if folders["static_dir"] is None and config_file is not None and (places.base / "static").is_dir():
        folders["static_dir"] = (places.base / "static").resolve()  # Hugo's, Zola's, Eleventy's place, beside it
    return folders


def _make(values: Mapping[str, Any], folders: Mapping[str, Any], config_file: Path | None,
          lines: Mapping[str, int | None]) -> Config:
    """Make the Config of valid values: unset options keep their defaults."""
    tables = {t: cls(**{k.partition(".")[2]: v for k, v in values.items() if k.startswith(f"{t}.")})
              for t, cls in _TABLES.items()}
    top = {k: v for k, v in values.items() if "." not in k and k not in folders}
    return Config(**top, **folders, **tables, config_path=config_file,
                  key_lines=MappingProxyType({k: v for k, v in lines.items() if k in values}))


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
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    config_file = _find(config_file, cwd)
    file = _read(config_file)
    problems: list[Problem] = []
    values, lines = _check_file(file, problems)
    values |= _check_options(given, problems)
    places = _Places(cwd, config_file.parent if config_file is not None else cwd, given, values)
    problems += _check_places(file, places, lines)
    if not problems:  # only a valid feed_limit can bound archive_page_size
        problems = _check_archive(file, values, lines)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0))  # in the file's order
    return _make(values, _folders(places, config_file), config_file, lines)


if __name__ == "__main__":  # python -m feedpub.config: the README's table, to paste into "Configuration reference"
    sys.stdout.write(markdown_table())
