"""The W3C Feed Validator's warnings that can be found by reading a feed, as a test helper.

:func:`warnings` reads an Atom or RSS file and returns ``(code, where, value)`` for each
problem, named as the validator names it. Only the rules the validator applies to what
feedpub writes are here (its textConstruct/nonhtml, enclosure, author, date and duplicate
rules): a strict subset, not a replacement for running the validator itself.
"""

from __future__ import annotations

import html.entities
import re
from email.utils import parsedate_to_datetime
from pathlib import Path

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
# HTML element names the validator knows (its HTMLValidator.htmltags)
_HTML_TAGS = frozenset("""
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
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_RFC822 = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}")
_ADDRESS = re.compile(r"[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+( \([^()]+\))?")

Warning = tuple[str, str, str]  # (code, where, value)


def looks_like_html(text: str) -> bool:
    """Whether the validator's nonhtml rule fires: an HTML end tag or an HTML character reference."""
    if any(t.lower() in _HTML_TAGS for t in _END_TAG.findall(text)):
        return True
    return any(v[0] == "#" or v in html.entities.name2codepoint for v in _ENTITY.findall(text))


def warnings(path: Path) -> list[Warning]:
    """Return the validator warnings of an Atom or RSS file."""
    root = etree.parse(str(path)).getroot()
    return _atom(root) if root.tag == f"{ATOM}feed" else _rss(root)


def _atom(feed: etree._Element) -> list[Warning]:
    found: list[Warning] = []
    seen_updated: dict[str, str] = {}
    seen_ids: set[str] = set()
    for n, entry in enumerate(feed.findall(f"{ATOM}entry")):
        where = f"entry {n} ({entry.findtext(f'{ATOM}id')})"
        if entry.find(f"{ATOM}content") is None and entry.find(f"{ATOM}summary") is None:
            found.append(("MissingTextualContent", where, ""))
        for name in ("title", "summary", "rights"):
            el = entry.find(f"{ATOM}{name}")
            if el is not None and el.get("type", "text") == "text" and looks_like_html(el.text or ""):
                found.append(("ContainsUndeclaredHTML", f"{where} {name}", el.text or ""))
            if el is not None and not (el.text or "").strip():
                found.append(("NotBlank", f"{where} {name}", ""))
        for name in ("updated", "published"):
            value = entry.findtext(f"{ATOM}{name}")
            if value is not None and not _RFC3339.fullmatch(value):
                found.append(("InvalidRFC3339Date", f"{where} {name}", value))
        updated = entry.findtext(f"{ATOM}updated") or ""
        if updated in seen_updated:
            found.append(("DuplicateUpdated", where, updated))
        seen_updated[updated] = where
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if entry_id in seen_ids:
            found.append(("DuplicateEntries", where, entry_id))
        seen_ids.add(entry_id)
        for author in entry.findall(f"{ATOM}author"):
            if not (author.findtext(f"{ATOM}name") or "").strip():
                found.append(("MissingElement", f"{where} author", "name"))
        if entry.find(f"{ATOM}author") is None and feed.find(f"{ATOM}author") is None:
            found.append(("MissingElement", where, "author"))
        for category in entry.findall(f"{ATOM}category"):
            if not (category.get("term") or "").strip():
                found.append(("AttrNotBlank", f"{where} category", "term"))
        for link in entry.findall(f"{ATOM}link"):
            length = link.get("length")
            if length is not None and not (length.isdigit() and int(length) > 0):
                found.append(("InvalidIntegerAttribute", f"{where} link", length))
    return found


def _rss(rss: etree._Element) -> list[Warning]:
    found: list[Warning] = []
    channel = rss.find("channel")
    assert channel is not None
    for name in ("pubDate", "lastBuildDate"):
        value = channel.findtext(name)
        if value is not None and not _rfc822(value):
            found.append(("InvalidRFC2822Date", f"channel {name}", value))
    guids: set[str] = set()
    for n, item in enumerate(channel.findall("item")):
        where = f"item {n} ({item.findtext('guid')})"
        title = item.findtext("title") or ""
        if looks_like_html(title):
            found.append(("ContainsHTML", f"{where} title", title))
        if item.find("title") is None and item.find("description") is None:
            found.append(("ItemMustContainTitleOrDescription", where, ""))
        value = item.findtext("pubDate")
        if value is not None and not _rfc822(value):
            found.append(("InvalidRFC2822Date", f"{where} pubDate", value))
        authors = item.findall("author")
        if len(authors) > 1:
            found.append(("DuplicateElement", where, "author"))
        for author in authors:
            if not _ADDRESS.fullmatch(author.text or ""):
                found.append(("InvalidContact", f"{where} author", author.text or ""))
        if authors and item.find(f"{DC}creator") is not None:
            found.append(("DuplicateItemSemantics", where, "author, dc:creator"))
        enclosures = item.findall("enclosure")
        if len(enclosures) > 1:
            found.append(("DuplicateElement", where, "enclosure"))
        for enclosure in enclosures:
            length = enclosure.get("length") or ""
            if not (length.isdigit() and int(length) > 0):
                found.append(("InvalidIntegerAttribute", f"{where} enclosure", length))
        guid = item.findtext("guid") or ""
        if guid in guids:
            found.append(("DuplicateValue", where, guid))
        guids.add(guid)
        if item.find("guid") is not None and item.find("guid").get("isPermaLink", "true") == "true" \
                and not guid.startswith(("http://", "https://")):
            found.append(("InvalidHttpGUID", where, guid))
    return found


def _rfc822(value: str) -> bool:
    if not _RFC822.fullmatch(value):
        return False
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    return True


def unavoidable(found: list[Warning]) -> list[Warning]:
    """Return the warnings of found that no spelling avoids: ContainsHTML of an RSS title with markup."""
    return [w for w in found if w[0] == "ContainsHTML" and w[1].endswith(" title")]
