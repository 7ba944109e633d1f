"""Atom 1.0 and RSS 2.0: the one module that writes them, deterministic and valid.

The current feeds go through feedgen, the only module that imports it (and lxml, which
feedgen is built on). feedgen stamps ``now()`` into ``updated``/``lastBuildDate`` and
entries, and prepends entries unless told otherwise, so every such field is set explicitly
and entries are appended in our order. feedgen 1.0 also drops the ``rel`` of Atom entry
links (lkiesow/python-feedgen#135) and writes ``length="None"`` for enclosures without a
length: the Atom XML is repaired after serialisation, in :func:`_repair_atom`.

The RFC 5005 archive pages (``outputs/archive``) are Atom too, written here as text
(:func:`archive_page`): a large site has thousands of them, each a flat list of entries
without bodies, and building feedgen's and lxml's objects for each costs about eight times
writing it (see docs/performance.md). Both paths take what an entry says from the same
rules: its links (:func:`entry_links`), its text constructs (:func:`text_construct`), its
people and terms (``outputs/mapping``), whole seconds.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from feedpub.config import Config
from feedpub.model import Author, Entry, Rendered
from feedpub.outputs import mapping

if TYPE_CHECKING:
    from feedgen.feed import FeedEntry, FeedGenerator
    from lxml import etree

    from feedpub.records import Record

# feedgen and lxml are imported by the functions that write a feed (see docs/performance.md): a
# rebuild whose feeds all come from the build cache, and every user of FeedSpec, never loads them.

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
GENERATOR_URI = "https://pypi.org/project/feedpub/"


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: its identity, links and the entries in it, newest first."""

    title: str
    subtitle: str
    atom_url: str
    rss_url: str
    json_url: str
    home_url: str  # the page this feed is the feed of (rel="alternate")
    entries: tuple[Rendered, ...]
    folder: str = ""  # where its files go inside dist/ ("" or "categories/<slug>/")
    stylesheet_url: str | None = None  # CSS that makes the feed readable in a browser
    hub_url: str | None = None  # WebSub hub, if configured
    built: datetime | None = None  # the build's 'now': the date of a feed with no entries yet
    prev_archive_url: str | None = None  # newest RFC 5005 archive page, if any
    image_sizes: Mapping[str, int] = field(default_factory=dict)  # local images' sizes by URL (mapping.image_sizes)

    @property
    def updated(self) -> datetime:
        """The feed's last change: the newest ``updated`` of its entries (build time if none)."""
        if not self.entries:
            if self.built is None:
                raise ValueError("a feed without entries needs the build time")
            return self.built
        return max(r.entry.updated for r in self.entries)


def prepare() -> None:
    """Import feedgen and lxml now (e.g. while other processes work; forked children share them)."""
    import feedgen.feed  # noqa: F401 - imported for its side effect
    import lxml.etree  # noqa: F401


def entry_links(entry: Entry | Record, sizes: Mapping[str, int]) -> list[dict[str, str]]:
    """Return an entry's Atom links in the order they are written: its page, then its image (see _repair_atom)."""
    links = [{"href": entry.url, "rel": "alternate", "type": "text/html"}]
    image = entry.image
    if image is not None:
        link = {"href": image.url, "rel": "enclosure", "type": image.mime_type}
        length = mapping.enclosure_length(image, sizes)
        if length:
            link["length"] = str(length)
        links.append(link)
    return links


def text_construct(text: str) -> tuple[str, str]:
    """Return an Atom text construct's type and content: text that looks like HTML is declared escaped HTML.

    The same words either way: the W3C validator warns about text that looks like undeclared
    HTML (ContainsUndeclaredHTML, see mapping.looks_like_html), and escaped HTML shows the
    same characters.
    """
    if mapping.looks_like_html(text):
        return "html", html.escape(text, quote=False)
    return "text", text


def _generator(spec: FeedSpec, config: Config, self_url: str) -> FeedGenerator:
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("media")
    fg.load_extension("dc")
    fg.id(self_url)
    fg.title(spec.title)
    fg.subtitle(spec.subtitle or spec.title)  # RSS requires a description
    fg.language(config.language)
    fg.author({"name": config.author_name, **({"email": config.author_email} if config.author_email else {})})
    fg.generator("feedpub", uri=GENERATOR_URI)
    fg.updated(mapping.seconds(spec.updated))
    fg.lastBuildDate(mapping.seconds(spec.updated))
    for r in spec.entries:  # newest first already; 'append' keeps that order
        _entry(fg.add_entry(order="append"), r, spec, config)
    return fg


def _entry(fe: FeedEntry, r: Rendered, spec: FeedSpec, config: Config) -> None:
    e = r.entry
    fe.id(e.id)
    fe.guid(e.id, permalink=e.id == e.url and e.id.startswith(("http://", "https://")))
    fe.title(e.title)
    # the alternate link only: feedgen makes an enclosure link an RSS enclosure too (of
    # length 0 when it has none); _repair_atom writes every Atom link
    fe.link(**entry_links(e, spec.image_sizes)[0])
    fe.published(mapping.seconds(e.date))
    fe.updated(mapping.seconds(e.updated))
    # Atom people here; RSS dc:creator names are written by _rss_people
    for a in mapping.authors_of(e):
        fe.author({"name": a.name, **({"email": a.email} if a.email else {}), **({"uri": a.uri} if a.uri else {})})
    for term in mapping.terms_of(e, config):
        fe.category({"term": term.name, **({"scheme": term.scheme} if term.scheme else {})})
    _content(fe, r, config.content_mode)
    if e.image is not None:
        _media(fe, e, spec.image_sizes)


def _content(fe: FeedEntry, r: Rendered, mode: str) -> None:
    if mode in ("both", "summary"):
        fe.summary(r.summary)
    if mode == "full":  # before content(): description() also sets Atom content, untyped
        fe.description(r.content_html)
    if mode in ("both", "full"):
        fe.content(r.content_html, type="html")


def _media(fe: FeedEntry, e: Entry, sizes: Mapping[str, int]) -> None:
    image = e.image
    assert image is not None
    length = mapping.enclosure_length(image, sizes)
    media = {"url": image.url, "type": image.mime_type, "medium": "image"}
    if length:  # an RSS enclosure needs its real size: without one, media:content says it
        fe.enclosure(image.url, str(length), image.mime_type)
        media["fileSize"] = str(length)
    fe.media.content(media)


def _serialise(root: etree._Element, stylesheet_url: str | None) -> bytes:
    from lxml import etree

    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    if stylesheet_url:
        head += f'<?xml-stylesheet type="text/css" href="{stylesheet_url}"?>\n'.encode()
    return head + body


def _unwrap_media_groups(root: etree._Element) -> None:
    """Lift a lone media:content out of the media:group feedgen wraps it in.

    A group is for alternatives of one medium; with a single child the W3C validator warns
    (MediaGroupWithoutAlternatives), and readers handle a bare media:content best.
    """
    for group in list(root.iter(f"{{{MEDIA_NS}}}group")):
        children = list(group)
        if len(children) == 1:
            group.addprevious(children[0])
            group.getparent().remove(group)


def _text_construct(el: etree._Element | None) -> None:
    """Declare an element's text that looks like HTML as escaped HTML (see text_construct)."""
    if el is not None and el.get("type", "text") == "text" and el.text:
        kind, text = text_construct(el.text)
        if kind == "html":
            el.set("type", kind)
            el.text = text


def _repair_atom(xml: bytes, spec: FeedSpec) -> etree._Element:
    from lxml import etree

    root = etree.fromstring(xml)
    _unwrap_media_groups(root)
    entries = root.findall(f"{{{ATOM_NS}}}entry")
    for el, r in zip(entries, spec.entries, strict=True):
        for redundant in el.findall(f"{{{ATOM_NS}}}link"):
            el.remove(redundant)
        anchor = el.find(f"{{{ATOM_NS}}}title")
        assert anchor is not None
        _text_construct(anchor)
        _text_construct(el.find(f"{{{ATOM_NS}}}summary"))
        for link in reversed(entry_links(r.entry, spec.image_sizes)):
            anchor.addnext(etree.Element(f"{{{ATOM_NS}}}link", link))
    if spec.hub_url:
        root.find(f"{{{ATOM_NS}}}link").addprevious(
            etree.Element(f"{{{ATOM_NS}}}link", {"rel": "hub", "href": spec.hub_url})
        )
    if spec.prev_archive_url:
        # RFC 5005 §4: the current feed points at the newest archive page
        root.find(f"{{{ATOM_NS}}}link").addprevious(
            etree.Element(f"{{{ATOM_NS}}}link", {"rel": "prev-archive", "href": spec.prev_archive_url,
                                                  "type": "application/atom+xml"})
        )
    etree.cleanup_namespaces(root)
    return root


def atom(spec: FeedSpec, config: Config) -> bytes:
    """Return the Atom 1.0 document of a feed."""
    return _atom(_generator(spec, config, spec.atom_url), spec)


def rss(spec: FeedSpec, config: Config) -> bytes:
    """Return the RSS 2.0 document of a feed."""
    return _rss(_generator(spec, config, spec.rss_url), spec, config)


def atom_and_rss(spec: FeedSpec, config: Config) -> tuple[bytes, bytes]:
    """Return the Atom 1.0 and RSS 2.0 documents of a feed, from one feedgen generator.

    Setting up the generator (every entry, field by field) is a third of a feed's cost, and
    the two formats differ only in the feed's links (RSS does not show the feed id).
    """
    fg = _generator(spec, config, spec.atom_url)
    return _atom(fg, spec), _rss(fg, spec, config)


def _atom(fg: FeedGenerator, spec: FeedSpec) -> bytes:
    fg.link(href=spec.home_url, rel="alternate", type="text/html", replace=True)
    fg.link(href=spec.atom_url, rel="self", type="application/atom+xml")
    return _serialise(_repair_atom(fg.atom_str(pretty=False), spec), spec.stylesheet_url)


def _rss(fg: FeedGenerator, spec: FeedSpec, config: Config) -> bytes:
    from lxml import etree

    fg.link(href=spec.home_url, replace=True)
    fg.link(href=spec.rss_url, rel="self", type="application/rss+xml")
    root = etree.fromstring(fg.rss_str(pretty=False))
    _unwrap_media_groups(root)
    channel_link = root.find("channel/link")
    assert channel_link is not None
    channel_link.text = spec.home_url  # feedgen lets the self link win; RSS <link> is the site
    channel_description = root.find("channel/description")
    assert channel_description is not None
    channel_description.text = html.escape(spec.subtitle or spec.title, quote=False)  # HTML to readers too
    for item, r in zip(root.iter("item"), spec.entries, strict=True):
        _rss_people(item, r)
    if config.content_mode != "full":
        # RSS readers treat <description> as HTML: the plain-text summary must be escaped
        # once more, or a summary reading "<img onerror=…>" would become markup in readers.
        for item, r in zip(root.iter("item"), spec.entries, strict=True):
            description = item.find("description")
            assert description is not None
            description.text = html.escape(r.summary, quote=False)
    if spec.hub_url:
        channel = root.find("channel")
        assert channel is not None
        channel.append(etree.Element(f"{{{ATOM_NS}}}link", {"rel": "hub", "href": spec.hub_url}))
    etree.cleanup_namespaces(root)
    return _serialise(root, spec.stylesheet_url)


def _rss_people(item: etree._Element, r: Rendered) -> None:
    """Write an item's people as dc:creator names (mapping.rss_creators), in place of feedgen's <author>."""
    from lxml import etree

    for old in item.findall("author"):
        item.remove(old)
    anchor = item.find("title")
    assert anchor is not None
    for name in reversed(mapping.rss_creators(mapping.authors_of(r.entry))):
        el = etree.Element(f"{{{DC_NS}}}creator")
        el.text = name
        anchor.addnext(el)


# --- archive pages, written as text ---------------------------------------------------

FH_NS = "http://purl.org/syndication/history/1.0"


@dataclass(frozen=True)
class PageHead:
    """What an archive page says of itself: the feed it archives, its links, its last change."""

    id: str  # the current feed's: a page is part of the same logical feed (RFC 5005)
    title: str
    updated: datetime
    language: str
    author: Author
    links: tuple[tuple[str, str], ...]  # (href, rel), all of type Atom but the site's page (rel alternate)


def archive_page(head: PageHead, entries: Iterable[str]) -> bytes:
    """Return the Atom document of an archive page whose <entry> elements are given (archive_entry)."""
    return (_page_head(head) + "".join(entries) + "</feed>\n").encode("utf-8")


def archive_entry(entry: Record, updated: datetime, category: str, config: Config, sizes: Mapping[str, int]) -> str:
    """Return the <entry> of a record on an archive page: no body, its own summary if it has one.

    updated and category: the record's values as the build settled them (a tie moved apart,
    the category's display name). The entry says what the current feeds say of it.
    """
    links = entry_links(entry, sizes)
    enclosure = _link_line(links[1], "    ") if len(links) > 1 else ""
    people = "".join([_person(a, "    ") for a in mapping.authors_of(entry)])
    tags = "".join([_tag_line(tag) for tag in mapping.other_tags(entry.tags, category)])
    text = _text_element("summary", entry.summary) if entry.summary else ""
    return (
        f"  <entry>\n    <id>{escape(entry.id)}</id>\n{_text_element('title', entry.title)}"
        f"    <updated>{mapping.iso(mapping.seconds(updated))}</updated>\n"
        f"{_link_line(links[0], '    ')}{enclosure}"
        f"    <published>{mapping.iso(mapping.seconds(entry.date))}</published>\n{people}"
        f"{_category_line(category, mapping.category_scheme(entry.category.slug, config.base_url))}{tags}{text}"
        "  </entry>\n"
    )


def escape(text: str) -> str:
    """Escape text for XML character data (str.replace: an archive page escapes every field)."""
    if "&" in text or "<" in text or ">" in text:  # most fields hold none: three scans, no copies
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def quoteattr(text: str) -> str:
    """Return text as a double-quoted XML attribute value."""
    text = escape(text).replace('"', "&quot;")
    if "\n" in text or "\r" in text or "\t" in text:  # attribute normalisation would eat them
        text = text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return f'"{text}"'


def _page_head(head: PageHead) -> str:
    atom_type = "application/atom+xml"
    links = "".join(_link_line({"href": href, "rel": rel, "type": "text/html" if rel == "alternate" else atom_type},
                               "  ") for href, rel in head.links)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<feed xmlns="{ATOM_NS}" xmlns:fh="{FH_NS}" xml:lang={quoteattr(head.language)}>\n'
        f"  <id>{escape(head.id)}</id>\n"
        f"  <title>{escape(head.title)}</title>\n"
        f"  <updated>{mapping.iso(mapping.seconds(head.updated))}</updated>\n"
        f"{_person(head.author, '  ')}{links}"
        f'  <generator uri="{GENERATOR_URI}">feedpub</generator>\n'
        "  <fh:archive/>\n"
    )


def _link_line(link: Mapping[str, str], indent: str) -> str:
    attrs = " ".join(f"{name}={quoteattr(value)}" for name, value in link.items())
    return f"{indent}<link {attrs}/>\n"


def _text_element(name: str, text: str) -> str:
    kind, content = text_construct(text)
    declared = "" if kind == "text" else f' type="{kind}"'
    return f"    <{name}{declared}>{escape(content)}</{name}>\n"


def _person(a: Author, indent: str) -> str:
    inner = indent + "  "
    email = f"{inner}<email>{escape(a.email)}</email>\n" if a.email else ""
    uri = f"{inner}<uri>{escape(a.uri)}</uri>\n" if a.uri else ""
    return f"{indent}<author>\n{inner}<name>{escape(a.name)}</name>\n{email}{uri}{indent}</author>\n"


# a site has few tags and categories, each on many pages: their lines are written once
@functools.lru_cache(maxsize=4096)
def _tag_line(tag: str) -> str:
    return f"    <category term={quoteattr(tag)}/>\n"


@functools.lru_cache(maxsize=256)
def _category_line(name: str, scheme: str) -> str:
    return f"    <category term={quoteattr(name)} scheme={quoteattr(scheme)}/>\n"
