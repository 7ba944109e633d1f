"""One mapping of an entry onto Atom, RSS and JSON Feed, so that every reader shows the same entry.

The README's "What each format says" table is this module in words. The three writers
(:mod:`atom_rss`, :mod:`jsonfeed`, :mod:`archive`) ask it for the values they differ on most
easily: who wrote an entry, which categories it is in, its dates at one precision, and the
size of its image.
"""

from __future__ import annotations

import functools
import html.entities
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import SplitResult, unquote, urlsplit

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Author, Category, Entry, Image
from feedpub.outputs.protocol import File
from feedpub.records import Record


@dataclass(frozen=True)
class Term:
    """A category as every format writes it: the name people read, and the scheme it is from."""

    name: str
    scheme: str = ""  # the category's own folder of feeds for the entry's category, "" for a tag


def authors_of(entry: Entry | Record) -> tuple[Author, ...]:
    """Return who wrote an entry, in order (a source it came from is no author: sources/normalise).

    The one place the outputs read an entry's people.
    """
    return entry.authors


def rss_creators(authors: tuple[Author, ...]) -> tuple[str, ...]:
    """Return an RSS item's ``dc:creator`` names: one per author, never an RSS ``<author>``.

    RSS ``<author>`` must hold an e-mail address (the W3C validator warns on a bare name),
    and readers show it verbatim: sfeed and rss-parser show ``jane@example.com (Jane Doe)``
    where Atom and JSON Feed show Jane Doe. ``dc:creator`` holds a name, as the other formats
    do; the e-mail address is in Atom ``<email>`` and the JSON Feed author's ``mailto:`` url.
    Never both elements: the validator warns about an item with both (DuplicateItemSemantics).
    """
    return tuple(a.name for a in authors)


def category_scheme(slug: str, base_url: str) -> str:
    """Return the scheme of an entry's category: the folder of that category's feeds."""
    return base_url + layout.feed_paths(Category(slug, slug)).folder


def terms_of(entry: Entry, config: Config) -> tuple[Term, ...]:
    """Return an entry's categories: its category under its display name, then its tags.

    Every format writes the display name as the category's text (Atom ``term``, RSS
    ``<category>``, a JSON Feed tag): readers show that text, and an Atom ``term`` that is
    the slug would show ``go-brand`` where RSS shows ``Go Brand``.
    """
    first = Term(entry.category.name, category_scheme(entry.category.slug, config.base_url))
    return (first, *(Term(tag) for tag in other_tags(entry.tags, entry.category.name)))


def other_tags(tags: tuple[str, ...], category: str) -> tuple[str, ...]:
    """Return the tags an entry shows beside its category: each term once, the category's name first.

    A site often tags a post with its category too (WordPress exports "Post Formats", a
    Pelican folder "Container" and a tag "Container"): a reader would list the term twice.
    Terms that differ only in case are one (readers and people take "News" and "news" for one
    word; tag pages merge them too); other differences stay, as "C" and "C++" are two words
    whose slugs are one.
    """
    if not tags:
        return tags
    seen = {category.casefold()}
    kept = []
    for tag in tags:
        folded = tag.casefold()
        if folded not in seen:
            seen.add(folded)
            kept.append(tag)
    return tags if len(kept) == len(tags) else tuple(kept)


# HTML element names (the W3C validator's list, as HTML 4 and 5 name them): an end tag of one
# in text makes the text look like HTML
HTML_TAGS = frozenset("""
a abbr acronym address applet area article aside audio b base basefont bdi bdo big blink blockquote
body br button canvas caption center cite code col colgroup data datalist dd del details dfn dialog
dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6
head header hgroup hr html i iframe img input ins isindex kbd keygen label legend li link main map
mark marquee menu meta meter nav noframes noscript object ol optgroup option output p param picture
pre progress q rp rt ruby s samp script section select small source span strike strong style sub
summary sup table tbody td template textarea tfoot th thead time title tr track tt u ul var video
wbr""".split())
_END_TAG = re.compile(r"</(\w+)>")
_ENTITY = re.compile(r"&(#?\w+);")


def looks_like_html(text: str) -> bool:
    """Whether text reads as HTML to the W3C validator: an HTML end tag or a character reference.

    Such text in an Atom text construct is declared ``type="html"`` (escaped once more);
    other text, ``R&D <agency>`` included, stays ``type="text"``, which every client shows
    as it is (sfeed and rss-parser show an HTML title's markup). In an RSS title the
    validator warns ContainsHTML, which no spelling avoids.
    """
    if "<" not in text and "&" not in text:
        return False
    if any(tag.lower() in HTML_TAGS for tag in _END_TAG.findall(text)):
        return True
    return any(ref[0] == "#" or ref in html.entities.name2codepoint for ref in _ENTITY.findall(text))


def seconds(d: datetime) -> datetime:
    """Return a date at whole seconds: every format writes its dates at that precision."""
    return d.replace(microsecond=0) if d.microsecond else d


def iso(d: datetime) -> str:
    """Return a date as RFC 3339 at whole seconds (Atom and JSON Feed)."""
    return d.isoformat(timespec="seconds")


def image_files(image: Image, config: Config) -> tuple[str, ...]:
    """Return the files of the source folder an image may be, most likely first (none for a remote image).

    The image is the source folder's file at the URL's path below base_url (or below the
    host, for ``/images/x.jpg``); no resolving: every archive entry asks.
    """
    base, url = config.base_url, image.url
    origin, site = _origin(base)
    if url[:len(origin)].lower() != origin:  # on another host (most images): no file of the source folder
        return ()
    root = _root(os.fspath(config.source))
    if site.path == "/" and url.startswith(base) and _PLAIN_REST.match(url, len(base)):
        # base_url at the host's root and a plain path after it (most local images): the path
        # below base_url and the path below the host are one, found without parsing the URL twice
        candidates = [url[len(base):].partition("#")[0].partition("?")[0]]
    else:
        candidates = []
        if url.startswith(base):
            candidates.append(urlsplit(url[len(base):]).path)
        parts = urlsplit(url)
        if parts.netloc == site.netloc and parts.scheme == site.scheme:
            candidates.append(parts.path.lstrip("/"))
    found: list[str] = []
    for rel in candidates:
        path = os.path.normpath(os.path.join(root, unquote(rel)))
        if rel and not rel.endswith("/") and path.startswith(root + os.sep) and path not in found:
            found.append(path)
    return tuple(found)


# what urlsplit reads as a path alone: no scheme (":"), no host ("//"), nothing it strips or drops
_PLAIN_REST = re.compile(r"(?![/\x00-\x20])[^:\x00-\x20\x7f]*\Z")


@functools.lru_cache(maxsize=8)
def _root(source: str) -> str:
    """Return the source folder as image paths are compared with it."""
    return os.path.normpath(source)


@functools.lru_cache(maxsize=8)
def _origin(base: str) -> tuple[str, SplitResult]:
    """Return base_url's scheme://host, lower-cased (a URL on its host starts so, whatever its case), and its parts."""
    site = urlsplit(base)
    return f"{site.scheme}://{site.netloc}".lower(), site


def image_sizes(images: Iterable[Image | None], config: Config,
                stat: Callable[[str], File]) -> tuple[tuple[File, ...], tuple[tuple[str, int], ...]]:
    """Return the files local images may be (as stat found them), and each local image's size by URL.

    An RSS enclosure needs a positive length (the W3C validator rejects 0); a remote image's
    size is not known without fetching it, which a build never does, so such an image goes
    out as media:content, an Atom enclosure link and a JSON Feed image, which need none.
    Sizes are found when a build plans: the files are part of the key of every output that
    writes a length, and make() reads the sizes, never the files.
    """
    files: dict[str, File] = {}
    sizes: dict[str, int] = {}
    for image in images:
        if image is None or image.url in sizes:
            continue
        for path in image_files(image, config):
            f = files.get(path) or stat(path)
            files[path] = f
            if f.size > 0:
                sizes[image.url] = f.size
                break
    return tuple(files.values()), tuple(sorted(sizes.items()))


def enclosure_length(image: Image, sizes: Mapping[str, int]) -> int | None:
    """Return the size in bytes of an image that is a file in the source folder (None: unknown; see image_sizes)."""
    return sizes.get(image.url)
