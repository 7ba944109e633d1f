"""A document's body as it is rendered: template tags, kramdown IALs, trailer, header block and divider taken apart.

The fields of an entry are inferred in :mod:`feedpub.sources.fields`; this module only says
which text is the body, in which format, from which line, and what was taken out of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from feedpub.model import SourceDoc, make
from feedpub.sources import conventions as keys
from feedpub.sources import kramdown, pelican, plaintext, templates, xref
from feedpub.sources.fields.common import is_bundle


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
    refs: tuple[str, ...] = ()  # what each feedpub-ref:N in text names (feedpub.sources.xref)


_LAST: list[tuple[SourceDoc, str, Body]] = []  # the last body taken apart, and of which document object


def body_of(doc: SourceDoc, template_syntax: str = "strip") -> Body:
    """Return the body to render: trailer, divider and raw markers removed; for plain text, header block removed.

    template_syntax: "strip" removes template tags left in the body, "keep" leaves them as text.
    A document read once is normalised and then rendered, and both ask for its body: the
    last answer is kept for the same document object (held, so its identity is never reused).
    """
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is doc and last[1] == template_syntax:
        return last[2]
    body = _taken_apart(doc, template_syntax)
    _LAST[:] = [(doc, template_syntax, body)]
    return body


def _taken_apart(doc: SourceDoc, template_syntax: str) -> Body:
    fmt = _format(doc)
    raw, refs = _marked(doc) if fmt == "markdown" else (doc.body, ())
    found = templates.process(raw, strip=template_syntax == "strip", markdown=fmt == "markdown")
    # kramdown's attribute lists go after the template tags, which may stand inside them; every line stays
    text = kramdown.strip(found.text) if fmt == "markdown" else found.text
    if fmt == "markdown" and "{" in text and _ATTRIBUTES_SIGN.search(text):
        text = templates.outside_code(text, _heading_ids)
    if doc.dialect == "headers":  # Pelican's {static}, {attach}, {filename} links
        text = pelican.resolved(text, doc.rel, bundle=is_bundle(doc.rel),
                                markdown=fmt == "markdown")
    text, trailer = plaintext.split_trailer(text)
    header, text, skipped = _header(doc, fmt, text)
    excerpt, text = _excerpt(doc.meta, text)
    tags = tuple((doc.body_line + n, tag) for n, tag in found.tags)
    return make(Body, {"text": text, "fmt": fmt, "line": doc.body_line + skipped, "trailer": trailer,
                       "header": header, "excerpt": excerpt, "templates": tags, "refs": refs})


def _marked(doc: SourceDoc) -> tuple[str, tuple[str, ...]]:
    """Return a Markdown body with its links to other documents marked, and what each names (see xref)."""
    if not xref.may_have_refs(doc.body):
        return doc.body, ()
    refs: tuple[str, ...] = ()

    def prose(text: str) -> str:
        nonlocal refs
        text, refs = xref.marked(text, doc.rel, doc.body_line)
        return text

    text = templates.outside_code(doc.body, prose)
    return text, refs


# an ATX heading ending in an attribute list: kramdown's "## Setup {#setup}", Hugo's (goldmark)
# and Zola's "## Setup {#setup .wide}", "## Wide {.full data-x=1}"
_ATTRIBUTE = r"(?:[.#][\w:.-]+|[\w-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s{}\"']+))"
_HEADING_ATTRIBUTES = re.compile(
    rf"^([ ]{{0,3}}#{{1,6}}[ \t].*?)[ \t]+\{{[ \t]*({_ATTRIBUTE}(?:[ \t]+{_ATTRIBUTE})*)[ \t]*\}}[ \t]*$", re.MULTILINE)
_ATTRIBUTES_SIGN = re.compile(r"\{[ \t]*[.#]")  # a literal first: searched fast, as every body is
_ID = re.compile(r"#([A-Za-z][\w:.-]*)")


def _heading_ids(text: str) -> str:
    """Return text with each heading's attribute list taken off its text, its {#id} kept as an anchor in it.

    kramdown, Hugo and Zola give the heading that id (and classes, which feedpub's sanitizer
    would drop), and a post links it ([see](#setup)); GFM shows the braces as text. The anchor
    (an empty link target, HTML any renderer passes) keeps the link working, and the heading's
    text is its own again.
    """
    def one(m: re.Match[str]) -> str:
        found = next((i for token in m.group(2).split() if (i := _ID.fullmatch(token))), None)
        return f'{m.group(1)} <a id="{found.group(1)}"></a>' if found else m.group(1)

    return _HEADING_ATTRIBUTES.sub(one, text)


def _format(doc: SourceDoc) -> str:
    declared = doc.meta.get(keys.FORMAT)
    if declared in ("markdown", "text"):
        return str(declared)
    if doc.has_front_matter or doc.path.suffix.lower() in (".md", ".markdown", ".html", ".htm"):
        return "markdown"  # (HTML passes through Markdown: a Jekyll post in HTML, see discover.POST_SUFFIXES)
    return "text"


def _header(doc: SourceDoc, fmt: str, text: str) -> tuple[plaintext.Header | None, str, int]:
    """Return a plain-text header block, the text below it and its lines, when it gives the title."""
    if fmt != "text":
        return None, text, 0
    header = plaintext.split_header(text)
    if header.title is None or isinstance(doc.meta.get("title"), str):
        return None, text, 0
    return header, header.body, header.lines_removed


def _excerpt(meta: Mapping[str, Any], text: str) -> tuple[str | None, str]:
    """Return the text above the first summary divider (None without one), and the text without the divider."""
    own = meta.get(keys.EXCERPT_SEPARATOR) if meta else None
    # every usual divider is an HTML comment; a search for one character first (memchr speed)
    # skips most bodies: a search for '<!--' costs several times more
    lt = text.find("<") if own is None else 0
    if own is None and (lt < 0 or text.find("<!--", lt) < 0):
        return None, text
    for divider in _dividers(meta):
        at = text.find(divider)
        if at >= 0:
            return text[:at], text[:at] + text[at + len(divider):]
    return None, text


def _dividers(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the summary dividers of a document: its own excerpt_separator, then <!--more-->."""
    own = meta.get(keys.EXCERPT_SEPARATOR) if meta else None
    if isinstance(own, str) and own.strip():  # Jekyll's default, a blank line, is no divider
        return (own, *keys.MORE)
    return keys.MORE


def blank(text: str) -> bool:
    """Whether text is empty or all whitespace (not text.strip(), without copying the text)."""
    return not text or text.isspace()


_MARKUP = re.compile(r"<[^>]*>")


def has_text(text: str) -> bool:
    """Whether text holds a letter or digit outside template tags and HTML tags."""
    if "{" in text or "<" in text:
        text = _MARKUP.sub("", templates.process(text, strip=True).text)
    return any(c.isalnum() for c in text)
