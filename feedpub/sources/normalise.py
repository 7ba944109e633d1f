"""Stage 2 — normalise: turn what a document says (SourceDoc) into what it means (Entry).

Cheap by design: no Markdown is rendered here, so a whole archive can be normalised and
only the entries that land in an output are rendered later (:mod:`feedpub.render.content`).
Every inference records where its value came from (``title_source``, ``date_source``…),
which ``feedpub check`` and ``--verbose`` show.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.model import Category, Entry, Image, SourceDoc, make
from feedpub.slug import RESERVED_NAMES, absolute_url, encode_url, slugify
from feedpub.sources import dates, plaintext

TITLE_MAX = 80  # characters of an inferred title; a headline longer than this is not one
SUMMARY_MAX = 300
# Keys of the last-modified date, the first present wins (a dict: ordered, and most documents
# have none of them, which one isdisjoint() says).
_UPDATED_KEYS = dict.fromkeys(("updated", "lastmod", "modified", "last_modified_at")).keys()
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


def body_of(doc: SourceDoc) -> Body:
    """Return the body to render: trailer removed; for plain text, header block removed."""
    fmt = _format(doc)
    text, trailer = plaintext.split_trailer(doc.body)
    header = None
    line = doc.body_line
    if fmt == "text":
        header = plaintext.split_header(text)
        if header.title is not None and not isinstance(doc.meta.get("title"), str):
            text = header.body
            line += header.lines_removed
        else:
            header = None
    return make(Body, {"text": text, "fmt": fmt, "line": line, "trailer": trailer, "header": header})


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
    if isinstance(value, str):
        return tuple(t for t in (plaintext.clean_line(v) for v in value.split(",")) if t)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return tuple(t for t in (plaintext.clean_line(str(v)) for v in value) if t)
    probs.add(key, f"'{key}' must be a list of text, not {_kind(value)}")
    return ()


def _date(value: object, key: str, config: Config, probs: _Problems) -> datetime | None:
    """Return the value of key (not None) as an aware datetime, or None having recorded why not."""
    if isinstance(value, bool):
        probs.add(key, f"'{key}' is not a date: {value!r} (YAML read it as a boolean)")
        return None
    try:
        return dates.to_datetime(value, config.tz)
    except dates.DateValueError as e:
        probs.add(key, f"'{key}' {e}")
        return None


def _entry_date(doc: SourceDoc, body: Body, config: Config, probs: _Problems) -> tuple[datetime | None, str]:
    meta = doc.meta
    for key in ("date", "published", "pubDate") if meta else ():
        value = meta.get(key)
        if value is not None:
            # None when the value is not a valid date: _date recorded the problem
            return _date(value, key, config, probs), "front matter"
    if body.trailer.date is not None:
        line = doc.body_line + (body.trailer.date_line or 0)
        try:
            return dates.parse_date_string(body.trailer.date, config.tz), "Date: line"
        except dates.DateValueError as e:
            probs.add(None, f"'Date:' line {e}", line)
            return None, "Date: line"
    d = dates.from_filename(doc.path.name, config.tz)
    if d is not None:
        return d, "filename"
    d = dates.from_git(doc.path, config.source)
    if d is not None:
        return d.astimezone(config.tz), "git"
    return dates.from_mtime(doc.mtime, config.tz), "mtime"


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


def _category(doc: SourceDoc, config: Config, probs: _Problems) -> tuple[Category, str]:
    value = doc.meta.get("category")
    key = "category"
    if isinstance(value, str):  # nearly every category: what the checks below do with a str
        raw, source = plaintext.clean_line(value), "front matter"
    else:
        raw, source = "", "default"
        if value is None and doc.meta.get("categories") is not None:
            value = doc.meta["categories"]
            key = "categories"
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                raw, source = plaintext.clean_line(str(value)), "front matter"
            else:
                probs.add(key, f"'{key}' must be text or a list of text, not {_kind(value)}")
    if not raw and "/" in doc.rel:
        raw, source = doc.rel.split("/", 1)[0], "folder"
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


def _url(doc: SourceDoc, category: Category, config: Config, probs: _Problems) -> str:
    link, key = _text_field(doc, probs, "permalink", "url")
    if link:
        try:
            url = absolute_url(link, config.base_url)
        except ValueError as e:
            probs.add(key, f"'{key}' is {e}")
            return config.base_url
        if not url.lower().startswith(("http://", "https://")):
            probs.add(key, f"'{key}' must be a path or an http(s) URL, not {_kind(link)}")
        return url
    slug, _ = _text_field(doc, probs, "slug")
    leaf = (slug and slugify(slug)) or slugify(_stem(doc.rel)) or "article"
    folder = category.slug
    return absolute_url(f"{folder}/{leaf}/", config.base_url)


def _stem(rel: str) -> str:
    """Return PurePosixPath(rel).with_suffix("").name: the file name without its extension."""
    name = rel[rel.rfind("/") + 1:]
    if not name or name == ".":  # the last segment is not the name: pathlib decides
        return PurePosixPath(rel).with_suffix("").name
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _image(doc: SourceDoc, title: str, config: Config, probs: _Problems) -> Image | None:
    url, key = _text_field(doc, probs, "image", "cover", "thumbnail")
    if not url:
        return None
    try:
        absolute = absolute_url(url, config.base_url)
    except ValueError as e:
        probs.add(key, f"'{key}' is {e}")
        return None
    if not absolute.lower().startswith(("http://", "https://")):
        probs.add(key, f"'{key}' is not an http(s) URL: {url!r}")
        return None
    alt, _ = _text_field(doc, probs, "image_alt", "alt")
    return make(Image, {"url": absolute, "mime_type": _image_type(absolute), "alt": alt or title})


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


def normalise(doc: SourceDoc, config: Config) -> Entry:
    """Infer an Entry from a SourceDoc; raise SourceError listing all its problems."""
    entry = _usual_entry(doc, config)
    if entry is not None:
        return entry
    probs = _Problems(doc)
    body = body_of(doc)
    meta = doc.meta
    if not doc.has_front_matter and _blank(doc.body):
        raise SourceError([Problem(doc.rel, None, "file is empty")])
    title, title_source = _title(doc, body, probs)
    date, date_source = _entry_date(doc, body, config, probs)
    updated = None
    for key in _UPDATED_KEYS if not _UPDATED_KEYS.isdisjoint(meta) else ():
        value = meta.get(key)
        if value is not None:  # the first key with a value decides, valid or not
            updated = _date(value, key, config, probs)
            break
    category, category_source = _category(doc, config, probs)
    url = _url(doc, category, config, probs)
    tags: tuple[str, ...]
    if _RARE_KEYS.isdisjoint(meta):
        # Most documents have none of these keys: _other_fields would give these defaults
        # and find no problem (a test compares the two).
        raw_id, author, source, tags, draft = "", "", "", (), False
        summary, _ = _text_field(doc, probs, "summary", "description", "excerpt")
    else:
        raw_id, summary, author, source, tags, draft = _other_fields(doc, probs)
    if body.header is not None:
        tags = body.header.kicker + tags
    image = _image(doc, title, config, probs)
    if _blank(body.text) and not summary:
        fence = doc.body_line - 1 if doc.has_front_matter else None  # the body is empty: point at the fence
        probs.add(None, "document has no body text and no 'summary' to publish", fence)
    if probs.items:
        raise SourceError(probs.items)
    assert date is not None  # every failing branch above recorded a problem
    # a dict display, not keywords: a call with 18 keywords costs twice the dict
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
        "source": source or body.trailer.source or "",
        "author": author or body.trailer.author or "",
        "tags": tuple(dict.fromkeys(tags)) if tags else (),
        "image": image,
        "rel": doc.rel,
        "fmt": body.fmt,
        "draft": draft,
        "lines": doc.meta_lines,
    })


# Every front matter key normalise reads (a test checks that it reads no other), and the few
# that _usual_entry reads itself.
_READ_KEYS = frozenset((
    "title", "date", "published", "pubDate", *_UPDATED_KEYS, "category", "categories", "permalink", "url", "slug",
    "id", "guid", "summary", "description", "excerpt", "author", "authors", "source", "tags", "keywords", "draft",
    "image", "cover", "thumbnail", "image_alt", "alt", "format",
))
_USUAL_KEYS = frozenset(("title", "date", "category", "permalink", "summary", "image"))
_UNUSUAL_KEYS = _READ_KEYS - _USUAL_KEYS


def _usual_entry(doc: SourceDoc, config: Config) -> Entry | None:
    """Return normalise's entry for the usual document, or None for any other.

    The usual document has front matter whose keys, among those normalise reads, are at most
    title, date, category, permalink, summary and image, with text values (date: any value
    _date takes, or none and a Date: line), and no problem. Then normalise's general steps reduce to these few (a test
    compares the two on documents of every shape); any other document, or any problem, is
    left to them. ~20 % of a usual document's normalise.
    """
    meta = doc.meta
    if not doc.has_front_matter or not _UNUSUAL_KEYS.isdisjoint(meta):
        return None
    title, day, link = meta.get("title"), meta.get("date"), meta.get("permalink")
    summary, image = meta.get("summary", ""), meta.get("image")
    if not (isinstance(title, str) and isinstance(link, str) and isinstance(summary, str)
            and (image is None or isinstance(image, str))):
        return None
    title, link, summary = plaintext.clean_line(title), plaintext.clean_line(link), plaintext.clean_line(summary)
    image = plaintext.clean_line(image) if image is not None else ""  # "": no image, as _image says
    if not title or not link:
        return None  # an empty title is a problem; an empty permalink means a URL made from the slug
    text, trailer = plaintext.split_trailer(doc.body)  # what body_of gives a document with front matter
    probs = _Problems(doc)
    if day is not None:
        date, date_source = _date(day, "date", config, probs), "front matter"
    elif trailer.date is not None:
        try:
            date, date_source = dates.parse_date_string(trailer.date, config.tz), "Date: line"
        except dates.DateValueError:
            return None
    else:
        return None  # a date from the file's name, git or time: the general steps decide
    category, category_source = _category(doc, config, probs)
    if date is None or probs.items or (_blank(text) and not summary):
        return None
    base = config.base_url
    try:
        url = absolute_url(link, base)
        absolute = absolute_url(image, base) if image else ""
    except ValueError:
        return None
    if not url.lower().startswith(("http://", "https://")) or (
            absolute and not absolute.lower().startswith(("http://", "https://"))):
        return None
    return make(Entry, {
        "id": url,
        "url": url,
        "title": title,
        "title_source": "front matter",
        "date": date,
        "date_source": date_source,
        "updated": date,
        "category": category,
        "category_source": category_source,
        "summary": plaintext.shorten_clean(summary, SUMMARY_MAX * 2) if summary else "",
        "source": trailer.source or "",
        "author": trailer.author or "",
        "tags": (),
        "image": make(Image, {"url": absolute, "mime_type": _image_type(absolute), "alt": title})
        if absolute else None,
        "rel": doc.rel,
        "fmt": "markdown",
        "draft": False,
        "lines": doc.meta_lines,
    })


# Keys that only _other_fields reads, and that few documents have.
_RARE_KEYS = frozenset(("id", "guid", "description", "excerpt", "author", "authors", "source", "tags", "keywords",
                        "draft", "published"))


def _other_fields(doc: SourceDoc, probs: _Problems) -> tuple[str, str, str, str, tuple[str, ...], bool]:
    """Return the id, summary, author, source, tags and draft a document names, problems in that order."""
    raw_id, id_key = _text_field(doc, probs, "id", "guid")
    if id_key and raw_id and not _SCHEME.match(raw_id):
        probs.add(id_key, f"'{id_key}' must be an absolute URI (https://… or urn:…), not {_kind(raw_id)}")
    elif id_key and raw_id.split(":", 1)[0].lower() in _ACTIVE_SCHEMES:
        probs.add(id_key, f"'{id_key}' must not use the {raw_id.split(':', 1)[0]}: scheme")
    elif id_key and raw_id:
        try:
            raw_id = encode_url(raw_id)  # an IRI safe for XML
        except ValueError:
            probs.add(id_key, f"'{id_key}' is not a valid URI: {raw_id[:80]!r}")
    summary, _ = _text_field(doc, probs, "summary", "description", "excerpt")
    author, _ = _text_field(doc, probs, "author", "authors", allow_list=True)
    source, _ = _text_field(doc, probs, "source", allow_list=True)
    tags = _list_field(doc, probs, "tags") + _list_field(doc, probs, "keywords")
    draft = doc.meta.get("draft", False)
    if not isinstance(draft, bool):
        probs.add("draft", f"'draft' must be true or false, not {_kind(draft)}")
        draft = False
    if doc.meta.get("published") is False:
        draft = True  # Jekyll's way of saying draft
    return raw_id, summary, author, source, tags, draft


def source_path(entry: Entry, config: Config) -> Path:
    """Return the file an entry was read from."""
    return config.source / entry.rel
