"""Where an entry lives: its category (a feed of its own), its URL, and its id."""

from __future__ import annotations

import functools
import re
from functools import lru_cache
from typing import Any

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Category, SourceDoc, make
from feedpub.slug import RESERVED_NAMES, absolute_url, distinct_slug, encode_url, slugify
from feedpub.sources import conventions as keys
from feedpub.sources.fields.common import Problems, first_of, is_bundle, kind, named_slug, text_field
from feedpub.sources.plaintext import clean_line

_HTTP = ("http://", "https://")
_YEAR, _MONTH = re.compile(r"\d{4}"), re.compile(r"0?[1-9]|1[0-2]")  # a month folder: 05, or 5 (Eleventy)
_PLACEHOLDER = re.compile(r"(?:^|/):[A-Za-z_]")  # a segment starting with ':' is Jekyll's placeholder
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_ACTIVE_SCHEMES = {"javascript", "vbscript", "data", "file"}

# An archive has few categories and every document names one: slugify each once.
_category_slug = lru_cache(maxsize=1024)(functools.partial(distinct_slug, kind="category"))


def category(doc: SourceDoc, config: Config, probs: Problems) -> tuple[Category, str]:
    """Return the category and where it came from: the front matter, the first folder, or the default."""
    raw, source, key = _named_category(doc, probs)
    if not raw and (folder := folder_of(doc.rel)):
        raw, source = folder, "folder"
    if not raw:
        raw = config.default_category
    slug = _slug(raw, key if source == "front matter" else None, config, probs)
    name = config.categories.get(slug)
    if name is None:
        name = _shown(raw, slug, source)
    return make(Category, {"slug": slug, "name": name}), source


def _shown(raw: str, slug: str, source: str) -> str:
    """Return the name a category is shown under when [categories] names none.

    The front matter's as written, and a folder's when it has a capital (Pelican shows
    BigData/ as "BigData", DevOps/ as "DevOps") or letters its slug cannot spell (技术/: the
    slug holds a hash); an all-lowercase folder (a Hugo section: news/) or name is
    title-cased from its slug, as is the default category.
    """
    if source == "front matter" and raw != slug:
        return raw
    if source == "folder" and (raw != raw.lower() or slug != slugify(raw)):
        return clean_line(raw)  # a file name may hold what a line of a feed may not (a tab, a newline)
    return slug.replace("-", " ").title()


def _slug(raw: str, key: str | None, config: Config, probs: Problems) -> str:
    """Return the slug of a category's name (the default category's, the problem recorded, when it has none)."""
    slug = _category_slug(raw)
    if not slug:
        probs.add(key, f"category {raw!r} has no letters or digits to name a feed after")
        return slugify(config.default_category) or "news"
    if slug in RESERVED_NAMES:
        probs.add(key, f"category {raw!r} is a reserved device name on Windows and cannot name a feed folder")
    return slug


def _named_category(doc: SourceDoc, probs: Problems) -> tuple[str, str, str]:
    """Return (name, source, key) of the category the front matter names; ("", "default", key) when none."""
    one, listed = keys.CATEGORY
    meta = doc.meta
    value = meta.get(one) if meta else None
    if isinstance(value, str):  # nearly every category
        return clean_line(value), "front matter", one
    key = one
    if value is None and meta:
        value, key = _listed_category(doc, listed)
    value = first_of(value)
    if value is None:
        return "", "default", key
    if isinstance(value, str | int) and not isinstance(value, bool):
        return clean_line(str(value)), "front matter", key
    probs.add(key, f"'{key}' must be text or a list of text, not {kind(value)}")
    return "", "default", key


def _listed_category(doc: SourceDoc, listed: str) -> tuple[Any, str]:
    """Return the categories a list names (Jekyll's, Zola's [taxonomies]) and their key; (None, "category") without."""
    meta = doc.meta
    if meta.get(listed) is not None:
        value = meta[listed]
        if isinstance(value, str) and doc.dialect == "yaml":
            value = value.split()  # Jekyll: categories: a b, separated by spaces
        return value, listed
    if isinstance(taxonomies := meta.get(keys.TAXONOMIES), dict):
        return taxonomies.get("categories"), keys.TAXONOMIES  # Zola
    return None, keys.CATEGORY[0]


def folder_of(rel: str) -> str:
    """Return the folder that names a document's category: its first, not a bundle's own nor _posts.

    A year folder (2025/slug/index.md, 2025/05/slug.md) is the archive of a blog, not a
    category: the document then has no category from its folders.
    """
    if "/" not in rel:
        return ""
    first = next((f for f in _folders(rel) if not f.startswith("_")), "")
    return "" if _YEAR.fullmatch(first) else first


def _folders(rel: str) -> list[str]:
    """Return the folders above a document, not a page bundle's own."""
    parts = rel.split("/")
    return parts[:-2] if is_bundle(rel) else parts[:-1]


def _archive(rel: str) -> str:
    """Return the year (and month) folders a document sits in, with the section above them; "" when none.

    '2025/' or '2025/05/' at the top; 'blog/2025/' for Hugo's content/blog/2025/slug/index.md
    built from content, the address Hugo gives it.
    """
    if "/" not in rel:
        return ""
    folders = [f for f in _folders(rel) if not f.startswith("_")]
    year = next((i for i, f in enumerate(folders) if _YEAR.fullmatch(f)), None)
    if year is None:
        return ""
    above = "".join(f"{slug}/" for f in folders[:year] if (slug := distinct_slug(f, "section")))
    month = year + 1 < len(folders) and _MONTH.fullmatch(folders[year + 1])
    return f"{above}{folders[year]}/{folders[year + 1]}/" if month else f"{above}{folders[year]}/"


def url(doc: SourceDoc, category: Category, config: Config, probs: Problems) -> tuple[str, str]:
    """Return the entry's URL and where its relative links point ("": the site's base_url).

    An address on another site (a canonical URL) first, then the document's own permalink,
    url or Zola path, then one made of its category (or year folders) and its slug.
    """
    # a page bundle: its files sit beside it, so its relative links resolve against its own URL
    own = is_bundle(doc.rel)
    elsewhere = _canonical(doc, config, probs) if doc.meta else None
    if elsewhere is not None:
        return elsewhere, ""
    link, key = _link(doc, probs) if doc.meta else ("", None)
    found = _linked(link, key, config, probs) if link else _made(doc, category, config, probs)
    if found is None:
        return config.base_url, ""
    return found, found if own else ""


def _canonical(doc: SourceDoc, config: Config, probs: Problems) -> str | None:
    """Return the absolute URL an article whose home is another site names; None when it names none."""
    for candidate in keys.CANONICAL:
        value = doc.meta.get(candidate)
        if not (isinstance(value, str) and value.strip().lower().startswith(_HTTP)):
            continue
        found = clean_line(value)
        if found.startswith(config.base_url):
            continue  # this site's own address: the article lives here
        try:
            return absolute_url(found, config.base_url)
        except ValueError as e:
            probs.add(candidate, f"'{candidate}' is {e}")
            return config.base_url
    return None


def _link(doc: SourceDoc, probs: Problems) -> tuple[str, str | None]:
    """Return the path or URL the document gives itself (permalink, url, Zola's path) and its key."""
    meta = doc.meta
    link, key = "", None
    for candidate in keys.URL:
        value = meta.get(candidate)
        if value is None or value is False:
            continue
        if not isinstance(value, str):
            link, key = text_field(doc, probs, candidate)
            break
        # an Eleventy permalink template, or a Jekyll pattern (/:year/:title/): not a URL until the generator runs it
        if "{{" not in value and "{%" not in value and not _PLACEHOLDER.search(value):
            link, key = clean_line(value), candidate
            break
    if not link and isinstance(meta.get(keys.ZOLA_PATH), str):
        return clean_line(meta[keys.ZOLA_PATH]).strip("/") + "/", keys.ZOLA_PATH
    return link, key


def _linked(link: str, key: str | None, config: Config, probs: Problems) -> str | None:
    """Return the absolute URL of a link the document gives (None, the problem recorded, when it is none)."""
    try:
        found = absolute_url(link, config.base_url)
    except ValueError as e:
        probs.add(key, f"'{key}' is {e}")
        return None
    if not found.lower().startswith(_HTTP):
        probs.add(key, f"'{key}' must be a path or an http(s) URL, not {kind(link)}")
    elif problem := _page_path_problem(found, config):
        probs.add(key, f"'{key}' {link!r} {problem}")
    return found


def _page_path_problem(url: str, config: Config) -> str:
    """Return why the page of a permalink cannot be written where it says, or "" when it can.

    A page on a file the build makes itself is refused with every other clash (feedpub.claims).
    """
    path = layout.page_path(url, config)
    if path is None:
        return ""  # not the site's to write
    reserved = next((p for p in path.split("/") if p.split(".")[0].lower() in RESERVED_NAMES), None)
    if reserved is None:
        return ""
    return (f"gives the page {path!r}, and {reserved!r} is a reserved device name on Windows"
            f"{' (with any extension)' if '.' in reserved else ''}")


def _made(doc: SourceDoc, category: Category, config: Config, probs: Problems) -> str:
    """Return the URL made of the document's slug (its name's) below its year folders or its category."""
    slug, slug_key = text_field(doc, probs, *keys.SLUG)
    if not slug:
        slug = named_slug(doc.rel)
    leaf = distinct_slug(slug, "article") or "article"
    if leaf in RESERVED_NAMES:
        said = f"'{slug_key}' {slug!r}" if slug_key else f"the file name's slug {leaf!r}"
        probs.add(slug_key, f"{said} is a reserved device name on Windows and cannot name a page folder"
                  f"{'' if slug_key else ': set slug'}")
    # a post in a year folder keeps its year in its address: two years' "weekly-notes" stay two pages
    return absolute_url(f"{_archive(doc.rel) or category.slug + '/'}{leaf}/", config.base_url)


def entry_id(doc: SourceDoc, probs: Problems) -> str:
    """Return the id a document names (an absolute URI: ``id``, else ``guid``), or "".

    A value that is no URI at all is no id: WordPress's post number (``id: 1234``, which its
    exporters to Hugo and Jekyll write beside ``guid: https://old.example/?p=1234``, and which
    neither generator reads) stopped a migrated site's build. It is passed over (``check``
    says so: ``id-not-uri``), and the entry's id is its ``guid`` or its URL. A URI of an
    active scheme, or one that is not valid, is an error.
    """
    for key in keys.ID:
        raw_id, id_key = text_field(doc, probs, key)
        if not (id_key and raw_id) or not is_uri(raw_id):
            continue
        scheme = raw_id.split(":", 1)[0]
        if scheme.lower() in _ACTIVE_SCHEMES:
            probs.add(id_key, f"'{id_key}' must not use the {scheme}: scheme")
            return raw_id
        try:
            return encode_url(raw_id)  # an IRI safe for XML
        except ValueError:
            probs.add(id_key, f"'{id_key}' is not a valid URI: {raw_id[:80]!r}")
            return raw_id
    return ""


def is_uri(text: str) -> bool:
    """Whether text starts as an absolute URI does (a scheme and a colon): what an id may be."""
    return _SCHEME.match(text) is not None
