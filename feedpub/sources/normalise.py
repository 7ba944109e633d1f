"""Stage 2 — normalise: turn what a document says (SourceDoc) into what it means (Entry).

Cheap by design: no Markdown is rendered here, so a whole archive can be normalised and
only the entries that land in an output are rendered later (:mod:`feedpub.render.content`).
Every inference records where its value came from (``title_source``, ``date_source``…),
which ``feedpub check`` and ``--verbose`` show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from feedpub import layout
from feedpub.config import Config
from feedpub.errors import NotAPost, Problem, SourceError
from feedpub.model import Author, Category, Entry, Image, SourceDoc, make
from feedpub.slug import RESERVED_NAMES, absolute_url, encode_url, resolve_url, slugify
from feedpub.sources import conventions as keys
from feedpub.sources import dates, plaintext, templates
from feedpub.sources.dates import SourceContext

TITLE_MAX = 80  # characters of an inferred title; a headline longer than this is not one
SUMMARY_MAX = 300
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_ACTIVE_SCHEMES = {"javascript", "vbscript", "data", "file"}
IMAGE_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "png": "image/png", "gif": "image/gif",
    "webp": "image/webp", "avif": "image/avif", "svg": "image/svg+xml", "bmp": "image/bmp",
    "tif": "image/tiff", "tiff": "image/tiff", "ico": "image/vnd.microsoft.icon", "heic": "image/heic",
}


@dataclass(frozen=True)
class Body:
    """A document's body with trailer and header block removed, and how to render it."""

    text: str
    fmt: str  # "markdown" | "text"
    line: int  # file line where text starts
    trailer: plaintext.Trailer
    header: plaintext.Header | None
    excerpt: str | None = None  # the text above a summary divider (<!--more-->), if there is one
    templates: tuple[tuple[int, str], ...] = ()  # (file line, tag) of template syntax left in the body


def body_of(doc: SourceDoc, template_syntax: str = "strip") -> Body:
    """Return the body to render: trailer, divider and raw markers removed; for plain text, header block removed.

    template_syntax: "strip" removes template tags left in the body, "keep" leaves them as text.
    """
    fmt = _format(doc)
    found = templates.process(doc.body, strip=template_syntax == "strip")
    text, trailer = plaintext.split_trailer(found.text)
    header = None
    line = doc.body_line
    if fmt == "text":
        header = plaintext.split_header(text)
        if header.title is not None and not isinstance(doc.meta.get("title"), str):
            text = header.body
            line += header.lines_removed
        else:
            header = None
    excerpt = None
    own = doc.meta.get(keys.EXCERPT_SEPARATOR) if doc.meta else None
    # every usual divider is an HTML comment; a search for one character first (memchr speed)
    # skips most bodies: a search for '<!--' costs several times more
    lt = text.find("<") if own is None else 0
    if own is not None or (lt >= 0 and text.find("<!--", lt) >= 0):
        for divider in _dividers(doc.meta):
            at = text.find(divider)
            if at >= 0:
                excerpt, text = text[:at], text[:at] + text[at + len(divider):]
                break
    tags = tuple((doc.body_line + n, tag) for n, tag in found.tags)
    return make(Body, {"text": text, "fmt": fmt, "line": line, "trailer": trailer, "header": header,
                       "excerpt": excerpt, "templates": tags})


def _dividers(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the summary dividers of a document: its own excerpt_separator, then <!--more-->."""
    own = meta.get(keys.EXCERPT_SEPARATOR) if meta else None
    if isinstance(own, str) and own.strip():  # Jekyll's default, a blank line, is no divider
        return (own, *keys.MORE)
    return keys.MORE


def _blank(text: str) -> bool:
    """Whether text is empty or all whitespace (not text.strip(), without copying the text)."""
    return not text or text.isspace()


def _format(doc: SourceDoc) -> str:
    declared = doc.meta.get("format")
    if declared in ("markdown", "text"):
        return str(declared)
    if doc.has_front_matter or doc.path.suffix.lower() in (".md", ".markdown"):
        return "markdown"
    return "text"


class _Problems:
    """Collects every problem of one document so they are all reported together."""

    def __init__(self, doc: SourceDoc) -> None:
        self.doc = doc
        self.items: list[Problem] = []

    def add(self, key: str | None, message: str, line: int | None = None) -> None:
        if line is None and key is not None:
            line = self.doc.meta_lines.get(key)
        self.items.append(Problem(self.doc.rel, line, message))


def _text_field(
    doc: SourceDoc, probs: _Problems, *keys: str, allow_list: bool = False
) -> tuple[str, str | None]:
    """Return (cleaned text, key) of the first key present; ("", None) when none is.

    Numbers are read as text (YAML makes ``title: 2023`` an int). With allow_list, a list
    of strings (``authors: [A, B]``) is joined and a ``{name: …}`` mapping gives its name.
    """
    meta = doc.meta
    if not meta:  # a document without front matter: asked ten times a document
        return "", None
    for key in keys:
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, str):  # the common case first; the checks below leave a str as it is
            return plaintext.clean_line(value), key
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        elif allow_list and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ", ".join(value)
        elif allow_list and isinstance(value, dict) and isinstance(value.get("name"), str):
            value = value["name"]
        if not isinstance(value, str):
            probs.add(key, f"'{key}' must be text, not {_kind(value)}")
            return "", key
        return plaintext.clean_line(value), key
    return "", None


def _kind(value: Any) -> str:
    """Describe a value by its type, never by repr: a YAML alias bomb must not be printed."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()}; YAML reads yes/no/on/off as booleans: quote text)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):  # a scalar: named with its value, shortened
        return "the string " + json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    return type(value).__name__


def _list_field(doc: SourceDoc, probs: _Problems, key: str) -> tuple[str, ...]:
    value = doc.meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):  # Pelican: "a, b", or "a, b; c" when a tag holds a comma
        return tuple(t for t in (plaintext.clean_line(v) for v in value.split(";" if ";" in value else ",")) if t)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return tuple(t for t in (plaintext.clean_line(str(v)) for v in value) if t)
    probs.add(key, f"'{key}' must be a list of text, not {_kind(value)}")
    return ()


def _date(value: object, key: str, config: Config, probs: _Problems, *, shown: bool = True) -> datetime | None:
    """Return the value of key (not None) as an aware datetime, or None having recorded why not.

    shown: whether outputs show the date (an expiry date is only compared, so 9999-12-31 may mean "never").
    """
    if isinstance(value, bool):
        probs.add(key, f"'{key}' is not a date: {value!r} (YAML read it as a boolean)")
        return None
    try:
        found = dates.to_datetime(value, config.tz)
        return dates.check_latest(found, value) if shown else found
    except dates.DateValueError as e:
        probs.add(key, f"'{key}' {e}")
        return None


# Eleventy's words for "the file's own dates": no date in the document itself.
_ELEVENTY_DATES = frozenset(("last modified", "created", "git last modified", "git created"))


def _entry_date(doc: SourceDoc, body: Body, config: Config, probs: _Problems,
                context: SourceContext) -> tuple[datetime | None, str]:
    meta = doc.meta
    for key in keys.DATE if meta else ():
        value = meta.get(key)
        if value is None or (isinstance(value, bool) and key == keys.PUBLISHED) or _empty_header(doc, value):
            continue  # Jekyll's published: false is no date; nor is Pelican's "Date:" with nothing after it
        if isinstance(value, str) and value.strip().lower() in _ELEVENTY_DATES:
            break
        if isinstance(value, str) and not _looks_valid(value, config):
            named = dates.from_filename(_dated_name(doc.rel), config.tz)
            if named is not None:
                # the file's name carries a date and the front matter's is malformed: the name
                # decides, and check says so (a 102-post archive is not stopped by one typo)
                return named, "filename"
        # None when the value is not a valid date: _date recorded the problem
        return _date(value, key, config, probs), "front matter"
    if body.trailer.date is not None:
        line = doc.body_line + (body.trailer.date_line or 0)
        try:
            found = dates.parse_date_string(body.trailer.date, config.tz)
            return dates.check_latest(found, body.trailer.date), "Date: line"
        except dates.DateValueError as e:
            probs.add(None, f"'Date:' line {e}", line)
            return None, "Date: line"
    d = dates.from_filename(_dated_name(doc.rel), config.tz)
    if d is not None:
        return d, "filename"
    for key in _ADDRESS_KEYS if meta else ():
        value = meta.get(key)
        if isinstance(value, str) and (d := dates.from_path(value, config.tz)) is not None:
            return d, key  # Zola's path = "2014/12/12/slug": the address is where the day is written
    d = context.git_date(doc.path)
    if d is not None:
        return d.astimezone(config.tz), "git"
    d = context.newest_dated
    if d is not None:
        return d, "newest seed"
    return dates.from_mtime(doc.mtime, config.tz), "mtime"


_ADDRESS_KEYS = (*keys.URL, keys.ZOLA_PATH)


def _looks_valid(value: str, config: Config) -> bool:
    try:
        dates.parse_date_string(value, config.tz)
    except dates.DateValueError:
        return False
    return True


def _dated_name(rel: str) -> str:
    """Return the name that may carry a document's date: its file's, or its bundle folder's."""
    parts = rel.split("/")
    if len(parts) > 1 and _is_bundle_index(parts[-1]):
        return parts[-2]
    return parts[-1]


def _is_bundle_index(name: str) -> bool:
    return name in ("index.md", "index.markdown", "index.txt")


def _title(doc: SourceDoc, body: Body, probs: _Problems) -> tuple[str, str]:
    value = doc.meta.get("title")
    if isinstance(value, str):  # nearly every title: what _text_field does with a str
        title = plaintext.clean_line(value)
        if not title:
            probs.add("title", "'title' is empty")
        return title, "front matter"
    title, key = _text_field(doc, probs, "title")
    if key:
        if not title and isinstance(doc.meta.get(key), str):
            probs.add(key, "'title' is empty")
        return title, "front matter"
    if body.header is not None and body.header.title:
        return body.header.title, "header block"
    first = _first_text_line(body.text)
    if body.fmt == "markdown":
        m = _HEADING.match(first)
        if m:
            return plaintext.clean_line(m.group(1)), "first heading"
        first = _INLINE_MARKUP.sub("", first)
    if not first:
        probs.add(None, "document has no title and no text to make one from", doc.body_line)
        return "", "none"
    # first_sentence's text is cleaned already
    return plaintext.shorten_clean(plaintext.first_sentence(first), TITLE_MAX), "first sentence"


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_INLINE_MARKUP = re.compile(r"[*_`\[\]]|\(https?://[^)]*\)|<[^>]*>")


def _first_text_line(text: str) -> str:
    """Return the first line of text that has any text once cleaned, or "" (the body is not split)."""
    start = 0
    while True:
        newline = text.find("\n", start)
        line = text[start:] if newline < 0 else text[start:newline]
        if plaintext.clean_line(line):
            return line
        if newline < 0:
            return ""
        start = newline + 1


# An archive has few categories and every document names one: slugify each once.
_category_slug = lru_cache(maxsize=1024)(slugify)


def _first_of(value: Any) -> Any:
    """Return the first item of a list (None when empty), or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _category(doc: SourceDoc, config: Config, probs: _Problems) -> tuple[Category, str]:
    meta = doc.meta
    value = meta.get("category") if meta else None
    key = "category"
    if isinstance(value, str):  # nearly every category: what the checks below do with a str
        raw, source = plaintext.clean_line(value), "front matter"
    else:
        raw, source = "", "default"
        if value is None and meta:
            if meta.get("categories") is not None:
                value, key = meta["categories"], "categories"
                if isinstance(value, str) and doc.dialect == "yaml":
                    value = value.split()  # Jekyll: categories: a b, separated by spaces
            elif isinstance(taxonomies := meta.get(keys.TAXONOMIES), dict):
                value, key = taxonomies.get("categories"), keys.TAXONOMIES  # Zola
        value = _first_of(value)
        if value is not None:
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                raw, source = plaintext.clean_line(str(value)), "front matter"
            else:
                probs.add(key, f"'{key}' must be text or a list of text, not {_kind(value)}")
    if not raw:
        folder = _folder(doc.rel)
        if folder:
            raw, source = folder, "folder"
    if not raw:
        raw = config.default_category
    slug = _category_slug(raw)
    if not slug:
        probs.add(key if source == "front matter" else None,
                  f"category {raw!r} has no letters or digits to name a feed after")
        slug = slugify(config.default_category) or "news"
    elif slug in RESERVED_NAMES:
        probs.add(key if source == "front matter" else None,
                  f"category {raw!r} is a reserved device name on Windows and cannot name a feed folder")
    name = config.categories.get(slug)
    if name is None:
        name = raw if source == "front matter" and raw != slug else slug.replace("-", " ").title()
    return make(Category, {"slug": slug, "name": name}), source


def _folder(rel: str) -> str:
    """Return the folder that names a document's category: its first, not a bundle's own nor _posts.

    A year folder (2025/slug/index.md, 2025/05/slug.md) is the archive of a blog, not a
    category: the document then has no category from its folders.
    """
    if "/" not in rel:
        return ""
    folders = _folders(rel)
    first = next((f for f in folders if not f.startswith("_")), "")
    return "" if _YEAR.fullmatch(first) else first


def _folders(rel: str) -> list[str]:
    """Return the folders above a document, not a page bundle's own."""
    parts = rel.split("/")
    return parts[:-2] if _is_bundle_index(parts[-1]) else parts[:-1]


_YEAR, _MONTH = re.compile(r"\d{4}"), re.compile(r"0[1-9]|1[0-2]")


def _archive(rel: str) -> str:
    """Return the year (and month) folders a document sits in, as '2025/' or '2025/05/'; "" when it does not."""
    if "/" not in rel:
        return ""
    folders = [f for f in _folders(rel) if not f.startswith("_")]
    if not folders or not _YEAR.fullmatch(folders[0]):
        return ""
    return f"{folders[0]}/{folders[1]}/" if len(folders) > 1 and _MONTH.fullmatch(folders[1]) else f"{folders[0]}/"


def _url(doc: SourceDoc, category: Category, config: Config, probs: _Problems) -> tuple[str, str]:
    """Return the entry's URL and where its relative links point ("": the site's base_url)."""
    meta = doc.meta
    name = doc.rel[doc.rel.rfind("/") + 1:]
    own = "/" in doc.rel and _is_bundle_index(name)  # a page bundle: its files sit beside it
    link, key = "", None
    if meta:
        for candidate in keys.CANONICAL:  # an article whose home is elsewhere links there
            value = meta.get(candidate)
            if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
                url = plaintext.clean_line(value)
                if not url.startswith(config.base_url):
                    try:
                        return absolute_url(url, config.base_url), ""
                    except ValueError as e:
                        probs.add(candidate, f"'{candidate}' is {e}")
                        return config.base_url, ""
        for candidate in keys.URL:
            value = meta.get(candidate)
            if value is None or value is False:
                continue
            if isinstance(value, str):
                if "{{" in value or "{%" in value:
                    continue  # an Eleventy permalink template: not a URL until Eleventy runs it
                link, key = plaintext.clean_line(value), candidate  # what _text_field does with a str
            else:
                link, key = _text_field(doc, probs, candidate)
            break
        if not link and isinstance(meta.get(keys.ZOLA_PATH), str):
            link, key = plaintext.clean_line(meta[keys.ZOLA_PATH]).strip("/") + "/", keys.ZOLA_PATH
    if link:
        try:
            url = absolute_url(link, config.base_url)
        except ValueError as e:
            probs.add(key, f"'{key}' is {e}")
            return config.base_url, ""
        if not url.lower().startswith(("http://", "https://")):
            probs.add(key, f"'{key}' must be a path or an http(s) URL, not {_kind(link)}")
        elif problem := _page_path_problem(url, config):
            probs.add(key, f"'{key}' {link!r} {problem}")
        return url, url if own else ""
    slug, slug_key = _text_field(doc, probs, *keys.SLUG)
    if not slug:
        slug = _undated(_dated_name(doc.rel) if own else _stem(doc.rel))
    leaf = slugify(slug) or "article"
    if leaf in RESERVED_NAMES:
        said = f"'{slug_key}' {slug!r}" if slug_key else f"the file name's slug {leaf!r}"
        probs.add(slug_key, f"{said} is a reserved device name on Windows and cannot name a page folder"
                  f"{'' if slug_key else ': set slug'}")
    # a post in a year folder keeps its year in its address: two years' "weekly-notes" stay two pages
    url = absolute_url(f"{_archive(doc.rel) or category.slug + '/'}{leaf}/", config.base_url)
    return url, url if own else ""


def _page_path_problem(url: str, config: Config) -> str:
    """Return why the page of a permalink cannot be written where it says, or "" when it can."""
    path = layout.page_path(url, config)
    if path is None:
        return ""  # not the site's to write
    parts = path.split("/")
    reserved = next((p for p in parts if p.split(".")[0].lower() in RESERVED_NAMES), None)
    if reserved is not None:
        return (f"gives the page {path!r}, and {reserved!r} is a reserved device name on Windows"
                f"{' (with any extension)' if '.' in reserved else ''}")
    return ""  # a page on a file the build makes itself is refused with every other clash (feedpub.claims)


_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_]")


def _undated(name: str) -> str:
    """Return a name without its YYYY-MM-DD- prefix (Jekyll and Zola take the slug from the rest)."""
    m = _DATE_PREFIX.match(name)
    return name[m.end():] if m and m.end() < len(name) else name


def _stem(rel: str) -> str:
    """Return PurePosixPath(rel).with_suffix("").name: the file name without its extension."""
    name = rel[rel.rfind("/") + 1:]
    if not name or name == ".":  # the last segment is not the name: pathlib decides
        return PurePosixPath(rel).with_suffix("").name
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _image(doc: SourceDoc, title: str, config: Config, page_base: str, probs: _Problems) -> Image | None:
    meta = doc.meta
    if not meta or (_IMAGE_KEYS.isdisjoint(meta) and keys.EXTRA not in meta):
        return None
    url, key, alt = "", None, ""
    extra = meta.get(keys.EXTRA)  # Zola themes keep theirs under [extra]
    for table in (meta, extra) if isinstance(extra, dict) else (meta,):
        for candidate in keys.IMAGE:
            if candidate not in table:
                continue
            value = table[candidate]
            if isinstance(value, dict):  # cover: {image: …, alt: …}
                alt = str(value["alt"]) if isinstance(value.get("alt"), str) else ""
                value = value.get("image") or value.get("src") or value.get("url")
            value = _first_of(value)  # Hugo's images: [a, b]
            if value is not None and value != "":
                key = candidate
                if isinstance(value, str):
                    url = plaintext.clean_line(value)
                else:
                    probs.add(candidate, f"'{candidate}' must be text, not {_kind(value)}")
                break
        if key:
            break
    if not url:
        return None
    try:
        absolute = resolve_url(url, config.base_url, page_base)
    except ValueError as e:
        probs.add(key, f"'{key}' is {e}")
        return None
    if not absolute.lower().startswith(("http://", "https://")):
        probs.add(key, f"'{key}' is not an http(s) URL: {url!r}")
        return None
    if not alt and not _IMAGE_ALT.isdisjoint(meta):
        alt, _ = _text_field(doc, probs, *keys.IMAGE_ALT)
    return make(Image, {"url": absolute, "mime_type": _image_type(absolute),
                        "alt": (plaintext.clean_line(alt) if alt else "") or title})


_IMAGE_KEYS, _IMAGE_ALT = frozenset(keys.IMAGE), frozenset(keys.IMAGE_ALT)


def _image_type(url: str) -> str:
    """Return the MIME type an image URL's extension names (image/jpeg when it names none we know).

    A fixed table, not mimetypes: its answers depend on the machine's /etc/mime.types.
    Unknown extensions are taken as JPEG, the overwhelmingly common case (RSS needs a type).
    """
    m = _EXTENSION.match(url)
    return IMAGE_TYPES.get(m.group(1).lower(), "image/jpeg") if m else "image/jpeg"


# The extension of the path's last segment: after its last dot, up to a query, fragment or the end
# (the greedy [^?#]* backs off to that dot; a dot followed by a '/' is in a folder's name).
_EXTENSION = re.compile(r"[^?#]*\.([^./?#]*)(?:[?#]|\Z)")


def normalise(doc: SourceDoc, config: Config, context: SourceContext | None = None, *,
              find_pages: bool = True) -> Entry:
    """Infer an Entry from a SourceDoc; raise SourceError listing all its problems.

    context: what dating needs from outside the document, made once per build (a new one
    when not given: it holds no state worth keeping between builds). find_pages: a document that
    looks like a page of the site rather than a post (see :func:`page_reason`) raises SourceError
    with one :class:`NotAPost` problem; where documents are gathered, knowing them all, it is left
    out (most documents are dated: :func:`mostly_dated`) or read again without find_pages.
    """
    context = context if context is not None else SourceContext.of(config)
    meta = doc.meta
    if not doc.has_front_matter and _blank(doc.body):
        raise SourceError([Problem(doc.rel, None, "file is empty")])
    probs = _Problems(doc)
    body = body_of(doc, config.template_syntax)
    if meta and _redirect_stub(doc):
        return _stub(doc, body, config, context)
    title, title_source = _title(doc, body, probs)
    date, date_source = _entry_date(doc, body, config, probs, context)
    # most documents have none of these meanings' keys: one isdisjoint() says so for all
    rare = bool(meta) and not _RARE.isdisjoint(meta)
    updated = _first_date(doc, keys.UPDATED, config, probs) if rare and not _UPDATED.isdisjoint(meta) else None
    expires = (_first_date(doc, keys.EXPIRES, config, probs, shown=False)
               if rare and not _EXPIRES.isdisjoint(meta) else None)
    category, category_source = _category(doc, config, probs)
    url, page_base = _url(doc, category, config, probs)
    raw_id = _id(doc, probs) if rare and not _ID.isdisjoint(meta) else ""
    summary, summary_key = _text_field(doc, probs, *keys.SUMMARY)
    summary_source = "front matter" if summary_key else ""
    if not summary and body.excerpt is not None:
        summary = _plain(body.excerpt, body.fmt)
        summary_source = "divider" if summary else ""
    authors = _authors(doc, config, probs) if rare and not _AUTHOR.isdisjoint(meta) else ()
    if not authors and body.trailer.author:
        authors = tuple(a for a in parse_authors(body.trailer.author, config.base_url) if a.name)
    source = _text_field(doc, probs, *keys.SOURCE, allow_list=True)[0] if rare and "source" in meta else ""
    tags = _tags(doc, probs) if rare and not _TAGS.isdisjoint(meta) else ()
    if body.header is not None:
        tags = body.header.kicker + tags
    draft = _draft(doc, probs) if rare and not _DRAFT.isdisjoint(meta) else False
    if meta and meta.get("permalink") is False:
        draft = True  # Eleventy: no page is written
    if not draft and "/_drafts/" in f"/{doc.rel}":
        draft = True  # Jekyll's drafts folder
    image = _image(doc, title, config, page_base, probs)
    if find_pages and date_source in UNDATED and (why := page_reason(doc, body)):
        raise SourceError([NotAPost(doc.rel, None, f"not a post, left out: {why}")])
    # a body of template tags alone (a Pelican {% notebook %}) is a post with a title, a date and no text
    bodyless = bool(body.templates) and title_source == "front matter" and date_source not in UNDATED
    if _blank(body.text) and not summary and not bodyless:
        fence = doc.body_line - 1 if doc.has_front_matter else None  # the body is empty: point at the fence
        probs.add(None, "document has no body text and no 'summary' to publish", fence)
    if probs.items:
        raise SourceError(probs.items)
    assert date is not None  # every failing branch above recorded a problem
    # a dict display, not keywords: a call with many keywords costs twice the dict
    return make(Entry, {
        "id": raw_id or url,
        "url": url,
        "title": title,
        "title_source": title_source,
        "date": date,
        "date_source": date_source,
        "updated": max(updated, date) if updated is not None else date,
        "category": category,
        "category_source": category_source,
        "summary": plaintext.shorten_clean(summary, SUMMARY_MAX * 2) if summary else "",
        "source": source or (plaintext.clean_line(body.trailer.source) if body.trailer.source else ""),
        "authors": authors,
        "tags": tuple(dict.fromkeys(tags)) if tags else (),
        "image": image,
        "rel": doc.rel,
        "fmt": body.fmt,
        "draft": draft,
        "lines": doc.meta_lines,
        "expires": expires,
        "summary_source": summary_source,
        "page_base": page_base,
    })


UNDATED = frozenset(("git", "mtime", "newest seed"))
"""Where the date of a document that carries none of its own comes from."""


def mostly_dated(date_sources: Iterable[str], pages: int) -> bool:
    """Whether most documents of a source carry their own date (pages: those found to look like pages).

    Only there is an undated document without text a page: in a folder of notes that git or the
    file time dates, it is one more note.
    """
    sources = list(date_sources)
    dated = sum(1 for s in sources if s not in UNDATED)
    return dated * 2 > len(sources) + pages


def _template_name(value: str) -> str:
    """Return a template's name without folder and extension ('_default/list.html' -> 'list'); any text."""
    name = value.strip().lower().rpartition("/")[2]
    return name.rpartition(".")[0] or name


def page_reason(doc: SourceDoc, body: Body) -> str:
    """Say why an undated document is a page of the site, not a post ("" when it may be a post).

    A template or layout that lists posts, or no text to publish: a body that is empty, or only
    template syntax and markup once the tags a generator would run are taken out.
    """
    meta = doc.meta
    key = next((k for k in keys.TEMPLATE if meta and meta.get(k) not in (None, False, "")), "")
    template = meta[key] if key else None
    named = ""
    if template is True:
        named = f"'{key}: true' makes its body a template"
    elif isinstance(template, str) and _template_name(template) in keys.LIST_TEMPLATES:
        named = f"'{key}' names the list template {template.strip()!r}"
    if _has_text(body.text):
        return f"no date of its own and {named}" if named else ""
    what = "only template syntax" if body.templates else "empty"
    return f"no date of its own and no text to publish (its body is {what}" + (f"; {named})" if named else ")")


_MARKUP = re.compile(r"<[^>]*>")


def _has_text(text: str) -> bool:
    """Whether text holds a letter or digit outside template tags and HTML tags."""
    if "{" in text or "<" in text:
        text = _MARKUP.sub("", templates.process(text, strip=True).text)
    return any(c.isalnum() for c in text)


_UPDATED, _EXPIRES, _ID = frozenset(keys.UPDATED), frozenset(keys.EXPIRES), frozenset(keys.ID)
_AUTHOR = frozenset((*keys.AUTHOR, keys.EXTRA))
_TAGS = frozenset(("tags", "keywords", keys.TAXONOMIES))
_DRAFT = frozenset((keys.DRAFT, keys.PUBLISHED, keys.STATUS, keys.EXCLUDED_FROM_COLLECTIONS))
_RARE = _UPDATED | _EXPIRES | _ID | _AUTHOR | _TAGS | _DRAFT | {"source"}


def _stub(doc: SourceDoc, body: Body, config: Config, context: SourceContext) -> Entry:
    """Return the entry of a redirect stub: a draft (never published), titled by where it points."""
    target = next(str(doc.meta[k]) for k in keys.REDIRECT if isinstance(doc.meta.get(k), str))
    probs = _Problems(doc)
    date, date_source = _entry_date(doc, body, config, probs, context)
    category, category_source = _category(doc, config, probs)
    url, page_base = _url(doc, category, config, probs)
    if date is None:
        date, date_source = dates.from_mtime(doc.mtime, config.tz), "mtime"
    return make(Entry, {
        "id": url, "url": url, "title": f"redirect to {plaintext.clean_line(target)[:80]}",
        "title_source": "redirect", "date": date, "date_source": date_source, "updated": date,
        "category": category, "category_source": category_source, "summary": "", "source": "", "authors": (),
        "tags": (), "image": None, "rel": doc.rel, "fmt": body.fmt, "draft": True, "lines": doc.meta_lines,
        "expires": None, "summary_source": "", "page_base": page_base,
    })


def _first_date(doc: SourceDoc, names: tuple[str, ...], config: Config, probs: _Problems, *,
                shown: bool = True) -> datetime | None:
    """Return the date of the first of names the front matter has (valid or not: it decides)."""
    meta = doc.meta
    if not meta:
        return None
    for key in names:
        value = meta.get(key)
        if value is not None and not _empty_header(doc, value):
            return _date(value, key, config, probs, shown=shown)
    return None


def _empty_header(doc: SourceDoc, value: object) -> bool:
    """Whether value is a Pelican / MultiMarkdown header written with nothing after its key."""
    return value == "" and doc.dialect == "headers"


def _plain(text: str, fmt: str) -> str:
    """Return the text of a Markdown or plain-text excerpt as one line (markup dropped)."""
    lines = [_HEADING.sub(r"\1", line) for line in text.split("\n")] if fmt == "markdown" else [text]
    return plaintext.clean_line(_INLINE_MARKUP.sub("", " ".join(lines)) if fmt == "markdown" else lines[0])


def _id(doc: SourceDoc, probs: _Problems) -> str:
    """Return the id a document names (an absolute URI), or ""."""
    raw_id, id_key = _text_field(doc, probs, *keys.ID)
    if id_key and raw_id and not _SCHEME.match(raw_id):
        probs.add(id_key, f"'{id_key}' must be an absolute URI (https://… or urn:…), not {_kind(raw_id)}")
    elif id_key and raw_id.split(":", 1)[0].lower() in _ACTIVE_SCHEMES:
        probs.add(id_key, f"'{id_key}' must not use the {raw_id.split(':', 1)[0]}: scheme")
    elif id_key and raw_id:
        try:
            raw_id = encode_url(raw_id)  # an IRI safe for XML
        except ValueError:
            probs.add(id_key, f"'{id_key}' is not a valid URI: {raw_id[:80]!r}")
    return raw_id


def _tags(doc: SourceDoc, probs: _Problems) -> tuple[str, ...]:
    """Return the tags of tags, keywords and Zola's [taxonomies] tags, in that order."""
    tags = _list_field(doc, probs, "tags") + _list_field(doc, probs, "keywords")
    taxonomies = doc.meta.get(keys.TAXONOMIES)
    if isinstance(taxonomies, dict) and isinstance(zola := taxonomies.get("tags"), list):
        tags += tuple(t for t in (plaintext.clean_line(str(v)) for v in zola if isinstance(v, (str, int))) if t)
    return tags


def _draft(doc: SourceDoc, probs: _Problems) -> bool:
    """Return whether a document says it is not to be published, in any generator's words."""
    meta = doc.meta
    draft = meta.get(keys.DRAFT, False)
    if isinstance(draft, str) and doc.dialect == "headers":
        draft = draft.strip().lower() in ("true", "yes")
    if not isinstance(draft, bool):
        probs.add(keys.DRAFT, f"'draft' must be true or false, not {_kind(draft)}")
        draft = False
    status = meta.get(keys.STATUS)
    return (draft
            or meta.get(keys.PUBLISHED) is False  # Jekyll
            or (isinstance(status, str) and status.strip().lower() in keys.DRAFT_STATUSES)  # Pelican
            or meta.get(keys.EXCLUDED_FROM_COLLECTIONS) is True)  # Eleventy


def _redirect_stub(doc: SourceDoc) -> bool:
    """Whether a document only redirects elsewhere (redirect: /x and no text): not an article."""
    meta = doc.meta
    return (not _REDIRECT_KEYS.isdisjoint(meta)  # one test for nearly every document
            and any(isinstance(meta.get(k), str) for k in keys.REDIRECT) and _blank(doc.body))


_REDIRECT_KEYS = frozenset(keys.REDIRECT)


# "[Jane Doe](https://example.com/jane)" (a URL may hold balanced parentheses), and the
# "(Acme)" written right after it: her affiliation, not part of her name
_MARKDOWN_LINK = re.compile(r"\[([^\[\]]+)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AFFILIATION = re.compile(r"\s*\(([^()]*)\)")
_NAME_EMAIL = re.compile(r"(.*?)\s*<([^<>@\s]+@[^<>\s]+)>")
_EMAIL = re.compile(r"[^<>@\s()]+@[^<>@\s()]+\.[^<>@\s()]+")
# What joins the names of a list written as text: "A, B and C", "A & B", "By A with B"
_JOINERS = re.compile(r"[,;&]|\b(?:and|with)\b", re.IGNORECASE)
_BY = re.compile(r"\s*by\b\s*", re.IGNORECASE)


def _authors(doc: SourceDoc, config: Config, probs: _Problems) -> tuple[Author, ...]:
    """Return the authors a document names: a name, a list, a mapping, Markdown links, Name <email>."""
    meta = doc.meta
    for table in (meta, meta.get(keys.EXTRA)):
        if not isinstance(table, dict) and table is not meta:
            continue
        for key in keys.AUTHOR:
            value = table.get(key)
            if value is None or value in ("", []):
                continue
            if isinstance(value, str) and "](" not in value:
                # Pelican's Authors: A, B (or "Doe, Jane; Roe, Richard"); an author string is one
                # name unless it holds ';' (Markdown links are taken apart by parse_authors)
                split = ";" if ";" in value or key != "authors" else ","
                value = [v for v in value.split(split) if v.strip()]
            if not isinstance(value, list):
                value = [value]
            found: list[Author] = []
            for item in value:
                named = _author(item, config)
                if named is None:
                    probs.add(key, f"'{key}' must be a name, a list of names or of {{name: …}}, not {_kind(item)}")
                    return ()
                found += (a for a in named if a.name)
            return tuple(dict.fromkeys(found))
    return ()


def _author(value: Any, config: Config) -> tuple[Author, ...] | None:
    """Return the authors of a string or a mapping; None when the value is neither."""
    if isinstance(value, dict):
        name = str(value["name"]) if isinstance(value.get("name"), str) else ""
        link = next((str(value[k]) for k in ("uri", "url", "link", "website") if isinstance(value.get(k), str)), "")
        email = str(value["email"]) if isinstance(value.get("email"), str) else ""
        affiliation = str(value["affiliation"]) if isinstance(value.get("affiliation"), str) else ""
        return (make(Author, {"name": plaintext.clean_line(name), "uri": _author_uri(link, config.base_url),
                              "email": email.strip(), "affiliation": plaintext.clean_line(affiliation)}),)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return parse_authors(value, config.base_url)


def parse_authors(text: str, base_url: str) -> tuple[Author, ...]:
    """Return the people an author text names, Markdown links and addresses taken apart.

    ``[Jane Doe](https://example.com/jane) (Acme)`` is Jane Doe, her page and her affiliation;
    every link of a list is one author (``[A](u1), [B](u2)``, ``By [A](u1) (X) and [B](u2) (Y)``),
    a name written without a link between them another one. ``Jane Doe <jane@example.com>`` and a
    bare address give an e-mail. A link to anything but a web page or a ``mailto:`` keeps only its
    words. Text without a link is one name.
    """
    text = plaintext.clean_line(text)
    if "](" not in text or not (links := list(_MARKDOWN_LINK.finditer(text))):
        return (_plain_author(text),)
    found: list[Author] = []
    at = 0
    for m in links:
        found += _names_between(text[at:m.start()], first=at == 0)
        affiliation = _AFFILIATION.match(text, m.end())
        at = affiliation.end() if affiliation else m.end()
        name, target = plaintext.clean_line(m.group(1)), m.group(2)
        uri = email = ""
        if target.lower().startswith("mailto:") and _EMAIL.fullmatch(target[7:]):
            email = target[7:]
        else:
            uri = _author_uri(target, base_url)
        found.append(make(Author, {"name": name, "uri": uri, "email": email,
                                   "affiliation": plaintext.clean_line(affiliation.group(1)) if affiliation else ""}))
    found += _names_between(text[at:], first=False)
    return tuple(found)


def _names_between(text: str, *, first: bool) -> list[Author]:
    """Return the names written without a link around the links of an author list ("By", "and" are none).

    A piece that starts in lower case ("on behalf of the team") is prose, not a name.
    """
    if first and (by := _BY.match(text)):
        text = text[by.end():]
    return [_plain_author(piece) for piece in (p.strip() for p in _JOINERS.split(text))
            if piece and piece[0].isalpha() and not piece[0].islower()]


def _plain_author(text: str) -> Author:
    """Return the author a text without links names: "Name <email>", an address, or a name."""
    if m := _NAME_EMAIL.fullmatch(text):
        return make(Author, {"name": plaintext.clean_line(m.group(1)) or m.group(2), "uri": "",
                             "email": m.group(2), "affiliation": ""})
    if _EMAIL.fullmatch(text):
        return make(Author, {"name": text, "uri": "", "email": text, "affiliation": ""})
    return make(Author, {"name": plaintext.clean_line(text), "uri": "", "email": "", "affiliation": ""})


def _author_uri(link: str, base_url: str) -> str:
    """Return an author's page as an absolute http(s) URL, or "" when it is not one."""
    if not link.strip():
        return ""
    try:
        url = absolute_url(link, base_url)
    except ValueError:
        return ""
    return url if url.lower().startswith(("http://", "https://")) else ""


def source_path(entry: Entry, config: Config) -> Path:
    """Return the file an entry was read from."""
    return config.source / entry.rel
